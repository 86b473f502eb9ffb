// The operator's configuration file (api/operator_config.hpp): YAML or JSON as
// an operator deployment mounts it. A configuration that loads must write back
// (as Go would) to a file that loads to the same configuration, and the
// validator must judge it without failing.

#include <nlohmann/json.hpp>

#include "api/operator_config.hpp"
#include "api/validation/operator_config_validation.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto loaded = druid::api::load_operator_config(druid::fuzz::as_text(data, size));
  if (!loaded) {
    FUZZ_CHECK(!loaded.error().empty());
    return 0;
  }
  (void)druid::api::validation::validate_operator_config(*loaded);
  const nlohmann::json encoded = druid::api::encode_operator_config(*loaded);
  auto again = druid::api::load_operator_config(encoded.dump());
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(druid::api::encode_operator_config(*again) == encoded);
  return 0;
}
