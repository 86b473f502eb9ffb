// RFC 3339 times (util/time.hpp: metav1.Time and MicroTime of conditions,
// leases, snapshots). A time that parses prints in both of Kubernetes' forms
// as text that parses back; printing is idempotent.

#include <string>

#include "fuzz_support.hpp"
#include "util/time.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto parsed = druid::util::parse_rfc3339(druid::fuzz::as_text(data, size));
  if (!parsed) return 0;
  for (auto format : {&druid::util::format_rfc3339, &druid::util::format_rfc3339_micro}) {
    const std::string printed = format(*parsed);
    auto again = druid::util::parse_rfc3339(printed);
    FUZZ_CHECK(again.has_value());
    FUZZ_CHECK(format(*again) == printed);
  }
  return 0;
}
