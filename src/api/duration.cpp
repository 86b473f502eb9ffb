#include "api/duration.hpp"

#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <optional>

#include "util/text.hpp"

namespace druid::api {
namespace {

constexpr std::uint64_t kMaxMagnitude = std::uint64_t{1} << 63;  // |INT64_MIN|

// Go's time-package quoting: printable ASCII as is (with '"' and '\' escaped),
// every other byte as \xNN.
std::string go_time_quote(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c < 0x20 || c >= 0x80) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
      continue;
    }
    if (c == '"' || c == '\\') out += '\\';
    out += static_cast<char>(c);
  }
  return out + "\"";
}

util::Unexpected<util::ParseError> invalid(std::string_view input) {
  return util::unexpected(
      util::ParseError{std::string(input), "time: invalid duration " + go_time_quote(input)});
}

std::optional<std::uint64_t> unit_nanos(std::string_view unit) {
  struct Unit {
    std::string_view name;
    std::uint64_t nanos;
  };
  static constexpr std::array<Unit, 8> kUnits{{
      {"ns", 1},
      {"us", 1'000},
      {"\xC2\xB5s", 1'000},  // U+00B5 micro sign
      {"\xCE\xBCs", 1'000},  // U+03BC Greek small letter mu
      {"ms", 1'000'000},
      {"s", 1'000'000'000},
      {"m", 60'000'000'000},
      {"h", 3'600'000'000'000},
  }};
  for (const auto& u : kUnits) {
    if (u.name == unit) return u.nanos;
  }
  return std::nullopt;
}

// Consumes [0-9]*; nullopt when the value exceeds 2^63 (Go's errLeadingInt).
std::optional<std::uint64_t> leading_int(std::string_view& s) {
  std::uint64_t x = 0;
  std::size_t i = 0;
  for (; i < s.size() && util::is_digit(s[i]); ++i) {
    if (x > kMaxMagnitude / 10) return std::nullopt;
    x = x * 10 + static_cast<std::uint64_t>(s[i] - '0');
    if (x > kMaxMagnitude) return std::nullopt;
  }
  s.remove_prefix(i);
  return x;
}

// Consumes [0-9]* after a '.', keeping as many digits as fit (Go's
// leadingFraction); the value is fraction / scale.
struct Fraction {
  std::uint64_t fraction = 0;
  double scale = 1;
};
Fraction leading_fraction(std::string_view& s) {
  Fraction f;
  bool overflow = false;
  std::size_t i = 0;
  for (; i < s.size() && util::is_digit(s[i]); ++i) {
    if (overflow) continue;
    if (f.fraction > (kMaxMagnitude - 1) / 10) {
      overflow = true;
      continue;
    }
    std::uint64_t y = f.fraction * 10 + static_cast<std::uint64_t>(s[i] - '0');
    if (y > kMaxMagnitude) {
      overflow = true;
      continue;
    }
    f.fraction = y;
    f.scale *= 10;
  }
  s.remove_prefix(i);
  return f;
}

// Writes the fraction of v / 10^precision (".12", trailing zeros dropped, no
// point when the fraction is zero) in front of out; returns v / 10^precision.
std::uint64_t prepend_fraction(std::string& out, std::uint64_t v, int precision) {
  bool print = false;
  std::string digits;
  for (int i = 0; i < precision; ++i) {
    auto digit = static_cast<char>('0' + v % 10);
    print = print || digit != '0';
    if (print) digits.insert(digits.begin(), digit);
    v /= 10;
  }
  if (print) out.insert(0, "." + digits);
  return v;
}

void prepend_int(std::string& out, std::uint64_t v) {
  out.insert(0, std::to_string(v));
}

}  // namespace

util::Expected<Duration, util::ParseError> parse_duration(std::string_view text) {
  std::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return Duration{};
  if (s.empty()) return invalid(text);

  std::uint64_t total = 0;
  while (!s.empty()) {
    if (!(s.front() == '.' || util::is_digit(s.front()))) return invalid(text);
    const std::size_t before_int = s.size();
    auto whole = leading_int(s);
    if (!whole) return invalid(text);
    const bool has_int = before_int != s.size();
    Fraction frac;
    bool has_frac = false;
    if (!s.empty() && s.front() == '.') {
      s.remove_prefix(1);
      const std::size_t before_frac = s.size();
      frac = leading_fraction(s);
      has_frac = before_frac != s.size();
    }
    if (!has_int && !has_frac) return invalid(text);

    std::size_t unit_len = 0;
    while (unit_len < s.size() && s[unit_len] != '.' && !util::is_digit(s[unit_len])) ++unit_len;
    if (unit_len == 0) {
      return util::unexpected(util::ParseError{
          std::string(text), "time: missing unit in duration " + go_time_quote(text)});
    }
    const std::string_view unit_text = s.substr(0, unit_len);
    s.remove_prefix(unit_len);
    auto unit = unit_nanos(unit_text);
    if (!unit) {
      return util::unexpected(
          util::ParseError{std::string(text), "time: unknown unit " + go_time_quote(unit_text) +
                                                  " in duration " + go_time_quote(text)});
    }
    std::uint64_t v = *whole;
    if (v > kMaxMagnitude / *unit) return invalid(text);
    v *= *unit;
    if (frac.fraction > 0) {
      // Go adds the fraction through float64 as well; kept for identical results.
      v += static_cast<std::uint64_t>(static_cast<double>(frac.fraction) *
                                      (static_cast<double>(*unit) / frac.scale));
      if (v > kMaxMagnitude) return invalid(text);
    }
    total += v;
    if (total > kMaxMagnitude) return invalid(text);
  }
  if (negative) {
    // total <= 2^63, so -total fits (INT64_MIN included).
    return Duration{std::chrono::nanoseconds(static_cast<std::int64_t>(~total + 1))};
  }
  if (total > kMaxMagnitude - 1) return invalid(text);
  return Duration{std::chrono::nanoseconds(static_cast<std::int64_t>(total))};
}

std::string format_duration(std::chrono::nanoseconds d) {
  const std::int64_t count = d.count();
  const bool negative = count < 0;
  std::uint64_t u = static_cast<std::uint64_t>(count);
  if (negative) u = ~u + 1;

  std::string out;
  if (u < 1'000'000'000) {
    // Below a second: the largest unit that keeps an integer part, e.g. 1.2ms.
    int precision = 0;
    if (u == 0) return "0s";
    if (u < 1'000) {
      out = "ns";
    } else if (u < 1'000'000) {
      precision = 3;
      out = "\xC2\xB5s";  // U+00B5, as Go prints it
    } else {
      precision = 6;
      out = "ms";
    }
    u = prepend_fraction(out, u, precision);
    prepend_int(out, u);
  } else {
    out = "s";
    u = prepend_fraction(out, u, 9);
    prepend_int(out, u % 60);
    u /= 60;
    if (u > 0) {
      out.insert(0, "m");
      prepend_int(out, u % 60);
      u /= 60;
      if (u > 0) {
        out.insert(0, "h");
        prepend_int(out, u);
      }
    }
  }
  if (negative) out.insert(0, "-");
  return out;
}

std::string Duration::to_string() const {
  return format_duration(value);
}

bool matches_crd_duration_pattern(std::string_view text) {
  // ^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$ without a regex engine: each unit
  // is followed by a digit or the end, so taking the longest unit never fails
  // where a shorter one would succeed.
  static constexpr std::array<std::string_view, 7> kUnits{"ns", "us", "\xC2\xB5s", "ms",
                                                          "s",  "m",  "h"};
  std::size_t i = 0;
  if (text.empty()) return false;
  while (i < text.size()) {
    const std::size_t digits_start = i;
    while (i < text.size() && util::is_digit(text[i])) ++i;
    if (i == digits_start) return false;
    if (i < text.size() && text[i] == '.') {
      const std::size_t frac_start = ++i;
      while (i < text.size() && util::is_digit(text[i])) ++i;
      if (i == frac_start) return false;
    }
    bool matched = false;
    for (std::string_view unit : kUnits) {
      if (text.substr(i, unit.size()) == unit) {
        i += unit.size();
        matched = true;
        break;
      }
    }
    if (!matched) return false;
  }
  return true;
}

std::string human_duration(std::chrono::nanoseconds d) {
  using std::chrono::hours;
  using std::chrono::minutes;
  using std::chrono::seconds;
  const auto secs = std::chrono::duration_cast<seconds>(d).count();  // truncates toward zero
  if (secs < -1) return "<invalid>";
  if (secs < 0) return "0s";
  if (secs < 60 * 2) return fmt::format("{}s", secs);
  const auto mins = std::chrono::duration_cast<minutes>(d).count();
  if (mins < 10) {
    const auto s = secs % 60;
    return s == 0 ? fmt::format("{}m", mins) : fmt::format("{}m{}s", mins, s);
  }
  if (mins < 60 * 3) return fmt::format("{}m", mins);
  const auto hrs = std::chrono::duration_cast<hours>(d).count();
  if (hrs < 8) {
    const auto m = mins % 60;
    return m == 0 ? fmt::format("{}h", hrs) : fmt::format("{}h{}m", hrs, m);
  }
  if (hrs < 48) return fmt::format("{}h", hrs);
  if (hrs < 24 * 8) {
    const auto h = hrs % 24;
    return h == 0 ? fmt::format("{}d", hrs / 24) : fmt::format("{}d{}h", hrs / 24, h);
  }
  if (hrs < 24 * 365 * 2) return fmt::format("{}d", hrs / 24);
  if (hrs < 24 * 365 * 8) {
    const auto dy = (hrs / 24) % 365;
    return dy == 0 ? fmt::format("{}y", hrs / 24 / 365) : fmt::format("{}y{}d", hrs / 24 / 365, dy);
  }
  return fmt::format("{}y", hrs / 24 / 365);
}

}  // namespace druid::api
