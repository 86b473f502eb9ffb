// The validators (api/validation): what the test API server, the webhook
// and druid-validate run on objects from anywhere. Input: a selector byte,
// then the object's JSON. Every validator answers (never throws), and an
// object that is valid on its own stays valid through an update that changes
// nothing. (An invalid one may not report the same errors: creation stops at
// blocking errors such as a missing name, which updates do not check.)

#include <nlohmann/json.hpp>

#include "api/field_error.hpp"
#include "api/validation/etcd_validation.hpp"
#include "api/validation/object_meta_validation.hpp"
#include "api/validation/task_validation.hpp"
#include "fuzz_support.hpp"

namespace {

using druid::api::FieldErrors;
namespace v = druid::api::validation;

// `update` lists nothing when `alone` is empty; errors always print.
bool valid_stays_valid(const FieldErrors& alone, const FieldErrors& update) {
  for (const auto& e : alone) (void)e.message();
  for (const auto& e : update) (void)e.message();
  return !alone.empty() || update.empty();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto object =
      nlohmann::json::parse(druid::fuzz::as_text(data + 1, size - 1), nullptr, false);
  if (object.is_discarded()) return 0;
  switch (data[0] % 6) {
    case 0:
    case 1:
    case 2: {
      const auto checks = static_cast<v::EtcdChecks>(data[0] % 3);
      const auto alone = v::validate_etcd(object, checks);
      FUZZ_CHECK(valid_stays_valid(alone, v::validate_etcd_update(object, object, checks)));
      break;
    }
    case 3: {
      const auto alone = v::validate_etcd_copy_backups_task(object);
      FUZZ_CHECK(
          valid_stays_valid(alone, v::validate_etcd_copy_backups_task_update(object, object)));
      break;
    }
    case 4: {
      const auto alone = v::validate_etcd_ops_task(object);
      FUZZ_CHECK(valid_stays_valid(alone, v::validate_etcd_ops_task_update(object, object)));
      break;
    }
    default:
      (void)v::validate_labels(object, druid::api::FieldPath("metadata").child("labels"));
      (void)v::validate_annotations(object, druid::api::FieldPath("metadata").child("annotations"));
      break;
  }
  return 0;
}
