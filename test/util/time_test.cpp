#include "util/time.hpp"

#include <gtest/gtest.h>

namespace druid::util {
namespace {

using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::nanoseconds;
using std::chrono::seconds;

Time at(int y, unsigned m, unsigned d, int hh = 0, int mm = 0, int ss = 0) {
  return Time{std::chrono::sys_days{std::chrono::year{y} / m / d}} + hours(hh) + minutes(mm) +
         seconds(ss);
}

TEST(TimeParse, AcceptsRfc3339) {
  struct Case {
    const char* input;
    Time expected;
  };
  const Case cases[] = {
      {"2024-05-01T10:00:00Z", at(2024, 5, 1, 10)},
      {"2024-05-01t10:00:00z", at(2024, 5, 1, 10)},
      {"1970-01-01T00:00:00Z", Time{}},
      {"2024-05-01T10:00:00.123456Z", at(2024, 5, 1, 10) + microseconds(123456)},
      {"2024-05-01T10:00:00.5Z", at(2024, 5, 1, 10) + milliseconds(500)},
      {"2024-05-01T10:00:00.123456789Z", at(2024, 5, 1, 10) + nanoseconds(123456789)},
      // Digits beyond nanoseconds are dropped, as Go does.
      {"2024-05-01T10:00:00.1234567891234Z", at(2024, 5, 1, 10) + nanoseconds(123456789)},
      {"2024-05-01T12:30:00+02:30", at(2024, 5, 1, 10)},
      {"2024-05-01T07:00:00-03:00", at(2024, 5, 1, 10)},
      {"2024-05-01T10:00:00+00:00", at(2024, 5, 1, 10)},
      {"2024-02-29T23:59:59Z", at(2024, 2, 29, 23, 59, 59)},
      {"2000-02-29T00:00:00Z", at(2000, 2, 29)},
      {"1969-12-31T23:59:59.5Z", Time{} - milliseconds(500)},
      {"2024-01-01T00:30:00+01:00", at(2023, 12, 31, 23, 30)},
  };
  for (const auto& c : cases) {
    auto t = parse_rfc3339(c.input);
    ASSERT_TRUE(t.has_value()) << c.input << ": " << t.error().message();
    EXPECT_EQ(*t, c.expected) << c.input;
  }
}

TEST(TimeParse, RejectsWithReason) {
  struct Case {
    const char* input;
    const char* reason;
  };
  const char* layout = "expected the form 2006-01-02T15:04:05[.999999999](Z|±07:00)";
  const Case cases[] = {
      {"", "empty string"},
      {"2024-13-01T00:00:00Z", "month out of range"},
      {"2024-00-01T00:00:00Z", "month out of range"},
      {"2023-02-29T00:00:00Z", "day out of range"},
      {"1900-02-29T00:00:00Z", "day out of range"},
      {"2024-04-31T00:00:00Z", "day out of range"},
      {"2024-04-00T00:00:00Z", "day out of range"},
      {"2024-05-01T24:00:00Z", "hour out of range"},
      {"2024-05-01T10:60:00Z", "minute out of range"},
      {"2024-05-01T10:00:60Z", "second out of range"},
      {"2024-05-01T10:00:00", "missing time zone (Z or ±hh:mm)"},
      {"2024-05-01T10:00:00.Z", "missing fractional second digits after '.'"},
      {"2024-05-01T10:00:00+24:00", "time zone offset hour out of range"},
      {"2024-05-01T10:00:00+01:60", "time zone offset minute out of range"},
      {"2024-05-01T10:00:00+0100", layout},
      {"2024-05-01T10:00:00ZZ", layout},
      {"2024-05-01 10:00:00Z", layout},
      {"2024-5-01T10:00:00Z", layout},
      {"24-05-01T10:00:00Z", layout},
      {"2024-05-01", layout},
      {"yesterday", layout},
      {"2024-05-01T10:00:00Z ", layout},
      {"\xC3\xA9\xC3\xA9", layout},
      {"1600-01-01T00:00:00Z", "year out of the supported range (1678-2261)"},
      {"9999-12-31T23:59:59Z", "year out of the supported range (1678-2261)"},
  };
  for (const auto& c : cases) {
    auto t = parse_rfc3339(c.input);
    ASSERT_FALSE(t.has_value()) << c.input;
    EXPECT_EQ(t.error().message(),
              std::string("invalid RFC 3339 time \"") + c.input + "\": " + c.reason);
    EXPECT_EQ(t.error().input, c.input);
  }
}

TEST(TimeFormat, MetaV1TimeTruncatesToSeconds) {
  EXPECT_EQ(format_rfc3339(at(2024, 5, 1, 10)), "2024-05-01T10:00:00Z");
  EXPECT_EQ(format_rfc3339(at(2024, 5, 1, 10) + milliseconds(999)), "2024-05-01T10:00:00Z");
  EXPECT_EQ(format_rfc3339(Time{}), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_rfc3339(Time{} - milliseconds(500)), "1969-12-31T23:59:59Z");
  EXPECT_EQ(format_rfc3339(at(2000, 2, 29, 23, 59, 59)), "2000-02-29T23:59:59Z");
}

TEST(TimeFormat, MicroTimeHasSixDigits) {
  EXPECT_EQ(format_rfc3339_micro(at(2024, 5, 1, 10) + microseconds(123456)),
            "2024-05-01T10:00:00.123456Z");
  EXPECT_EQ(format_rfc3339_micro(at(2024, 5, 1, 10)), "2024-05-01T10:00:00.000000Z");
  EXPECT_EQ(format_rfc3339_micro(at(2024, 5, 1, 10) + nanoseconds(1999)),
            "2024-05-01T10:00:00.000001Z");
  EXPECT_EQ(format_rfc3339_micro(Time{} - nanoseconds(1)), "1969-12-31T23:59:59.999999Z");
}

TEST(TimeFormat, RoundTrips) {
  for (const char* text :
       {"2024-05-01T10:00:00Z", "1999-12-31T23:59:59Z", "2262-01-01T00:00:00Z"}) {
    auto t = parse_rfc3339(text);
    ASSERT_TRUE(t.has_value()) << text;
    EXPECT_EQ(format_rfc3339(*t), text);
  }
  auto micro = parse_rfc3339("2024-05-01T10:00:00.123456Z");
  ASSERT_TRUE(micro.has_value());
  EXPECT_EQ(format_rfc3339_micro(*micro), "2024-05-01T10:00:00.123456Z");
}

}  // namespace
}  // namespace druid::util
