// JSON merge patches (kube/patch.hpp, RFC 7386): the operator's create-or-patch
// computes them, the test API server applies them. Input: two JSON documents
// separated by a NUL byte. The patch created from one to the other applies back
// to the other (when it holds no nulls inside objects, which a merge patch
// cannot set), and the patch between equal documents is {}.

#include <nlohmann/json.hpp>

#include "fuzz_support.hpp"
#include "kube/patch.hpp"

namespace {

bool has_null_in_object(const nlohmann::json& j) {
  if (j.is_object()) {
    for (const auto& [key, value] : j.items()) {
      if (value.is_null() || has_null_in_object(value)) return true;
    }
  } else if (j.is_array()) {
    for (const auto& item : j) {
      if (has_null_in_object(item)) return true;
    }
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto [first, second] = druid::fuzz::split_at_nul(druid::fuzz::as_text(data, size));
  const auto a = nlohmann::json::parse(first, nullptr, false);
  const auto b = nlohmann::json::parse(second, nullptr, false);
  if (a.is_discarded() || b.is_discarded()) return 0;
  (void)druid::kube::apply_merge_patch(a, b);
  FUZZ_CHECK(druid::kube::create_merge_patch(a, a) == nlohmann::json::object());
  const auto patch = druid::kube::create_merge_patch(a, b);
  if (a.is_object() && b.is_object() && !has_null_in_object(b)) {
    FUZZ_CHECK(druid::kube::apply_merge_patch(a, patch) == b);
  }
  return 0;
}
