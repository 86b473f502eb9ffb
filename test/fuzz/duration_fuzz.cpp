// Go durations (api/duration.hpp: the CRDs' and the operator configuration's
// metav1.Duration fields). A duration that parses prints (Go's String()) as
// text that parses to the same duration; printing never fails.

#include <string>

#include "api/duration.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = druid::fuzz::as_text(data, size);
  (void)druid::api::matches_crd_duration_pattern(text);
  auto parsed = druid::api::parse_duration(text);
  if (!parsed) return 0;
  const std::string printed = parsed->to_string();
  FUZZ_CHECK(printed == druid::api::format_duration(parsed->value));
  auto again = druid::api::parse_duration(printed);
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(*again == *parsed);
  (void)druid::api::human_duration(parsed->value);
  return 0;
}
