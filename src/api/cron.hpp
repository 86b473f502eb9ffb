#pragma once
// The 5-field cron schedules of the CRD (fullSnapshotSchedule,
// defragmentationSchedule): check them against the CRD's pattern and compute
// activations with the semantics of robfig/cron's standard parser, which the
// upstream operator and etcd-backup-restore use (minute hour day-of-month month
// day-of-week; '*', 'a-b', '*/n', 'a/n', 'a-b/n'; day-of-week 0-6 with 0 = Sunday;
// when both day fields are restricted a day matches if either matches).
// Also as robfig/cron: comma lists ("1,15,30"), '?' as '*', month and weekday
// names ("jan", "mon-fri"), and the descriptors @yearly, @annually, @monthly,
// @weekly, @daily, @midnight, @hourly and "@every <duration>" (the CRD's pattern
// rejects them, the parser accepts them). Time-zone prefixes (TZ=, CRON_TZ=) are
// refused: schedules are evaluated in UTC.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/expected.hpp"
#include "util/parse_error.hpp"
#include "util/time.hpp"

namespace druid::api {

// The CRD's CRON pattern (upstream's api/core/v1alpha1/etcd.go), verbatim.
extern const char* const kCrdCronPattern;
bool matches_crd_cron_pattern(std::string_view text);

class CronSchedule {
 public:
  // Errors name the field and the reason, e.g.
  // `invalid cron schedule "61 * * * *": minute: 61 is above the maximum 59`.
  static util::Expected<CronSchedule, util::ParseError> parse(std::string_view text);

  // The first activation strictly after `after` (evaluated in UTC, to the minute:
  // seconds and below are zero). Like robfig/cron, the search looks at most
  // kSearchYears years ahead; a schedule with no activation in that window
  // (e.g. "0 0 31 2 *") returns util::Time::max() (robfig returns the zero time).
  // "@every d" returns `after` with its sub-second part dropped, plus d.
  util::Time next(util::Time after) const;

  static constexpr int kSearchYears = 5;

 private:
  static util::Expected<CronSchedule, util::ParseError> parse_descriptor(std::string_view text);
  bool day_matches(int year, unsigned month, unsigned day) const;

  // Set only for "@every <duration>" (whole seconds, at least 1s).
  std::chrono::nanoseconds every_{0};
  // Bit sets of allowed values per field.
  std::uint64_t minutes_ = 0;
  std::uint32_t hours_ = 0;
  std::uint32_t days_of_month_ = 0;
  std::uint16_t months_ = 0;
  std::uint8_t days_of_week_ = 0;
  bool day_of_month_star_ = false;
  bool day_of_week_star_ = false;
};

}  // namespace druid::api
