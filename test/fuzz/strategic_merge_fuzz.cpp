// Strategic merge patches (test/apiserver/strategic_merge.hpp, as the test API
// server applies kubectl's and the operator's patches to built-in kinds).
// Input: the kind's index, then target and patch JSON separated by a NUL byte.
// Applying answers a result or a classified error; an empty patch changes
// nothing but dropped nulls.

#include <array>
#include <nlohmann/json.hpp>

#include "apiserver/strategic_merge.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static constexpr std::array<const char*, 8> kKinds = {
      "StatefulSet",         "Pod",   "Service", "ConfigMap",
      "PodDisruptionBudget", "Lease", "Role",    "Secret"};
  const char* kind = kKinds[data[0] % kKinds.size()];
  const auto [first, second] = druid::fuzz::split_at_nul(druid::fuzz::as_text(data + 1, size - 1));
  const auto target = nlohmann::json::parse(first, nullptr, false);
  const auto patch = nlohmann::json::parse(second, nullptr, false);
  if (target.is_discarded() || patch.is_discarded()) return 0;
  auto result = druid::testing::apply_strategic_merge_patch(target, patch, kind);
  if (!result) {
    FUZZ_CHECK(!result.error().message.empty());
    return 0;
  }
  if (target.is_object()) {
    auto unchanged =
        druid::testing::apply_strategic_merge_patch(*result, nlohmann::json::object(), kind);
    FUZZ_CHECK(unchanged.has_value());
    FUZZ_CHECK(*unchanged == *result);
  }
  return 0;
}
