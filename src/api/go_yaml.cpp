#include "api/go_yaml.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <regex>
#include <string_view>
#include <vector>

#include "util/go_json.hpp"

namespace druid::api {

namespace {

// ---------------------------------------------------------------------------
// What yaml.v2 would read a plain scalar as (its resolve.go). A string is
// written plain only when it would be read back as the same string.
// ---------------------------------------------------------------------------

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool is_ascii_digit(char c) {
  return c >= '0' && c <= '9';
}

// The plain scalars yaml.v2 maps to booleans, null, special floats and merge.
bool in_resolve_map(std::string_view s) {
  static constexpr std::string_view kWords[] = {
      "y",    "Y",    "yes",  "Yes",   "YES",   "true",  "True",  "TRUE",  "on",    "On",
      "ON",   "n",    "N",    "no",    "No",    "NO",    "false", "False", "FALSE", "off",
      "Off",  "OFF",  "",     "~",     "null",  "Null",  "NULL",  ".nan",  ".NaN",  ".NAN",
      ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", "<<"};
  return std::find(std::begin(kWords), std::end(kWords), s) != std::end(kWords);
}

// yaml.v2's first-character hint: 'S'ign, 'D'igit, 'M'ap word, '.', or none.
char resolve_hint(char c) {
  if (c == '+' || c == '-') return 'S';
  if (is_ascii_digit(c)) return 'D';
  switch (c) {
    case 'y':
    case 'Y':
    case 'n':
    case 'N':
    case 't':
    case 'T':
    case 'f':
    case 'F':
    case 'o':
    case 'O':
    case '~':
      return 'M';
    case '.':
      return '.';
    default:
      return 0;
  }
}

enum class NumStatus { kOk, kSyntax, kRange };

struct UintParse {
  NumStatus status = NumStatus::kSyntax;
  std::uint64_t value = 0;
};

// Go's strconv.ParseUint(s, base, 64) on a string without underscores;
// base 0 reads the 0b/0o/0x/0 prefixes.
UintParse go_parse_uint(std::string_view s, int base) {
  UintParse result;
  if (s.empty()) return result;
  if (base == 0) {
    base = 10;
    if (s[0] == '0') {
      if (s.size() >= 3 && lower(s[1]) == 'b') {
        base = 2;
        s.remove_prefix(2);
      } else if (s.size() >= 3 && lower(s[1]) == 'o') {
        base = 8;
        s.remove_prefix(2);
      } else if (s.size() >= 3 && lower(s[1]) == 'x') {
        base = 16;
        s.remove_prefix(2);
      } else {
        base = 8;
        s.remove_prefix(1);
      }
    }
  }
  std::uint64_t n = 0;
  for (const char c : s) {
    int digit = 99;
    if (is_ascii_digit(c)) {
      digit = c - '0';
    } else if (lower(c) >= 'a' && lower(c) <= 'z') {
      digit = lower(c) - 'a' + 10;
    }
    if (digit >= base) return result;  // syntax error
    const auto b = static_cast<std::uint64_t>(base);
    const auto d = static_cast<std::uint64_t>(digit);
    if (n > (UINT64_MAX - d) / b) {
      result.status = NumStatus::kRange;  // Go stops at the first overflow
      return result;
    }
    n = n * b + d;
  }
  result.status = NumStatus::kOk;
  result.value = n;
  return result;
}

// Go's strconv.ParseInt(s, base, 64) succeeds (no underscores in s).
bool go_parse_int_ok(std::string_view s, int base) {
  if (s.empty()) return false;
  bool negative = false;
  if (s[0] == '+') {
    s.remove_prefix(1);
  } else if (s[0] == '-') {
    negative = true;
    s.remove_prefix(1);
  }
  const UintParse parsed = go_parse_uint(s, base);
  if (parsed.status != NumStatus::kOk) return false;
  constexpr std::uint64_t kCutoff = std::uint64_t{1} << 63;
  return negative ? parsed.value <= kCutoff : parsed.value < kCutoff;
}

// strconv's underscoreOK: underscores only between digits (or after a base
// prefix), never trailing.
bool go_underscores_ok(std::string_view s) {
  char saw = '^';
  std::size_t i = 0;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  bool hex = false;
  if (s.size() >= 2 && s[0] == '0' &&
      (lower(s[1]) == 'b' || lower(s[1]) == 'o' || lower(s[1]) == 'x')) {
    i = 2;
    saw = '0';
    hex = lower(s[1]) == 'x';
  }
  for (; i < s.size(); ++i) {
    if (is_ascii_digit(s[i]) || (hex && lower(s[i]) >= 'a' && lower(s[i]) <= 'f')) {
      saw = '0';
      continue;
    }
    if (s[i] == '_') {
      if (saw != '0') return false;
      saw = '_';
      continue;
    }
    if (saw == '_') return false;
    saw = '!';
  }
  return saw != '_';
}

// A decimal value that Go's ParseFloat would accept without a range error.
bool finite_decimal(std::string_view digits_without_underscores) {
  const std::string text(digits_without_underscores);
  const double value = std::strtod(text.c_str(), nullptr);
  return std::isfinite(value);
}

// Go's strconv.ParseFloat(s, 64) succeeds, for a string starting with '.'
// (the only case yaml.v2 hands it unmodified): `.digits[e[+-]digits]`,
// underscores between digits allowed, overflow refused.
bool go_parse_dot_float_ok(std::string_view s) {
  std::size_t i = 0;
  bool saw_dot = false;
  bool saw_digits = false;
  bool underscores = false;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '_') {
      underscores = true;
    } else if (c == '.') {
      if (saw_dot) break;
      saw_dot = true;
    } else if (is_ascii_digit(c)) {
      saw_digits = true;
    } else {
      break;
    }
  }
  if (!saw_digits) return false;
  if (i < s.size() && lower(s[i]) == 'e') {
    ++i;
    if (i >= s.size()) return false;
    if (s[i] == '+' || s[i] == '-') ++i;
    if (i >= s.size() || !is_ascii_digit(s[i])) return false;
    for (; i < s.size() && (is_ascii_digit(s[i]) || s[i] == '_'); ++i) {
      if (s[i] == '_') underscores = true;
    }
  }
  if (i != s.size()) return false;
  if (underscores && !go_underscores_ok(s)) return false;
  std::string plain(s);
  std::erase(plain, '_');
  return finite_decimal(plain);
}

bool yaml_style_float(const std::string& s) {
  static const std::regex kPattern(R"(^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$)");
  return std::regex_match(s, kPattern);
}

// Base 60 floats (YAML 1.1's "1:20") are quoted on the way out.
bool is_base60_float(std::string_view s) {
  if (s.empty()) return false;
  const char c = s[0];
  if (!(c == '+' || c == '-' || is_ascii_digit(c)) || s.find(':') == std::string_view::npos) {
    return false;
  }
  static const std::regex kPattern(R"(^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$)");
  return std::regex_match(std::string(s), kPattern);
}

// --- Go's time.Parse for the four layouts yaml.v2 tries -------------------

// Go's getnum: one digit, or two when a second follows (exactly two if fixed).
std::optional<int> take_number(std::string_view& value, bool fixed) {
  if (value.empty() || !is_ascii_digit(value[0])) return std::nullopt;
  if (value.size() < 2 || !is_ascii_digit(value[1])) {
    if (fixed) return std::nullopt;
    const int n = value[0] - '0';
    value.remove_prefix(1);
    return n;
  }
  const int n = (value[0] - '0') * 10 + (value[1] - '0');
  value.remove_prefix(2);
  return n;
}

bool take_literal(std::string_view& value, char literal) {
  if (literal == ' ') {
    // A layout space matches a run of spaces.
    if (!value.empty() && value[0] != ' ') return false;
    while (!value.empty() && value[0] == ' ') value.remove_prefix(1);
    return true;
  }
  if (value.empty() || value[0] != literal) return false;
  value.remove_prefix(1);
  return true;
}

int days_in_month(int month, int year) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) return 29;
  return kDays[month - 1];
}

// "2006-1-2", then optionally `<separator>15:4:5.999999999` and a zone
// ("Z07:00"), as time.Parse reads those layouts.
bool parses_as_timestamp_layout(std::string_view value, char separator, bool with_time,
                                bool with_zone) {
  if (value.size() < 4) return false;
  int year = 0;
  for (int k = 0; k < 4; ++k) {
    if (!is_ascii_digit(value[k])) return false;
    year = year * 10 + (value[k] - '0');
  }
  value.remove_prefix(4);
  if (!take_literal(value, '-')) return false;
  const auto month = take_number(value, false);
  if (!month || *month < 1 || *month > 12) return false;
  if (!take_literal(value, '-')) return false;
  const auto day = take_number(value, false);
  if (!day) return false;
  if (with_time) {
    if (!take_literal(value, separator)) return false;
    const auto hour = take_number(value, false);
    if (!hour || *hour >= 24) return false;
    if (!take_literal(value, ':')) return false;
    const auto minute = take_number(value, false);
    if (!minute || *minute >= 60) return false;
    if (!take_literal(value, ':')) return false;
    const auto second = take_number(value, false);
    if (!second || *second >= 60) return false;
    // Optional fraction: '.' or ',' and any number of digits.
    if (value.size() >= 2 && (value[0] == '.' || value[0] == ',') && is_ascii_digit(value[1])) {
      std::size_t n = 1;
      while (n < value.size() && is_ascii_digit(value[n])) ++n;
      value.remove_prefix(n);
    }
    if (with_zone) {
      if (!value.empty() && value[0] == 'Z') {
        value.remove_prefix(1);
      } else {
        if (value.size() < 6 || value[3] != ':') return false;
        std::string_view hours = value.substr(1, 2);
        std::string_view minutes = value.substr(4, 2);
        const auto zone_hours = take_number(hours, true);
        const auto zone_minutes = take_number(minutes, true);
        if (!zone_hours || !zone_minutes || *zone_hours > 24 || *zone_minutes > 60) return false;
        if (value[0] != '+' && value[0] != '-') return false;
        value.remove_prefix(6);
      }
    }
  }
  if (!value.empty()) return false;
  return *day >= 1 && *day <= days_in_month(*month, year);
}

// yaml.v2's parseTimestamp.
bool parses_as_timestamp(std::string_view s) {
  if (s.size() < 5) return false;
  for (int k = 0; k < 4; ++k) {
    if (!is_ascii_digit(s[k])) return false;
  }
  if (s[4] != '-') return false;
  return parses_as_timestamp_layout(s, 'T', true, true) ||
         parses_as_timestamp_layout(s, 't', true, true) ||
         parses_as_timestamp_layout(s, ' ', true, false) ||
         parses_as_timestamp_layout(s, ' ', false, false);
}

// Integers yaml.v2 reads in a plain scalar starting with a digit or sign
// (underscores already removed): Go base-0 integers of any size, and the
// "0b±digits" forms its binary fallback accepts.
bool reads_as_integer(std::string_view plain) {
  if (go_parse_int_ok(plain, 0)) return true;
  if (go_parse_uint(plain, 0).status == NumStatus::kOk) return true;
  if (plain.starts_with("0b")) {
    const auto digits = plain.substr(2);
    if (go_parse_int_ok(digits, 2) || go_parse_uint(digits, 2).status == NumStatus::kOk) {
      return true;
    }
  } else if (plain.starts_with("-0b")) {
    if (go_parse_int_ok(std::string("-") + std::string(plain.substr(3)), 2)) return true;
  }
  return false;
}

// resolve("", s) == !!str: s would be read back as this string.
bool resolves_as_string(std::string_view s) {
  if (s.empty()) return false;  // null
  const char hint = resolve_hint(s[0]);
  if (hint == 0) return true;
  if (in_resolve_map(s)) return false;
  switch (hint) {
    case '.':
      return !go_parse_dot_float_ok(s);
    case 'D':
    case 'S': {
      if (parses_as_timestamp(s)) return false;
      std::string plain(s);
      std::erase(plain, '_');
      if (reads_as_integer(plain)) return false;
      if (yaml_style_float(plain) && finite_decimal(plain)) return false;
      return true;
    }
    default:  // 'M': only the words of the map mean something else
      return true;
  }
}

// ---------------------------------------------------------------------------
// Scalars as yaml.v2 receives them from Go's JSON.
// ---------------------------------------------------------------------------

enum class Style { kPlain, kSingleQuoted, kDoubleQuoted, kLiteral };

struct Scalar {
  std::string text;
  Style requested = Style::kPlain;
};

// A float64 after Go's JSON: yaml.v2 reads integral text as an integer.
std::string float_text(double value) {
  const std::string json_text = util::go_json_float(value);
  if (json_text.find_first_of(".eE") != std::string::npos) return util::go_format_float(value, 'g');
  const char* begin = json_text.data();
  const char* end = begin + json_text.size();
  if (json_text[0] == '-') {
    std::int64_t integer = 0;
    const auto parsed = std::from_chars(begin, end, integer);
    if (parsed.ec == std::errc() && parsed.ptr == end) return std::to_string(integer);  // "-0" is 0
  } else {
    std::uint64_t integer = 0;
    const auto parsed = std::from_chars(begin, end, integer);
    if (parsed.ec == std::errc() && parsed.ptr == end) return json_text;
  }
  return util::go_format_float(value, 'g');  // beyond 64 bits: read as a float
}

// yaml.v2's encoder choice for a string (encode.go stringv).
Scalar string_scalar(std::string text) {
  Style style = Style::kDoubleQuoted;
  if (text.find('\n') != std::string::npos) {
    style = Style::kLiteral;
  } else if (resolves_as_string(text) && !is_base60_float(text)) {
    style = Style::kPlain;
  }
  return {std::move(text), style};
}

Scalar scalar_of(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::boolean:
      return {value.get<bool>() ? "true" : "false", Style::kPlain};
    case nlohmann::json::value_t::number_integer:
      return {std::to_string(value.get<std::int64_t>()), Style::kPlain};
    case nlohmann::json::value_t::number_unsigned:
      return {std::to_string(value.get<std::uint64_t>()), Style::kPlain};
    case nlohmann::json::value_t::number_float:
      return {float_text(value.get<double>()), Style::kPlain};
    case nlohmann::json::value_t::string:
      return string_scalar(value.get<std::string>());
    default:
      return {"null", Style::kPlain};
  }
}

// ---------------------------------------------------------------------------
// yaml.v2's map key order (sorter.go), on runes.
// ---------------------------------------------------------------------------

std::u32string runes_of(std::string_view text) {
  std::u32string runes;
  for (std::size_t i = 0; i < text.size();) {
    const auto b0 = static_cast<unsigned char>(text[i]);
    std::size_t width = 1;
    char32_t rune = b0;
    if (b0 >= 0xF0) {
      width = 4;
      rune = b0 & 0x07;
    } else if (b0 >= 0xE0) {
      width = 3;
      rune = b0 & 0x0F;
    } else if (b0 >= 0xC0) {
      width = 2;
      rune = b0 & 0x1F;
    }
    for (std::size_t k = 1; k < width && i + k < text.size(); ++k) {
      rune = (rune << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
    }
    runes += rune;
    i += width;
  }
  return runes;
}

bool rune_is_letter(char32_t r) {
  return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || r >= 0x80;
}

bool rune_is_digit(char32_t r) {
  return r >= '0' && r <= '9';
}

bool yaml_key_less(const std::u32string& a, const std::u32string& b) {
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
    if (a[i] == b[i]) continue;
    const bool a_letter = rune_is_letter(a[i]);
    const bool b_letter = rune_is_letter(b[i]);
    if (a_letter && b_letter) return a[i] < b[i];
    if (a_letter || b_letter) return b_letter;
    // Runs of digits compare by value (Go's int64, wrapping like Go's).
    std::uint64_t an = 0;
    std::uint64_t bn = 0;
    if (a[i] == '0' || b[i] == '0') {
      for (std::size_t j = i; j-- > 0 && rune_is_digit(a[j]);) {
        if (a[j] != '0') {
          an = 1;
          bn = 1;
          break;
        }
      }
    }
    std::size_t ai = i;
    for (; ai < a.size() && rune_is_digit(a[ai]); ++ai) an = an * 10 + (a[ai] - '0');
    std::size_t bi = i;
    for (; bi < b.size() && rune_is_digit(b[bi]); ++bi) bn = bn * 10 + (b[bi] - '0');
    if (an != bn) return static_cast<std::int64_t>(an) < static_cast<std::int64_t>(bn);
    if (ai != bi) return ai < bi;
    return a[i] < b[i];
  }
  return a.size() < b.size();
}

// ---------------------------------------------------------------------------
// yaml.v2's emitter (emitterc.go), for the events its encoder sends for JSON
// values: block mappings and sequences, {} and [] for empty ones, scalars.
// ---------------------------------------------------------------------------

constexpr int kBestIndent = 2;
constexpr int kBestWidth = 80;

unsigned char byte_at(std::string_view v, std::size_t i) {
  return i < v.size() ? static_cast<unsigned char>(v[i]) : 0;
}

std::size_t char_width(unsigned char b) {
  if ((b & 0x80) == 0x00) return 1;
  if ((b & 0xE0) == 0xC0) return 2;
  if ((b & 0xF0) == 0xE0) return 3;
  if ((b & 0xF8) == 0xF0) return 4;
  return 1;
}

bool is_space(std::string_view v, std::size_t i) {
  return byte_at(v, i) == ' ';
}

bool is_blank(std::string_view v, std::size_t i) {
  return byte_at(v, i) == ' ' || byte_at(v, i) == '\t';
}

bool is_break(std::string_view v, std::size_t i) {
  const unsigned char b0 = byte_at(v, i);
  const unsigned char b1 = byte_at(v, i + 1);
  const unsigned char b2 = byte_at(v, i + 2);
  return b0 == '\r' || b0 == '\n' || (b0 == 0xC2 && b1 == 0x85) ||
         (b0 == 0xE2 && b1 == 0x80 && (b2 == 0xA8 || b2 == 0xA9));
}

bool is_blankz(std::string_view v, std::size_t i) {
  return is_blank(v, i) || is_break(v, i) || byte_at(v, i) == 0;
}

bool is_printable(std::string_view v, std::size_t i) {
  const unsigned char b0 = byte_at(v, i);
  const unsigned char b1 = byte_at(v, i + 1);
  const unsigned char b2 = byte_at(v, i + 2);
  return b0 == 0x0A || (b0 >= 0x20 && b0 <= 0x7E) || (b0 == 0xC2 && b1 >= 0xA0) ||
         (b0 > 0xC2 && b0 < 0xED) || (b0 == 0xED && b1 < 0xA0) || b0 == 0xEE ||
         (b0 == 0xEF && !(b1 == 0xBB && b2 == 0xBF) && !(b1 == 0xBF && (b2 == 0xBE || b2 == 0xBF)));
}

// yaml.v2's is_bom looks at the start of the value whatever the position, so
// every character of a value that starts with U+FEFF is escaped.
bool is_bom(std::string_view v) {
  return byte_at(v, 0) == 0xEF && byte_at(v, 1) == 0xBB && byte_at(v, 2) == 0xBF;
}

struct ScalarAnalysis {
  bool multiline = false;
  bool flow_plain_allowed = false;
  bool block_plain_allowed = true;
  bool single_quoted_allowed = true;
  bool block_allowed = false;
};

// yaml_emitter_analyze_scalar (unicode output enabled).
ScalarAnalysis analyze_scalar(std::string_view value) {
  ScalarAnalysis analysis;
  if (value.empty()) return analysis;

  bool block_indicators = false;
  bool flow_indicators = false;
  bool line_breaks = false;
  bool special_characters = false;
  bool leading_space = false;
  bool leading_break = false;
  bool trailing_space = false;
  bool trailing_break = false;
  bool break_space = false;
  bool space_break = false;
  bool previous_space = false;
  bool previous_break = false;

  if (value.starts_with("---") || value.starts_with("...")) {
    block_indicators = true;
    flow_indicators = true;
  }

  bool preceded_by_whitespace = true;
  for (std::size_t i = 0, w = 0; i < value.size(); i += w) {
    w = char_width(byte_at(value, i));
    const bool followed_by_whitespace = i + w >= value.size() || is_blank(value, i + w);
    const char c = value[i];
    if (i == 0) {
      switch (c) {
        case '#':
        case ',':
        case '[':
        case ']':
        case '{':
        case '}':
        case '&':
        case '*':
        case '!':
        case '|':
        case '>':
        case '\'':
        case '"':
        case '%':
        case '@':
        case '`':
          flow_indicators = true;
          block_indicators = true;
          break;
        case '?':
        case ':':
          flow_indicators = true;
          if (followed_by_whitespace) block_indicators = true;
          break;
        case '-':
          if (followed_by_whitespace) {
            flow_indicators = true;
            block_indicators = true;
          }
          break;
        default:
          break;
      }
    } else {
      switch (c) {
        case ',':
        case '?':
        case '[':
        case ']':
        case '{':
        case '}':
          flow_indicators = true;
          break;
        case ':':
          flow_indicators = true;
          if (followed_by_whitespace) block_indicators = true;
          break;
        case '#':
          if (preceded_by_whitespace) {
            flow_indicators = true;
            block_indicators = true;
          }
          break;
        default:
          break;
      }
    }

    if (!is_printable(value, i)) special_characters = true;
    if (is_space(value, i)) {
      if (i == 0) leading_space = true;
      if (i + w == value.size()) trailing_space = true;
      if (previous_break) break_space = true;
      previous_space = true;
      previous_break = false;
    } else if (is_break(value, i)) {
      line_breaks = true;
      if (i == 0) leading_break = true;
      if (i + w == value.size()) trailing_break = true;
      if (previous_space) space_break = true;
      previous_space = false;
      previous_break = true;
    } else {
      previous_space = false;
      previous_break = false;
    }
    preceded_by_whitespace = is_blankz(value, i);
  }

  analysis.multiline = line_breaks;
  analysis.flow_plain_allowed = true;
  analysis.block_plain_allowed = true;
  analysis.single_quoted_allowed = true;
  analysis.block_allowed = true;
  if (leading_space || leading_break || trailing_space || trailing_break) {
    analysis.flow_plain_allowed = false;
    analysis.block_plain_allowed = false;
  }
  if (trailing_space) analysis.block_allowed = false;
  if (break_space) {
    analysis.flow_plain_allowed = false;
    analysis.block_plain_allowed = false;
    analysis.single_quoted_allowed = false;
  }
  if (space_break || special_characters) {
    analysis.flow_plain_allowed = false;
    analysis.block_plain_allowed = false;
    analysis.single_quoted_allowed = false;
    analysis.block_allowed = false;
  }
  if (line_breaks) {
    analysis.flow_plain_allowed = false;
    analysis.block_plain_allowed = false;
  }
  if (flow_indicators) analysis.flow_plain_allowed = false;
  if (block_indicators) analysis.block_plain_allowed = false;
  return analysis;
}

// yaml_emitter_check_simple_key for a scalar key.
bool is_simple_key(std::string_view key) {
  return !analyze_scalar(key).multiline && key.size() <= 128;
}

class Emitter {
 public:
  std::string document(const nlohmann::json& root) {
    emit_node(root, /*root=*/true, /*sequence=*/false, /*mapping=*/false, /*simple_key=*/false);
    write_indent();  // DOCUMENT-END (implicit: no "...")
    return std::move(out_);
  }

 private:
  // yaml_emitter_emit_node; the root and sequence contexts only matter for
  // features JSON values never use (open-ended documents, flow collections).
  void emit_node(const nlohmann::json& node, bool root, bool sequence, bool mapping,
                 bool simple_key) {
    (void)root;
    (void)sequence;
    mapping_context_ = mapping;
    simple_key_context_ = simple_key;
    if (node.is_array()) {
      emit_sequence(node);
    } else if (node.is_object()) {
      emit_mapping(node);
    } else {
      emit_scalar(scalar_of(node));
    }
  }

  // An empty collection is written in flow style: "[]" or "{}".
  void emit_empty_flow(const char* open, const char* close) {
    write_indicator(open, true, true, false);
    write_indicator(close, false, false, false);
  }

  void emit_sequence(const nlohmann::json& sequence) {
    if (sequence.empty()) {
      emit_empty_flow("[", "]");
      return;
    }
    // A sequence that is a mapping's value sits at the mapping's indentation.
    increase_indent(false, mapping_context_ && !indention_);
    for (const auto& item : sequence) {
      write_indent();
      write_indicator("-", true, false, true);
      emit_node(item, false, true, false, false);
    }
    pop_indent();
  }

  void emit_mapping(const nlohmann::json& mapping) {
    if (mapping.empty()) {
      emit_empty_flow("{", "}");
      return;
    }
    struct Entry {
      std::string key;
      std::u32string order;
      const nlohmann::json* value;
    };
    std::vector<Entry> entries;
    entries.reserve(mapping.size());
    for (const auto& item : mapping.items()) {
      entries.push_back({item.key(), runes_of(item.key()), &item.value()});
    }
    std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
      return yaml_key_less(a.order, b.order);
    });

    increase_indent(false, false);
    for (const auto& entry : entries) {
      write_indent();
      const nlohmann::json key(entry.key);
      if (is_simple_key(entry.key)) {
        emit_node(key, false, false, true, true);
        write_indicator(":", false, false, false);
      } else {
        write_indicator("?", true, false, true);
        emit_node(key, false, false, true, false);
        write_indent();
        write_indicator(":", true, false, true);
      }
      emit_node(*entry.value, false, false, true, false);
    }
    pop_indent();
  }

  // yaml_emitter_select_scalar_style; scalars are never inside a flow
  // collection here (only empty ones are written in flow style).
  Style select_style(Style style, const ScalarAnalysis& analysis, std::string_view value) const {
    if (simple_key_context_ && analysis.multiline) style = Style::kDoubleQuoted;
    if (style == Style::kPlain) {
      if (!analysis.block_plain_allowed) style = Style::kSingleQuoted;
      if (value.empty() && simple_key_context_) style = Style::kSingleQuoted;
    }
    if (style == Style::kSingleQuoted && !analysis.single_quoted_allowed) {
      style = Style::kDoubleQuoted;
    }
    if (style == Style::kLiteral && (!analysis.block_allowed || simple_key_context_)) {
      style = Style::kDoubleQuoted;
    }
    return style;
  }

  void emit_scalar(const Scalar& scalar) {
    const ScalarAnalysis analysis = analyze_scalar(scalar.text);
    const Style style = select_style(scalar.requested, analysis, scalar.text);
    increase_indent(true, false);
    const bool allow_breaks = !simple_key_context_;
    switch (style) {
      case Style::kPlain:
        write_plain(scalar.text, allow_breaks);
        break;
      case Style::kSingleQuoted:
        write_single_quoted(scalar.text, allow_breaks);
        break;
      case Style::kDoubleQuoted:
        write_double_quoted(scalar.text, allow_breaks);
        break;
      case Style::kLiteral:
        write_literal(scalar.text);
        break;
    }
    pop_indent();
  }

  // --- output primitives ---------------------------------------------------

  void put(char c) {
    out_ += c;
    ++column_;
  }

  void put_break() {
    out_ += '\n';
    column_ = 0;
  }

  // Copies one (UTF-8) character.
  void write(std::string_view v, std::size_t& i) {
    const std::size_t w = std::min(char_width(byte_at(v, i)), v.size() - i);
    out_.append(v.substr(i, w));
    ++column_;
    i += w;
  }

  void write_break(std::string_view v, std::size_t& i) {
    if (v[i] == '\n') {
      put_break();
      ++i;
    } else {
      write(v, i);
      column_ = 0;
    }
  }

  void increase_indent(bool flow, bool indentless) {
    indents_.push_back(indent_);
    if (indent_ < 0) {
      indent_ = flow ? kBestIndent : 0;
    } else if (!indentless) {
      indent_ += kBestIndent;
    }
  }

  void pop_indent() {
    indent_ = indents_.back();
    indents_.pop_back();
  }

  void write_indent() {
    const int indent = std::max(indent_, 0);
    if (!indention_ || column_ > indent || (column_ == indent && !whitespace_)) put_break();
    while (column_ < indent) put(' ');
    whitespace_ = true;
    indention_ = true;
  }

  void write_indicator(std::string_view indicator, bool need_whitespace, bool is_whitespace,
                       bool is_indention) {
    if (need_whitespace && !whitespace_) put(' ');
    for (std::size_t i = 0; i < indicator.size();) write(indicator, i);
    whitespace_ = is_whitespace;
    indention_ = indention_ && is_indention;
  }

  // --- scalar writers ------------------------------------------------------

  void write_plain(std::string_view v, bool allow_breaks) {
    if (!whitespace_) put(' ');
    bool spaces = false;
    bool breaks = false;
    for (std::size_t i = 0; i < v.size();) {
      if (is_space(v, i)) {
        if (allow_breaks && !spaces && column_ > kBestWidth && !is_space(v, i + 1)) {
          write_indent();
          i += char_width(byte_at(v, i));
        } else {
          write(v, i);
        }
        spaces = true;
      } else if (is_break(v, i)) {
        if (!breaks && v[i] == '\n') put_break();
        write_break(v, i);
        indention_ = true;
        breaks = true;
      } else {
        if (breaks) write_indent();
        write(v, i);
        indention_ = false;
        spaces = false;
        breaks = false;
      }
    }
    whitespace_ = false;
    indention_ = false;
  }

  void write_single_quoted(std::string_view v, bool allow_breaks) {
    write_indicator("'", true, false, false);
    bool spaces = false;
    bool breaks = false;
    for (std::size_t i = 0; i < v.size();) {
      if (is_space(v, i)) {
        if (allow_breaks && !spaces && column_ > kBestWidth && i > 0 && i < v.size() - 1 &&
            !is_space(v, i + 1)) {
          write_indent();
          i += char_width(byte_at(v, i));
        } else {
          write(v, i);
        }
        spaces = true;
      } else if (is_break(v, i)) {
        if (!breaks && v[i] == '\n') put_break();
        write_break(v, i);
        indention_ = true;
        breaks = true;
      } else {
        if (breaks) write_indent();
        if (v[i] == '\'') put('\'');
        write(v, i);
        indention_ = false;
        spaces = false;
        breaks = false;
      }
    }
    write_indicator("'", false, false, false);
    whitespace_ = false;
    indention_ = false;
  }

  void put_escape(char32_t rune) {
    static constexpr const char* kHex = "0123456789ABCDEF";
    put('\\');
    switch (rune) {
      case 0x00:
        put('0');
        return;
      case 0x07:
        put('a');
        return;
      case 0x08:
        put('b');
        return;
      case 0x09:
        put('t');
        return;
      case 0x0A:
        put('n');
        return;
      case 0x0B:
        put('v');
        return;
      case 0x0C:
        put('f');
        return;
      case 0x0D:
        put('r');
        return;
      case 0x1B:
        put('e');
        return;
      case 0x22:
        put('"');
        return;
      case 0x5C:
        put('\\');
        return;
      case 0x85:
        put('N');
        return;
      case 0xA0:
        put('_');
        return;
      case 0x2028:
        put('L');
        return;
      case 0x2029:
        put('P');
        return;
      default:
        break;
    }
    int digits = 8;
    if (rune <= 0xFF) {
      put('x');
      digits = 2;
    } else if (rune <= 0xFFFF) {
      put('u');
      digits = 4;
    } else {
      put('U');
    }
    for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) put(kHex[(rune >> shift) & 0xF]);
  }

  void write_double_quoted(std::string_view v, bool allow_breaks) {
    write_indicator("\"", true, false, false);
    bool spaces = false;
    for (std::size_t i = 0; i < v.size();) {
      if (!is_printable(v, i) || is_bom(v) || is_break(v, i) || v[i] == '"' || v[i] == '\\') {
        const std::size_t w = std::min(char_width(byte_at(v, i)), v.size() - i);
        put_escape(runes_of(v.substr(i, w)).front());
        i += w;
        spaces = false;
      } else if (is_space(v, i)) {
        if (allow_breaks && !spaces && column_ > kBestWidth && i > 0 && i < v.size() - 1) {
          write_indent();
          if (is_space(v, i + 1)) put('\\');
          i += char_width(byte_at(v, i));
        } else {
          write(v, i);
        }
        spaces = true;
      } else {
        write(v, i);
        spaces = false;
      }
    }
    write_indicator("\"", false, false, false);
    whitespace_ = false;
    indention_ = false;
  }

  // The indentation and chomping indicators of a block scalar.
  void write_block_scalar_hints(std::string_view v) {
    if (is_space(v, 0) || is_break(v, 0)) {
      const char hint[] = {static_cast<char>('0' + kBestIndent), '\0'};
      write_indicator(hint, false, false, false);
    }
    char chomp = 0;
    if (v.empty()) {
      chomp = '-';
    } else {
      std::size_t i = v.size() - 1;
      while (i > 0 && (byte_at(v, i) & 0xC0) == 0x80) --i;
      if (!is_break(v, i)) {
        chomp = '-';
      } else if (i == 0) {
        chomp = '+';
      } else {
        --i;
        while (i > 0 && (byte_at(v, i) & 0xC0) == 0x80) --i;
        if (is_break(v, i)) chomp = '+';
      }
    }
    if (chomp != 0) {
      const char indicator[] = {chomp, '\0'};
      write_indicator(indicator, false, false, false);
    }
  }

  void write_literal(std::string_view v) {
    write_indicator("|", true, false, false);
    write_block_scalar_hints(v);
    put_break();
    indention_ = true;
    whitespace_ = true;
    bool breaks = true;
    for (std::size_t i = 0; i < v.size();) {
      if (is_break(v, i)) {
        write_break(v, i);
        indention_ = true;
        breaks = true;
      } else {
        if (breaks) write_indent();
        write(v, i);
        indention_ = false;
        breaks = false;
      }
    }
  }

  std::string out_;
  int column_ = 0;
  int indent_ = -1;
  std::vector<int> indents_;
  bool whitespace_ = true;
  bool indention_ = true;
  bool mapping_context_ = false;
  bool simple_key_context_ = false;
};

// ---------------------------------------------------------------------------
// The JSON-to-YAML step reads Go's JSON with yaml.v2's parser. Go writes most
// characters of a string raw, and that parser refuses some of them and folds
// others, so strings reach the emitter changed.
// ---------------------------------------------------------------------------

struct ReadBackError {
  std::string message;
};

bool is_nel(std::u32string_view runes, std::size_t i) {
  return i < runes.size() && runes[i] == 0x85;
}

// A character yaml.v2's reader refuses raw ("control characters are not
// allowed"); Go's JSON escapes the C0 controls but writes DEL, the C1
// controls and U+FFFE/U+FFFF as they are. NEL (U+0085) is allowed.
bool refused_by_yaml_reader(char32_t r) {
  return r == 0x7F || (r >= 0x80 && r <= 0x9F && r != 0x85) || r == 0xFFFE || r == 0xFFFF;
}

void append_rune(std::string& out, char32_t r) {
  if (r < 0x80) {
    out += static_cast<char>(r);
  } else if (r < 0x800) {
    out += static_cast<char>(0xC0 | (r >> 6));
    out += static_cast<char>(0x80 | (r & 0x3F));
  } else if (r < 0x10000) {
    out += static_cast<char>(0xE0 | (r >> 12));
    out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (r & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (r >> 18));
    out += static_cast<char>(0x80 | ((r >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (r & 0x3F));
  }
}

// The string yaml.v2 reads from the double-quoted JSON string Go wrote for
// `text`: invalid UTF-8 became U+FFFD, and a raw NEL is a line break, folded
// with the spaces around it like any line break in a quoted scalar (one break
// reads as a space, n breaks as n-1 newlines).
util::Expected<std::string, ReadBackError> read_back_string(const std::string& text) {
  const std::u32string runes = runes_of(util::go_valid_utf8(text));
  std::string out;
  for (std::size_t i = 0; i < runes.size();) {
    const char32_t r = runes[i];
    if (refused_by_yaml_reader(r)) {
      return util::unexpected(ReadBackError{"yaml: control characters are not allowed"});
    }
    if (r != ' ' && r != 0x85) {
      append_rune(out, r);
      ++i;
      continue;
    }
    // A run of spaces and NELs.
    const std::size_t begin = i;
    int breaks = 0;
    while (i < runes.size() && (runes[i] == ' ' || runes[i] == 0x85)) {
      if (runes[i] == 0x85) {
        ++breaks;
        // After a break the line starts over: "---" or "..." there, followed
        // by a blank, ends the document in the middle of the scalar.
        const std::u32string_view next = std::u32string_view(runes).substr(i + 1);
        if ((next.starts_with(U"---") || next.starts_with(U"...")) &&
            (next.size() > 3 && (next[3] == ' ' || is_nel(next, 3)))) {
          return util::unexpected(ReadBackError{"yaml: found unexpected document indicator"});
        }
      }
      ++i;
    }
    if (breaks == 0) {
      out.append(i - begin, ' ');
    } else if (breaks == 1) {
      out += ' ';
    } else {
      out.append(static_cast<std::size_t>(breaks - 1), '\n');
    }
  }
  return out;
}

// JSON object keys are simple keys of a YAML flow mapping, which must stay on
// one line (a raw NEL breaks it) and span at most 1024 characters of the JSON
// text, quotes and escapes included; otherwise yaml.v2 fails to parse.
bool readable_as_flow_key(const std::string& key) {
  const auto json_text = util::go_json_marshal(nlohmann::json(key));
  if (!json_text) return false;
  const std::u32string runes = runes_of(*json_text);
  return runes.size() <= 1024 && runes.find(U'\u0085') == std::u32string::npos;
}

// `value` as yaml.v2 hands it to its encoder: strings (keys too) read back as
// above. Go's JSON refuses NaN and infinities before any YAML is written.
util::Expected<nlohmann::json, std::string> read_back(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::number_float: {
      const double number = value.get<double>();
      if (std::isnan(number)) {
        return util::unexpected(
            std::string("error marshaling into JSON: json: unsupported value: NaN"));
      }
      if (std::isinf(number)) {
        return util::unexpected(
            std::string("error marshaling into JSON: json: unsupported value: ") +
            (number > 0 ? "+Inf" : "-Inf"));
      }
      return value;
    }
    case nlohmann::json::value_t::string: {
      auto text = read_back_string(value.get_ref<const std::string&>());
      if (!text) return util::unexpected("error converting JSON to YAML: " + text.error().message);
      return nlohmann::json(*text);
    }
    case nlohmann::json::value_t::array: {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& element : value) {
        auto converted = read_back(element);
        if (!converted) return converted;
        out.push_back(std::move(*converted));
      }
      return out;
    }
    case nlohmann::json::value_t::object: {
      nlohmann::json out = nlohmann::json::object();
      for (const auto& item : value.items()) {
        if (!readable_as_flow_key(item.key())) {
          return util::unexpected(
              std::string("error converting JSON to YAML: yaml: did not find expected ',' or '}'"));
        }
        auto key = read_back_string(item.key());
        if (!key) return util::unexpected("error converting JSON to YAML: " + key.error().message);
        auto converted = read_back(item.value());
        if (!converted) return converted;
        out[*key] = std::move(*converted);
      }
      return out;
    }
    default:
      return value;
  }
}

}  // namespace

util::Expected<std::string, std::string> go_yaml_marshal(const nlohmann::json& value) {
  auto read = read_back(value);
  if (!read) return util::unexpected(read.error());
  return Emitter().document(*read);
}

}  // namespace druid::api
