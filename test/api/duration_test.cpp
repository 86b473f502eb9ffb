#include "api/duration.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <regex>

namespace druid::api {
namespace {

using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::nanoseconds;
using std::chrono::seconds;

constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();

struct ParseCase {
  const char* input;
  nanoseconds expected;
};

TEST(DurationParse, AcceptsGoSyntax) {
  const ParseCase cases[] = {
      {"0", nanoseconds(0)},
      {"-0", nanoseconds(0)},
      {"+0", nanoseconds(0)},
      {"5s", seconds(5)},
      {"30s", seconds(30)},
      {"1478s", seconds(1478)},
      {"-5s", seconds(-5)},
      {"+5s", seconds(5)},
      {"-0s", nanoseconds(0)},
      {"5.0s", seconds(5)},
      {"5.6s", milliseconds(5600)},
      {"5.s", seconds(5)},
      {".5s", milliseconds(500)},
      {"1.004s", milliseconds(1004)},
      {"1.0040s", milliseconds(1004)},
      {"100.00100s", milliseconds(100001)},
      {"10ns", nanoseconds(10)},
      {"11us", microseconds(11)},
      {"12\xC2\xB5s", microseconds(12)},  // U+00B5 micro sign
      {"12\xCE\xBCs", microseconds(12)},  // U+03BC Greek mu
      {"13ms", milliseconds(13)},
      {"15m", minutes(15)},
      {"16h", hours(16)},
      {"3h30m", minutes(210)},
      {"10.5s4m", minutes(4) + milliseconds(10500)},
      {"-2m3.4s", -(minutes(2) + milliseconds(3400))},
      {"1h2m3s4ms5us6ns",
       hours(1) + minutes(2) + seconds(3) + milliseconds(4) + microseconds(5) + nanoseconds(6)},
      {"39h9m14.425s", hours(39) + minutes(9) + milliseconds(14425)},
      {"1h2m3s", hours(1) + minutes(2) + seconds(3)},
      {"3m735s", minutes(3) + seconds(735)},
      {"10h5m6m", hours(10) + minutes(11)},
      {"300ms", milliseconds(300)},
      {"-1.5h", -minutes(90)},
      {"52763797000ns", nanoseconds(52763797000)},
      {"0.3333333333333333333h", minutes(20)},
      {"9007199254740993ns", nanoseconds((std::int64_t{1} << 53) + 1)},
      {"9223372036854775807ns", nanoseconds(kMax)},
      {"9223372036854775.807us", nanoseconds(kMax)},
      {"9223372036s854ms775us807ns", nanoseconds(kMax)},
      {"-9223372036854775808ns", nanoseconds(kMin)},
      {"-9223372036854775.808us", nanoseconds(kMin)},
      {"-9223372036s854ms775us808ns", nanoseconds(kMin)},
      {"0.100000000000000000000h", minutes(6)},
      {"0.830103483285477580700h", minutes(49) + seconds(48) + nanoseconds(372539827)},
  };
  for (const auto& c : cases) {
    auto d = parse_duration(c.input);
    ASSERT_TRUE(d.has_value()) << c.input << ": " << d.error().message();
    EXPECT_EQ(d->value, c.expected) << c.input;
  }
}

struct ErrorCase {
  const char* input;
  const char* message;
};

TEST(DurationParse, RejectsWithGoMessages) {
  const ErrorCase cases[] = {
      {"", R"(time: invalid duration "")"},
      {"3", R"(time: missing unit in duration "3")"},
      {"5", R"(time: missing unit in duration "5")"},
      {"-", R"(time: invalid duration "-")"},
      {"+", R"(time: invalid duration "+")"},
      {"s", R"(time: invalid duration "s")"},
      {".", R"(time: invalid duration ".")"},
      {"-.", R"(time: invalid duration "-.")"},
      {".s", R"(time: invalid duration ".s")"},
      {"+.s", R"(time: invalid duration "+.s")"},
      {"--1", R"(time: invalid duration "--1")"},
      {"hms", R"(time: invalid duration "hms")"},
      {" 1s", R"(time: invalid duration " 1s")"},
      {"1d", R"(time: unknown unit "d" in duration "1d")"},
      {"1s ", R"(time: unknown unit "s " in duration "1s ")"},
      {"1h-2m", R"(time: unknown unit "h-" in duration "1h-2m")"},
      {"1.2.3", R"(time: missing unit in duration "1.2.3")"},
      {"5\xC3\xA4", R"(time: unknown unit "\xc3\xa4" in duration "5\xc3\xa4")"},
      {"\x85\x85", R"(time: invalid duration "\x85\x85")"},
      {"\xff"
       "ff",
       R"(time: invalid duration "\xffff")"},
      {"hello \xff"
       "ff world",
       R"(time: invalid duration "hello \xffff world")"},
      {"1\"s", R"(time: unknown unit "\"s" in duration "1\"s")"},
      {"9223372036854775808ns", R"(time: invalid duration "9223372036854775808ns")"},
      {"9223372036854775.808us", R"(time: invalid duration "9223372036854775.808us")"},
      {"9223372036854ms775us808ns", R"(time: invalid duration "9223372036854ms775us808ns")"},
      {"-9223372036854775809ns", R"(time: invalid duration "-9223372036854775809ns")"},
      {"2562048h", R"(time: invalid duration "2562048h")"},
      {"99999999999999999999999h", R"(time: invalid duration "99999999999999999999999h")"},
      {"2562047h2562047h", R"(time: invalid duration "2562047h2562047h")"},
  };
  for (const auto& c : cases) {
    auto d = parse_duration(c.input);
    ASSERT_FALSE(d.has_value()) << c.input;
    EXPECT_EQ(d.error().message(), c.message) << c.input;
    EXPECT_EQ(d.error().input, c.input);
  }
}

TEST(DurationFormat, PrintsLikeGo) {
  struct Case {
    nanoseconds value;
    const char* text;
  };
  const Case cases[] = {
      {nanoseconds(0), "0s"},
      {nanoseconds(1), "1ns"},
      {nanoseconds(1100), "1.1\xC2\xB5s"},
      {microseconds(1), "1\xC2\xB5s"},
      {microseconds(2200), "2.2ms"},
      {milliseconds(300), "300ms"},
      {milliseconds(3300), "3.3s"},
      {milliseconds(1500), "1.5s"},
      {seconds(90), "1m30s"},
      {seconds(300), "5m0s"},
      {minutes(4) + seconds(5), "4m5s"},
      {minutes(4) + milliseconds(5001), "4m5.001s"},
      {hours(5) + minutes(6) + milliseconds(7001), "5h6m7.001s"},
      {minutes(8) + nanoseconds(1), "8m0.000000001s"},
      {hours(12), "12h0m0s"},
      {seconds(43200), "12h0m0s"},
      {hours(24), "24h0m0s"},
      {-milliseconds(1500), "-1.5s"},
      {-nanoseconds(1), "-1ns"},
      {-hours(1), "-1h0m0s"},
      {nanoseconds(kMax), "2562047h47m16.854775807s"},
      {nanoseconds(kMin), "-2562047h47m16.854775808s"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(format_duration(c.value), c.text);
    EXPECT_EQ(Duration{c.value}.to_string(), c.text);
  }
}

TEST(DurationFormat, RoundTripsThroughParse) {
  for (const char* text : {"1h2m3.5s", "300ms", "-1.5h", "90s", "1.5s", "12h", "0", "1us"}) {
    auto first = parse_duration(text);
    ASSERT_TRUE(first.has_value()) << text;
    auto second = parse_duration(first->to_string());
    ASSERT_TRUE(second.has_value()) << first->to_string();
    EXPECT_EQ(first->value, second->value) << text;
  }
}

TEST(Duration, AccessorsAndOrdering) {
  auto d = parse_duration("-1.7s");
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->whole_seconds(), -1);
  EXPECT_DOUBLE_EQ(d->seconds(), -1.7);
  EXPECT_LT(*parse_duration("59s"), *parse_duration("1m"));
  EXPECT_EQ(*parse_duration("60s"), *parse_duration("1m"));
}

TEST(DurationPattern, MatchesTheCrdRegex) {
  const char* accepted[] = {"1h2m3s", "3m735s", "10h5m6m",    "0s",  "1.5s",
                            "300ms",  "1us",    "1\xC2\xB5s", "5ns", "1h0.5m"};
  const char* rejected[] = {"",       "0",   "hms", "-10h2m3s", "+1s",  "1",
                            "1.s",    ".5s", "1d",  "1h ",      " 1h",  "1\xCE\xBCs",
                            "1.2.3s", "h",   "1hh", "1h-2m",    "1e3s", "1 h"};
  const std::regex reference(kCrdDurationPattern, std::regex::ECMAScript);
  for (const char* text : accepted) {
    EXPECT_TRUE(matches_crd_duration_pattern(text)) << text;
    EXPECT_TRUE(std::regex_match(text, reference)) << text;
  }
  for (const char* text : rejected) {
    EXPECT_FALSE(matches_crd_duration_pattern(text)) << text;
    EXPECT_FALSE(std::regex_match(text, reference)) << text;
  }
}

TEST(DurationPattern, HandlesLongInputWithoutRecursion) {
  std::string text;
  for (int i = 0; i < 100000; ++i) text += "1s";
  EXPECT_TRUE(matches_crd_duration_pattern(text));
  EXPECT_FALSE(matches_crd_duration_pattern(text + "x"));
}

// apimachinery's duration.HumanDuration, as kubectl prints ages (the Etcd
// status messages and the test API server's tables use the same function).
TEST(HumanDuration, MatchesApimachinery) {
  struct Case {
    std::chrono::nanoseconds d;
    const char* text;
  };
  const Case cases[] = {
      {seconds(-5), "<invalid>"},
      {seconds(-3), "<invalid>"},
      {seconds(-2), "<invalid>"},
      {milliseconds(-1999), "0s"},
      {milliseconds(-1500), "0s"},
      {seconds(-1), "0s"},
      {seconds(0), "0s"},
      {milliseconds(999), "0s"},
      {seconds(45), "45s"},
      {seconds(119), "119s"},
      {seconds(120), "2m"},
      {seconds(192), "3m12s"},
      {seconds(310), "5m10s"},
      {minutes(9) + seconds(59), "9m59s"},
      {minutes(10) + seconds(30), "10m"},
      {minutes(179), "179m"},
      {hours(3), "3h"},
      {hours(5) + minutes(3), "5h3m"},
      {hours(7) + minutes(59), "7h59m"},
      {hours(8) + minutes(30), "8h"},
      {hours(47), "47h"},
      {hours(48), "2d"},
      {hours(52), "2d4h"},
      {hours(76), "3d4h"},
      {hours(24 * 8), "8d"},
      {hours(24 * 400), "400d"},
      {hours(24 * 729), "729d"},
      {hours(24 * 730), "2y"},
      {hours(24 * (365 * 2 + 20)), "2y20d"},
      {hours(24 * 760), "2y30d"},
      {hours(24 * 365 * 8), "8y"},
      {hours(24 * 365 * 9), "9y"},
      {hours(24 * 365 * 10 + 24 * 5), "10y"},
  };
  for (const auto& c : cases) EXPECT_EQ(human_duration(c.d), c.text) << c.d.count();
}

}  // namespace
}  // namespace druid::api
