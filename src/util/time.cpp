#include "util/time.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <optional>

#include "util/text.hpp"

namespace druid::util {
namespace {

using std::chrono::days;
using std::chrono::nanoseconds;
using std::chrono::seconds;

constexpr const char* kLayoutHint = "expected the form 2006-01-02T15:04:05[.999999999](Z|±07:00)";

Unexpected<ParseError> invalid(std::string_view text, std::string_view what) {
  return unexpected(ParseError{
      std::string(text), fmt::format("invalid RFC 3339 time \"{}\": {}", std::string(text), what)});
}

// Exactly `width` decimal digits at text[pos...]; nullopt otherwise.
std::optional<int> fixed_number(std::string_view text, std::size_t pos, std::size_t width) {
  if (pos + width > text.size()) return std::nullopt;
  int value = 0;
  for (std::size_t i = pos; i < pos + width; ++i) {
    if (!is_digit(text[i])) return std::nullopt;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

bool has_char(std::string_view text, std::size_t pos, char expected) {
  return pos < text.size() && text[pos] == expected;
}

bool has_char_ci(std::string_view text, std::size_t pos, char upper) {
  return pos < text.size() && (text[pos] == upper || text[pos] == upper - 'A' + 'a');
}

// The civil date/time and offset, each field already range-checked.
struct Fields {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  std::int64_t nanos = 0;
  int offset_seconds = 0;  // east of UTC
};

}  // namespace

Expected<Time, ParseError> parse_rfc3339(std::string_view text) {
  if (text.empty()) return invalid(text, "empty string");
  Fields f;
  auto year = fixed_number(text, 0, 4);
  auto month = fixed_number(text, 5, 2);
  auto day = fixed_number(text, 8, 2);
  auto hour = fixed_number(text, 11, 2);
  auto minute = fixed_number(text, 14, 2);
  auto second = fixed_number(text, 17, 2);
  if (!year || !month || !day || !hour || !minute || !second || !has_char(text, 4, '-') ||
      !has_char(text, 7, '-') || !has_char_ci(text, 10, 'T') || !has_char(text, 13, ':') ||
      !has_char(text, 16, ':')) {
    return invalid(text, kLayoutHint);
  }
  f.year = *year;
  f.month = *month;
  f.day = *day;
  f.hour = *hour;
  f.minute = *minute;
  f.second = *second;
  if (f.month < 1 || f.month > 12) return invalid(text, "month out of range");
  const std::chrono::year_month_day date{std::chrono::year{f.year},
                                         std::chrono::month{static_cast<unsigned>(f.month)},
                                         std::chrono::day{static_cast<unsigned>(f.day)}};
  if (!date.ok()) return invalid(text, "day out of range");
  if (f.hour > 23) return invalid(text, "hour out of range");
  if (f.minute > 59) return invalid(text, "minute out of range");
  if (f.second > 59) return invalid(text, "second out of range");

  std::size_t pos = 19;
  if (has_char(text, pos, '.')) {
    ++pos;
    const std::size_t first_digit = pos;
    std::int64_t scale = 100'000'000;
    for (; pos < text.size() && is_digit(text[pos]); ++pos) {
      // Digits beyond nanoseconds are accepted and dropped, as Go does.
      f.nanos += (text[pos] - '0') * scale;
      scale /= 10;
    }
    if (pos == first_digit) return invalid(text, "missing fractional second digits after '.'");
  }

  const std::string_view zone = text.substr(pos);
  if (zone.size() == 1 && (zone[0] == 'Z' || zone[0] == 'z')) {
    f.offset_seconds = 0;
  } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
    auto off_hours = fixed_number(zone, 1, 2);
    auto off_minutes = fixed_number(zone, 4, 2);
    if (!off_hours || !off_minutes) return invalid(text, kLayoutHint);
    if (*off_hours > 23) return invalid(text, "time zone offset hour out of range");
    if (*off_minutes > 59) return invalid(text, "time zone offset minute out of range");
    f.offset_seconds = (*off_hours * 60 + *off_minutes) * 60 * (zone[0] == '-' ? -1 : 1);
  } else if (zone.empty()) {
    return invalid(text, "missing time zone (Z or ±hh:mm)");
  } else {
    return invalid(text, kLayoutHint);
  }

  const std::int64_t epoch_seconds =
      std::chrono::sys_days{date}.time_since_epoch().count() * std::int64_t{86'400} +
      std::int64_t{f.hour} * 3'600 + std::int64_t{f.minute} * 60 + f.second - f.offset_seconds;
  // sys_time<nanoseconds> spans about 1677-09-21 to 2262-04-11.
  constexpr std::int64_t kMinSeconds =
      std::chrono::duration_cast<seconds>(nanoseconds::min()).count();
  constexpr std::int64_t kMaxSeconds =
      std::chrono::duration_cast<seconds>(nanoseconds::max()).count();
  if (epoch_seconds <= kMinSeconds || epoch_seconds >= kMaxSeconds) {
    return invalid(text, "year out of the supported range (1678-2261)");
  }
  return Time{nanoseconds(epoch_seconds * 1'000'000'000 + f.nanos)};
}

namespace {

std::string format_with_fraction(Time t, bool micro) {
  const auto day = std::chrono::floor<days>(t);
  const std::chrono::year_month_day date{day};
  const std::chrono::hh_mm_ss<nanoseconds> clock{t - day};
  std::string out =
      fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", static_cast<int>(date.year()),
                  static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                  clock.hours().count(), clock.minutes().count(), clock.seconds().count());
  if (micro) out += fmt::format(".{:06}", clock.subseconds().count() / 1'000);
  return out + "Z";
}

}  // namespace

std::string format_rfc3339(Time t) {
  return format_with_fraction(t, false);
}

std::string format_rfc3339_micro(Time t) {
  return format_with_fraction(t, true);
}

}  // namespace druid::util
