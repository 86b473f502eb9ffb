// Field paths as Kubernetes prints them (api/field_path.hpp), read back by
// validation ratcheting (api/validation/schema_rules.hpp, is_ratcheted) to find
// the value an error is about in the new and the old object. Input: the path,
// then the two objects' JSON, NUL-separated. Whatever the path, an error is
// ratcheted when both objects are the same, and a path built from the same
// text by child/key/index prints that text.

#include <nlohmann/json.hpp>
#include <string>

#include "api/field_error.hpp"
#include "api/field_path.hpp"
#include "api/validation/schema_rules.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto [path, objects] = druid::fuzz::split_at_nul(druid::fuzz::as_text(data, size));
  const auto [new_text, old_text] = druid::fuzz::split_at_nul(objects);
  auto new_object = nlohmann::json::parse(new_text, nullptr, false);
  auto old_object = nlohmann::json::parse(old_text, nullptr, false);
  if (new_object.is_discarded()) new_object = nullptr;
  if (old_object.is_discarded()) old_object = nullptr;

  for (auto type : {druid::api::FieldErrorType::kInvalid, druid::api::FieldErrorType::kRequired}) {
    druid::api::FieldError error;
    error.type = type;
    error.field = std::string(path);
    (void)druid::api::validation::is_ratcheted(error, new_object, old_object);
    FUZZ_CHECK(druid::api::validation::is_ratcheted(error, new_object, new_object));
  }

  const druid::api::FieldPath root("spec");
  FUZZ_CHECK(root.child(path).str() == "spec." + std::string(path));
  FUZZ_CHECK(root.key(path).str() == "spec[" + std::string(path) + "]");
  FUZZ_CHECK(root.index(path.size()).str() == "spec[" + std::to_string(path.size()) + "]");
  return 0;
}
