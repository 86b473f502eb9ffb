// Label selectors in their string form (util/label_selector.hpp: kubectl
// --selector, ?labelSelector= on the test API server and druidctl). A selector
// that parses prints (canonically) as text that parses to the same selector.

#include <string>

#include "fuzz_support.hpp"
#include "util/label_selector.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto selector = druid::util::Selector::parse(druid::fuzz::as_text(data, size));
  if (!selector) return 0;
  const std::string printed = selector->to_string();
  auto again = druid::util::Selector::parse(printed);
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(again->requirements() == selector->requirements());
  FUZZ_CHECK(again->to_string() == printed);
  const druid::util::Labels labels{{"app", "etcd"}, {"role", "main"}, {"tier", "1"}};
  FUZZ_CHECK(again->matches(labels) == selector->matches(labels));
  return 0;
}
