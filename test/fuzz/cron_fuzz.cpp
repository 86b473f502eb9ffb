// Cron schedules (api/cron.hpp: fullSnapshotSchedule, defragmentationSchedule).
// A schedule that parses has a next activation strictly after any time (or
// none: Time::max()), on a whole minute for the 5-field form.

#include <chrono>

#include "api/cron.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = druid::fuzz::as_text(data, size);
  (void)druid::api::matches_crd_cron_pattern(text);
  auto schedule = druid::api::CronSchedule::parse(text);
  if (!schedule) return 0;
  using namespace std::chrono;
  // The epoch, a leap day's last second (with a fraction) and the end of a year.
  const druid::util::Time starts[] = {
      druid::util::Time{},
      sys_days{year{2024} / 2 / 29} + hours(23) + minutes(59) + seconds(59) + milliseconds(500),
      sys_days{year{2030} / 12 / 31} + hours(23) + minutes(59)};
  for (const auto after : starts) {
    const auto next = schedule->next(after);
    FUZZ_CHECK(next > after);
    if (next == druid::util::Time::max()) continue;
    if (!text.starts_with("@every")) FUZZ_CHECK(next == floor<minutes>(next));
  }
  return 0;
}
