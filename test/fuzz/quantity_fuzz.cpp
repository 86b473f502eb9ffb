// resource.Quantity text (api/quantity.hpp: storage capacities, resource
// requests, quotas). A quantity that parses prints in canonical form as text
// that parses to the same value and prints the same again.

#include <string>

#include "api/quantity.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = druid::fuzz::as_text(data, size);
  auto parsed = druid::api::Quantity::parse(text);
  // The int-or-string form of a field (trims spaces) must agree with it.
  auto field = druid::api::parse_quantity(druid::api::IntOrString(std::string(text)));
  if (!parsed) return 0;
  FUZZ_CHECK(field.has_value() && *field == *parsed);
  const std::string canonical = parsed->to_string();
  auto again = druid::api::Quantity::parse(canonical);
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(*again == *parsed);
  FUZZ_CHECK(again->to_string() == canonical);
  (void)parsed->value();
  (void)parsed->milli_value();
  return 0;
}
