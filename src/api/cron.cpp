#include "api/cron.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <regex>

#include "api/duration.hpp"
#include "util/text.hpp"

namespace druid::api {

// The +kubebuilder:validation:Pattern of upstream's api/core/v1alpha1/etcd.go, character for
// character.
const char* const kCrdCronPattern =
    R"(^(\*|[1-5]?[0-9]|[1-5]?[0-9]-[1-5]?[0-9]|(?:[1-9]|[1-4][0-9]|5[0-9])\/(?:[1-9]|[1-4][0-9]|5[0-9]|60)|\*\/(?:[1-9]|[1-4][0-9]|5[0-9]|60))\s+(\*|[0-9]|1[0-9]|2[0-3]|[0-9]-(?:[0-9]|1[0-9]|2[0-3])|1[0-9]-(?:1[0-9]|2[0-3])|2[0-3]-2[0-3]|(?:[1-9]|1[0-9]|2[0-3])\/(?:[1-9]|1[0-9]|2[0-4])|\*\/(?:[1-9]|1[0-9]|2[0-4]))\s+(\*|[1-9]|[12][0-9]|3[01]|[1-9]-(?:[1-9]|[12][0-9]|3[01])|[12][0-9]-(?:[12][0-9]|3[01])|3[01]-3[01]|(?:[1-9]|[12][0-9]|30)\/(?:[1-9]|[12][0-9]|3[01])|\*\/(?:[1-9]|[12][0-9]|3[01]))\s+(\*|[1-9]|1[0-2]|[1-9]-(?:[1-9]|1[0-2])|1[0-2]-1[0-2]|(?:[1-9]|1[0-2])\/(?:[1-9]|1[0-2])|\*\/(?:[1-9]|1[0-2]))\s+(\*|[1-7]|[1-6]-[1-7]|[1-6]\/[1-7]|\*\/[1-7])$)";

namespace {

// The API server evaluates CRD patterns with Go's RE2, whose \s is [\t\n\f\r ].

}  // namespace

bool matches_crd_cron_pattern(std::string_view text) {
  // The fields never contain whitespace, so collapsing each whitespace run to
  // one space changes no match; it keeps the regex input tiny (std::regex
  // recurses per character). '\v' is \s for std::regex but not for RE2.
  std::string compact;
  bool in_space = false;
  for (char c : text) {
    if (c == '\v') return false;
    if (util::is_go_space(c)) {
      if (!in_space) compact += ' ';
      in_space = true;
      continue;
    }
    in_space = false;
    compact += c;
    if (compact.size() > 64) return false;  // the longest match is 29 characters
  }
  static const std::regex kPattern(kCrdCronPattern, std::regex::ECMAScript | std::regex::optimize);
  return std::regex_match(compact, kPattern);
}

namespace {

struct Bounds {
  const char* field;
  unsigned min;
  unsigned max;
  const std::array<std::string_view, 12>* names;  // index = value - names_offset
  unsigned names_offset;
};

constexpr std::array<std::string_view, 12> kMonthNames{"jan", "feb", "mar", "apr", "may", "jun",
                                                       "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<std::string_view, 12> kDayNames{"sun", "mon", "tue", "wed", "thu", "fri",
                                                     "sat", "",    "",    "",    "",    ""};

constexpr Bounds kMinute{"minute", 0, 59, nullptr, 0};
constexpr Bounds kHour{"hour", 0, 23, nullptr, 0};
constexpr Bounds kDayOfMonth{"day-of-month", 1, 31, nullptr, 0};
constexpr Bounds kMonth{"month", 1, 12, &kMonthNames, 1};
constexpr Bounds kDayOfWeek{"day-of-week", 0, 6, &kDayNames, 0};

// The bits of one field plus whether it was written as '*' (or '?'), which
// decides how the two day fields combine.
struct FieldBits {
  std::uint64_t bits = 0;
  bool star = false;
};

using FieldResult = util::Expected<FieldBits, std::string>;

// A decimal number as strconv.Atoi reads it (optional '+').
util::Expected<std::uint64_t, std::string> parse_number(std::string_view s) {
  const std::string_view original = s;
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty() || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return util::unexpected(fmt::format("\"{}\" is not a number", std::string(original)));
  }
  if (s.size() > 18)
    return util::unexpected(fmt::format("\"{}\" is out of range", std::string(original)));
  std::uint64_t value = 0;
  for (char c : s) value = value * 10 + static_cast<std::uint64_t>(c - '0');
  return value;
}

util::Expected<std::uint64_t, std::string> parse_value(std::string_view s, const Bounds& bounds) {
  if (bounds.names != nullptr) {
    const std::string name = util::ascii_lower(s);
    for (std::size_t i = 0; i < bounds.names->size(); ++i) {
      if (!(*bounds.names)[i].empty() && (*bounds.names)[i] == name) {
        return i + bounds.names_offset;
      }
    }
  }
  auto number = parse_number(s);
  if (!number && bounds.names != nullptr &&
      number.error().find("not a number") != std::string::npos) {
    return util::unexpected(number.error() + " or a name");
  }
  return number;
}

std::uint64_t bits_between(std::uint64_t start, std::uint64_t end, std::uint64_t step) {
  std::uint64_t bits = 0;
  for (std::uint64_t v = start; v <= end; v += step) bits |= std::uint64_t{1} << v;
  return bits;
}

// One comma-separated element: '*', '?', 'a', 'a-b', each optionally '/step'.
FieldResult parse_range(std::string_view expr, const Bounds& bounds) {
  const auto range_and_step = util::split(expr, '/');
  const auto low_and_high = util::split(range_and_step[0], '-');
  const bool single_value = low_and_high.size() == 1;
  std::uint64_t start = 0;
  std::uint64_t end = 0;
  bool star = false;
  if (low_and_high[0] == "*" || low_and_high[0] == "?") {
    start = bounds.min;
    end = bounds.max;
    star = true;
  } else {
    auto low = parse_value(low_and_high[0], bounds);
    if (!low) return util::unexpected(low.error());
    start = end = *low;
    if (low_and_high.size() == 2) {
      auto high = parse_value(low_and_high[1], bounds);
      if (!high) return util::unexpected(high.error());
      end = *high;
    } else if (low_and_high.size() > 2) {
      return util::unexpected(fmt::format("too many hyphens in \"{}\"", std::string(expr)));
    }
  }
  std::uint64_t step = 1;
  if (range_and_step.size() == 2) {
    auto parsed_step = parse_number(range_and_step[1]);
    if (!parsed_step) return util::unexpected("step " + parsed_step.error());
    step = *parsed_step;
    if (single_value) end = bounds.max;  // "a/n" means "a-max/n"
    if (step > 1) star = false;
  } else if (range_and_step.size() > 2) {
    return util::unexpected(fmt::format("too many slashes in \"{}\"", std::string(expr)));
  }
  if (start < bounds.min)
    return util::unexpected(fmt::format("{} is below the minimum {}", start, bounds.min));
  if (end > bounds.max)
    return util::unexpected(fmt::format("{} is above the maximum {}", end, bounds.max));
  if (start > end) {
    return util::unexpected(fmt::format("beginning of range {} is beyond its end {}", start, end));
  }
  if (step == 0) {
    return util::unexpected(
        fmt::format("step of range should be a positive number: \"{}\"", std::string(expr)));
  }
  return FieldBits{bits_between(start, end, step), star};
}

FieldResult parse_field(std::string_view field, const Bounds& bounds) {
  FieldBits result;
  for (std::string_view expr : util::split(field, ',')) {
    if (expr.empty()) continue;  // like strings.FieldsFunc, "1,,2" is "1,2"
    auto range = parse_range(expr, bounds);
    if (!range) return util::unexpected(std::string(bounds.field) + ": " + range.error());
    result.bits |= range->bits;
    result.star = result.star || range->star;
  }
  return result;
}

std::vector<std::string_view> fields_of(std::string_view text) {
  std::vector<std::string_view> fields;
  std::size_t i = 0;
  auto is_space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
  };
  while (i < text.size()) {
    while (i < text.size() && is_space(text[i])) ++i;
    const std::size_t start = i;
    while (i < text.size() && !is_space(text[i])) ++i;
    if (i > start) fields.push_back(text.substr(start, i - start));
  }
  return fields;
}

util::Unexpected<util::ParseError> invalid(std::string_view text, std::string_view reason) {
  return util::unexpected(util::ParseError{
      std::string(text),
      fmt::format("invalid cron schedule \"{}\": {}", std::string(text), std::string(reason))});
}

}  // namespace

util::Expected<CronSchedule, util::ParseError> CronSchedule::parse(std::string_view text) {
  if (text.empty()) return invalid(text, "empty spec string");
  if (text.substr(0, 3) == "TZ=" || text.substr(0, 8) == "CRON_TZ=") {
    return invalid(text, "time zone prefixes are not supported; schedules are evaluated in UTC");
  }
  if (text.front() == '@') return parse_descriptor(text);

  const auto fields = fields_of(text);
  if (fields.size() != 5) {
    return invalid(text, fmt::format("expected exactly 5 fields, found {}", fields.size()));
  }
  CronSchedule schedule;
  const std::array<const Bounds*, 5> bounds{&kMinute, &kHour, &kDayOfMonth, &kMonth, &kDayOfWeek};
  std::array<FieldBits, 5> parsed;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    auto field = parse_field(fields[i], *bounds[i]);
    if (!field) return invalid(text, field.error());
    parsed[i] = *field;
  }
  schedule.minutes_ = parsed[0].bits;
  schedule.hours_ = static_cast<std::uint32_t>(parsed[1].bits);
  schedule.days_of_month_ = static_cast<std::uint32_t>(parsed[2].bits);
  schedule.months_ = static_cast<std::uint16_t>(parsed[3].bits);
  schedule.days_of_week_ = static_cast<std::uint8_t>(parsed[4].bits);
  schedule.day_of_month_star_ = parsed[2].star;
  schedule.day_of_week_star_ = parsed[4].star;
  return schedule;
}

util::Expected<CronSchedule, util::ParseError> CronSchedule::parse_descriptor(
    std::string_view text) {
  constexpr std::string_view kEvery = "@every ";
  if (text.substr(0, kEvery.size()) == kEvery) {
    auto delay = parse_duration(text.substr(kEvery.size()));
    if (!delay) {
      return invalid(text, fmt::format("failed to parse duration: {}", delay.error().message()));
    }
    // robfig/cron: at least one second, whole seconds only.
    auto every = std::max(delay->value, std::chrono::nanoseconds(std::chrono::seconds(1)));
    every -= every % std::chrono::seconds(1);
    CronSchedule schedule;
    schedule.every_ = every;
    return schedule;
  }
  // Each descriptor is the 5-field schedule it abbreviates.
  struct Descriptor {
    std::string_view name;
    std::string_view fields;
  };
  static constexpr std::array<Descriptor, 7> kDescriptors{{
      {"@yearly", "0 0 1 1 *"},
      {"@annually", "0 0 1 1 *"},
      {"@monthly", "0 0 1 * *"},
      {"@weekly", "0 0 * * 0"},
      {"@daily", "0 0 * * *"},
      {"@midnight", "0 0 * * *"},
      {"@hourly", "0 * * * *"},
  }};
  for (const auto& descriptor : kDescriptors) {
    if (descriptor.name == text) return parse(descriptor.fields);
  }
  return invalid(text, "unrecognized descriptor");
}

namespace {

// A civil UTC minute, advanced field by field like robfig/cron's Next.
struct Civil {
  int year;
  unsigned month, day, hour, minute;
};

unsigned days_in(int year, unsigned month) {
  const std::chrono::year_month_day_last last{std::chrono::year{year} / std::chrono::month{month} /
                                              std::chrono::last};
  return static_cast<unsigned>(last.day());
}

unsigned weekday_of(const Civil& c) {
  const std::chrono::sys_days day{std::chrono::year{c.year} / std::chrono::month{c.month} /
                                  std::chrono::day{c.day}};
  return std::chrono::weekday{day}.c_encoding();
}

}  // namespace

bool CronSchedule::day_matches(int year, unsigned month, unsigned day) const {
  const bool dom = (days_of_month_ >> day) & 1U;
  const bool dow = (days_of_week_ >> weekday_of(Civil{year, month, day, 0, 0})) & 1U;
  if (day_of_month_star_ || day_of_week_star_) return dom && dow;
  return dom || dow;
}

util::Time CronSchedule::next(util::Time after) const {
  using std::chrono::minutes;
  if (every_.count() > 0) {
    // robfig/cron's ConstantDelaySchedule: drop the sub-second part, add the delay.
    const auto subsecond = after - std::chrono::floor<std::chrono::seconds>(after);
    if (after > util::Time::max() - every_) return util::Time::max();
    return after + every_ - subsecond;
  }
  if (after >= util::Time::max() - minutes(2)) return util::Time::max();
  const auto first = std::chrono::floor<minutes>(after) + minutes(1);
  const auto first_day = std::chrono::floor<std::chrono::days>(first);
  const std::chrono::year_month_day ymd{first_day};
  const std::chrono::hh_mm_ss<std::chrono::minutes> clock{
      std::chrono::duration_cast<minutes>(first - first_day)};
  Civil c{static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
          static_cast<unsigned>(ymd.day()), static_cast<unsigned>(clock.hours().count()),
          static_cast<unsigned>(clock.minutes().count())};
  const int year_limit = c.year + kSearchYears;

  while (c.year <= year_limit) {
    if (((months_ >> c.month) & 1U) == 0) {
      c.day = 1;
      c.hour = c.minute = 0;
      if (++c.month > 12) {
        c.month = 1;
        ++c.year;
      }
      continue;
    }
    if (!day_matches(c.year, c.month, c.day)) {
      c.hour = c.minute = 0;
      if (++c.day > days_in(c.year, c.month)) {
        c.day = 1;
        if (++c.month > 12) {
          c.month = 1;
          ++c.year;
        }
      }
      continue;
    }
    if (((hours_ >> c.hour) & 1U) == 0) {
      c.minute = 0;
      if (++c.hour > 23) {
        c.hour = 0;
        ++c.day;  // re-checked (and wrapped) by the day step
        if (c.day > days_in(c.year, c.month)) {
          c.day = 1;
          if (++c.month > 12) {
            c.month = 1;
            ++c.year;
          }
        }
      }
      continue;
    }
    if (((minutes_ >> c.minute) & 1U) == 0) {
      if (++c.minute > 59) {
        c.minute = 0;
        if (++c.hour > 23) {
          c.hour = 0;
          if (++c.day > days_in(c.year, c.month)) {
            c.day = 1;
            if (++c.month > 12) {
              c.month = 1;
              ++c.year;
            }
          }
        }
      }
      continue;
    }
    // Beyond what util::Time can hold (2262-04-11) there is no next activation.
    const std::chrono::sys_days day{std::chrono::year{c.year} / std::chrono::month{c.month} /
                                    std::chrono::day{c.day}};
    const std::int64_t epoch_minutes =
        std::int64_t{day.time_since_epoch().count()} * 1440 + c.hour * 60 + c.minute;
    if (epoch_minutes > std::chrono::floor<minutes>(util::Time::max()).time_since_epoch().count()) {
      return util::Time::max();
    }
    return util::Time{minutes(epoch_minutes)};
  }
  return util::Time::max();
}

}  // namespace druid::api
