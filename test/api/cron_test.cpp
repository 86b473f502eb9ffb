#include "api/cron.hpp"

#include <gtest/gtest.h>

#include <regex>

namespace druid::api {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

util::Time at(int y, unsigned m, unsigned d, int hh = 0, int mm = 0, int ss = 0) {
  return util::Time{std::chrono::sys_days{std::chrono::year{y} / m / d}} + hours(hh) + minutes(mm) +
         seconds(ss);
}

CronSchedule schedule(const char* text) {
  auto parsed = CronSchedule::parse(text);
  EXPECT_TRUE(parsed.has_value()) << text << ": " << parsed.error().message();
  return parsed.has_value() ? *parsed : CronSchedule{};
}

TEST(CronPattern, IsTheSpecRegexVerbatim) {
  EXPECT_STREQ(
      kCrdCronPattern,
      R"(^(\*|[1-5]?[0-9]|[1-5]?[0-9]-[1-5]?[0-9]|(?:[1-9]|[1-4][0-9]|5[0-9])\/(?:[1-9]|[1-4][0-9]|5[0-9]|60)|\*\/(?:[1-9]|[1-4][0-9]|5[0-9]|60))\s+(\*|[0-9]|1[0-9]|2[0-3]|[0-9]-(?:[0-9]|1[0-9]|2[0-3])|1[0-9]-(?:1[0-9]|2[0-3])|2[0-3]-2[0-3]|(?:[1-9]|1[0-9]|2[0-3])\/(?:[1-9]|1[0-9]|2[0-4])|\*\/(?:[1-9]|1[0-9]|2[0-4]))\s+(\*|[1-9]|[12][0-9]|3[01]|[1-9]-(?:[1-9]|[12][0-9]|3[01])|[12][0-9]-(?:[12][0-9]|3[01])|3[01]-3[01]|(?:[1-9]|[12][0-9]|30)\/(?:[1-9]|[12][0-9]|3[01])|\*\/(?:[1-9]|[12][0-9]|3[01]))\s+(\*|[1-9]|1[0-2]|[1-9]-(?:[1-9]|1[0-2])|1[0-2]-1[0-2]|(?:[1-9]|1[0-2])\/(?:[1-9]|1[0-2])|\*\/(?:[1-9]|1[0-2]))\s+(\*|[1-7]|[1-6]-[1-7]|[1-6]\/[1-7]|\*\/[1-7])$)");
}

TEST(CronPattern, AcceptsWhatTheCrdAccepts) {
  const char* accepted[] = {
      "* * * * *",
      "0 */24 * * *",
      "*/5 * * * *",
      "*/30 * * * *",
      "*/57 23 30/31 6-12 2/7",
      "0 21-22 30/31 11-12 2/7",
      "59 23 31 12 7",
      "0 0 1 1 1",
      "0-59 0-23 1-31 1-12 1-7",
      "*/60 */24 */31 */12 */7",
      "0\t0  *\n* *",
      "5/10 1/2 3/4 5/6 6/7",
  };
  for (const char* text : accepted) EXPECT_TRUE(matches_crd_cron_pattern(text)) << text;
}

TEST(CronPattern, RejectsWhatTheCrdRejects) {
  const char* rejected[] = {
      "",
      "61 23 * * *",
      "3 */24 12 *",
      "@daily",
      "@every 1h",
      "0 0 * * 0",
      "0 0 * * 0-7",
      "0 0 * * 8",
      "0 0 1,15 * *",
      "0 0 ? * *",
      "0 24 * * *",
      "0 0 0 * *",
      "0 0 32 * *",
      "0 0 * 0 *",
      "0 0 * 13 *",
      "0 0 * JAN *",
      "0 0 * * MON",
      " 0 0 * * *",
      "0 0 * * * ",
      "0 0 * * * *",
      "*/0 * * * *",
      "0 */25 * * *",
      "0\v0 * * * *",
      "60 * * * *",
      "0 0 * * 7-7",
  };
  for (const char* text : rejected) EXPECT_FALSE(matches_crd_cron_pattern(text)) << text;
}

TEST(CronPattern, AgreesWithStdRegexAndSurvivesLongInput) {
  const std::regex reference(kCrdCronPattern, std::regex::ECMAScript);
  for (const char* text : {"* * * * *", "0 */24 * * *", "61 23 * * *", "0 0 * * 0"}) {
    EXPECT_EQ(matches_crd_cron_pattern(text), std::regex_match(text, reference)) << text;
  }
  std::string spaced = "*" + std::string(100000, ' ') + "* * * *";
  EXPECT_TRUE(matches_crd_cron_pattern(spaced));
  EXPECT_FALSE(matches_crd_cron_pattern(std::string(100000, '1')));
}

TEST(CronParse, RejectsWithFieldAndReason) {
  struct Case {
    const char* input;
    const char* reason;
  };
  const Case cases[] = {
      {"", "empty spec string"},
      {"   ", "expected exactly 5 fields, found 0"},
      {"3 */24 12 *", "expected exactly 5 fields, found 4"},
      {"* * * * * *", "expected exactly 5 fields, found 6"},
      {"61 * * * *", "minute: 61 is above the maximum 59"},
      {"61 23 * * *", "minute: 61 is above the maximum 59"},
      {"0-60 * * * *", "minute: 60 is above the maximum 59"},
      {"* 24 * * *", "hour: 24 is above the maximum 23"},
      {"* * 0 * *", "day-of-month: 0 is below the minimum 1"},
      {"* * 32 * *", "day-of-month: 32 is above the maximum 31"},
      {"* * * 13 *", "month: 13 is above the maximum 12"},
      {"* * * 0 *", "month: 0 is below the minimum 1"},
      {"* * * * 7", "day-of-week: 7 is above the maximum 6"},
      {"0 0 * * 0-7", "day-of-week: 7 is above the maximum 6"},
      {"5-1 * * * *", "minute: beginning of range 5 is beyond its end 1"},
      {"*/0 * * * *", "minute: step of range should be a positive number: \"*/0\""},
      {"1-2-3 * * * *", "minute: too many hyphens in \"1-2-3\""},
      {"*/2/3 * * * *", "minute: too many slashes in \"*/2/3\""},
      {"x * * * *", "minute: \"x\" is not a number"},
      {"-1 * * * *", "minute: \"\" is not a number"},
      {"1.5 * * * *", "minute: \"1.5\" is not a number"},
      {"*/x * * * *", "minute: step \"x\" is not a number"},
      {"\xC3\xBC * * * *", "minute: \"\xC3\xBC\" is not a number"},
      {"99999999999999999999 * * * *", "minute: \"99999999999999999999\" is out of range"},
      {"99999 * * * *", "minute: 99999 is above the maximum 59"},
      {"* * * foo *", "month: \"foo\" is not a number or a name"},
      {"* * * * funday", "day-of-week: \"funday\" is not a number or a name"},
      {"@foo", "unrecognized descriptor"},
      {"@daily ", "unrecognized descriptor"},
      {"@every x", "failed to parse duration: time: invalid duration \"x\""},
      {"TZ=UTC 0 0 * * *", "time zone prefixes are not supported; schedules are evaluated in UTC"},
      {"CRON_TZ=Europe/Berlin 0 0 * * *",
       "time zone prefixes are not supported; schedules are evaluated in UTC"},
  };
  for (const auto& c : cases) {
    auto parsed = CronSchedule::parse(c.input);
    ASSERT_FALSE(parsed.has_value()) << c.input;
    EXPECT_EQ(parsed.error().message(),
              std::string("invalid cron schedule \"") + c.input + "\": " + c.reason);
    EXPECT_EQ(parsed.error().input, c.input);
  }
}

TEST(CronParse, AcceptsRobfigExtensions) {
  for (const char* text :
       {"0 0 1,15 * *", "0 0 ? * *", "30 2 * * mon-fri", "0 12 * JAN,jul *", "0 0 1,,15 * *",
        "+5 * * * *", "*-5 * * * *", "@hourly", "@daily", "@midnight", "@weekly", "@monthly",
        "@yearly", "@annually", "@every 1h30m", "0 0 * * 6", "0 */25 * * *"}) {
    EXPECT_TRUE(CronSchedule::parse(text).has_value()) << text;
  }
}

struct NextCase {
  const char* spec;
  util::Time after;
  util::Time expected;
};

TEST(CronNext, FindsTheFirstActivationStrictlyAfter) {
  const NextCase cases[] = {
      {"* * * * *", at(2024, 5, 1, 10, 0, 0), at(2024, 5, 1, 10, 1)},
      {"* * * * *", at(2024, 5, 1, 10, 0, 59) + milliseconds(999), at(2024, 5, 1, 10, 1)},
      {"*/30 * * * *", at(2024, 5, 1, 10, 0, 0), at(2024, 5, 1, 10, 30)},
      {"*/30 * * * *", at(2024, 5, 1, 10, 15, 30), at(2024, 5, 1, 10, 30)},
      {"*/30 * * * *", at(2024, 5, 1, 23, 45), at(2024, 5, 2, 0, 0)},
      {"0 */24 * * *", at(2024, 5, 1, 10), at(2024, 5, 2)},
      {"0 */24 * * *", at(2024, 5, 2), at(2024, 5, 3)},
      {"0 */6 * * *", at(2024, 5, 1, 10), at(2024, 5, 1, 12)},
      {"5/15 * * * *", at(2024, 5, 1, 10, 21), at(2024, 5, 1, 10, 35)},
      {"0 0 1 1 *", at(2024, 12, 31, 23, 59), at(2025, 1, 1)},
      {"0 0 29 2 *", at(2024, 3, 1), at(2028, 2, 29)},
      {"0 0 31 * *", at(2024, 4, 1), at(2024, 5, 31)},
      // Both day fields restricted: either matches (1st of month or a Monday).
      {"0 0 1 * 1", at(2024, 5, 1), at(2024, 5, 6)},
      {"0 0 1 * 1", at(2024, 5, 27), at(2024, 6, 1)},
      // One day field is '*': both must match, so only Mondays.
      {"0 0 * * 1", at(2024, 5, 1), at(2024, 5, 6)},
      // "*/1" still counts as '*' (robfig keeps the star bit for step 1).
      {"0 0 */1 * 1", at(2024, 5, 1), at(2024, 5, 6)},
      {"0 0 */2 * 1", at(2024, 5, 1), at(2024, 5, 3)},
      {"30 2 * * mon-fri", at(2024, 5, 3, 3), at(2024, 5, 6, 2, 30)},
      {"0 12 * JAN,jul *", at(2024, 5, 1), at(2024, 7, 1, 12)},
      {"*/57 23 30/31 6-12 2/7", at(2024, 5, 1), at(2024, 6, 4, 23)},
      {"0 21-22 30/31 11-12 2/7", at(2024, 5, 1), at(2024, 11, 5, 21)},
      {"@hourly", at(2024, 5, 1, 10, 30), at(2024, 5, 1, 11)},
      {"@daily", at(2024, 5, 1, 10), at(2024, 5, 2)},
      {"@weekly", at(2024, 5, 1), at(2024, 5, 5)},
      {"@monthly", at(2024, 5, 1), at(2024, 6, 1)},
      {"@yearly", at(2024, 5, 1), at(2025, 1, 1)},
      {"@every 90s", at(2024, 5, 1, 10) + milliseconds(500), at(2024, 5, 1, 10, 1, 30)},
      {"@every 500ms", at(2024, 5, 1, 10), at(2024, 5, 1, 10, 0, 1)},
      {"0 0 1 1 *", util::Time{} - hours(1), util::Time{}},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(schedule(c.spec).next(c.after), c.expected)
        << c.spec << " after " << util::format_rfc3339(c.after) << " gave "
        << util::format_rfc3339(schedule(c.spec).next(c.after));
  }
}

TEST(CronNext, ImpossibleSchedulesReturnTimeMax) {
  EXPECT_EQ(schedule("0 0 31 2 *").next(at(2024, 1, 1)), util::Time::max());
  EXPECT_EQ(schedule("0 0 30 2 *").next(at(2024, 1, 1)), util::Time::max());
  EXPECT_EQ(schedule("0 0 1,,1 * *").next(util::Time::max() - minutes(1)), util::Time::max());
  EXPECT_EQ(schedule("* * * * *").next(at(2262, 4, 11, 23, 47)), util::Time::max());
  EXPECT_EQ(schedule("* * * * *").next(at(2261, 12, 31, 23, 59)), at(2262, 1, 1));
  // "," parses (robfig drops empty list entries) and matches nothing.
  EXPECT_EQ(schedule(", * * * *").next(at(2024, 1, 1)), util::Time::max());
}

TEST(CronNext, GapBetweenActivationsGivesTheSnapshotInterval) {
  struct Case {
    const char* spec;
    std::chrono::nanoseconds gap;
  };
  const Case cases[] = {
      {"0 */24 * * *", hours(24)},  {"*/30 * * * *", minutes(30)}, {"0 */12 * * *", hours(12)},
      {"0 0 * * 1", hours(24 * 7)}, {"@hourly", hours(1)},
  };
  const util::Time now = at(2024, 5, 1, 10, 17, 3);
  for (const auto& c : cases) {
    const auto s = schedule(c.spec);
    const util::Time first = s.next(now);
    EXPECT_EQ(s.next(first) - first, c.gap) << c.spec;
  }
}

}  // namespace
}  // namespace druid::api
