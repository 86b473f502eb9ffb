#pragma once
// Durations in Go's syntax (metav1.Duration): parse "1h2m3.5s", "300ms", "-1.5h";
// print like Go's time.Duration.String(): "5m0s", "12h0m0s", "1.5s", "300ms", "0s".

#include <chrono>
#include <compare>
#include <string>
#include <string_view>

#include "util/expected.hpp"
#include "util/parse_error.hpp"

namespace druid::api {

struct Duration {
  std::chrono::nanoseconds value{0};

  // Go's Duration.String().
  std::string to_string() const;
  double seconds() const { return std::chrono::duration<double>(value).count(); }
  // Whole seconds, truncated toward zero (CEL's duration.getSeconds()).
  std::int64_t whole_seconds() const {
    return std::chrono::duration_cast<std::chrono::seconds>(value).count();
  }
  friend auto operator<=>(const Duration&, const Duration&) = default;
};

// Go's time.ParseDuration: units ns, us, µs (U+00B5), μs (U+03BC), ms, s, m, h;
// an optional sign; "0" alone. Errors quote the input like Go does, e.g.
// `time: invalid duration "5x"`, `time: unknown unit "x" in duration "5x"`,
// `time: missing unit in duration "5"`.
util::Expected<Duration, util::ParseError> parse_duration(std::string_view text);

// Go's Duration.String() for a count of nanoseconds.
std::string format_duration(std::chrono::nanoseconds d);

// apimachinery's duration.HumanDuration, as kubectl prints ages: "119s", "3m12s",
// "179m", "7h59m", "47h", "3d4h", "729d", "2y30d", "8y"; "<invalid>" below -1 s.
std::string human_duration(std::chrono::nanoseconds d);

// The CRD's pattern for duration fields: ^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$
inline constexpr const char* kCrdDurationPattern = "^([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$";
bool matches_crd_duration_pattern(std::string_view text);

}  // namespace druid::api
