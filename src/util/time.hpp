#pragma once
// RFC 3339 timestamps as Kubernetes writes them: metav1.Time (seconds,
// "2024-05-01T10:00:00Z") and metav1.MicroTime ("2024-05-01T10:00:00.123456Z",
// used by Lease renewTime/acquireTime).

#include <chrono>
#include <string>
#include <string_view>

#include "util/expected.hpp"
#include "util/parse_error.hpp"

namespace druid::util {

using Time = std::chrono::sys_time<std::chrono::nanoseconds>;

// Accepts "Z" or "+hh:mm"/"-hh:mm" offsets and any number of fractional digits
// (as Go's time.RFC3339Nano parser does); 't'/'z' in lower case are accepted too.
// Errors name the input and what is wrong, e.g.
// `invalid RFC 3339 time "2024-13-01T00:00:00Z": month out of range`.
Expected<Time, ParseError> parse_rfc3339(std::string_view text);

// metav1.Time: UTC, whole seconds (truncated), "Z".
std::string format_rfc3339(Time t);
// metav1.MicroTime: UTC, exactly six fractional digits, "Z".
std::string format_rfc3339_micro(Time t);

}  // namespace druid::util
