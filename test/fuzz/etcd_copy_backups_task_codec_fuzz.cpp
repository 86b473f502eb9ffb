// The JSON codec of EtcdCopyBackupsTask (api/etcd_copy_backups_task.hpp) on arbitrary JSON text, as
// read from an API server, a watch or druid-validate. Whatever decodes must re-encode to JSON that
// decodes again and re-encodes to the same JSON (read-modify-write never changes an object it does
// not mean to change).

#include <nlohmann/json.hpp>

#include "api/etcd_copy_backups_task.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto json = nlohmann::json::parse(druid::fuzz::as_text(data, size), nullptr, false);
  if (json.is_discarded()) return 0;
  auto decoded = druid::api::decode_etcd_copy_backups_task(json);
  if (!decoded) {
    FUZZ_CHECK(!decoded.error().empty());  // a refusal always says why
    return 0;
  }
  const nlohmann::json encoded = druid::api::encode_etcd_copy_backups_task(*decoded);
  auto again = druid::api::decode_etcd_copy_backups_task(encoded);
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(druid::api::encode_etcd_copy_backups_task(*again) == encoded);
  return 0;
}
