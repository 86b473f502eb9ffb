#include "util/go_json.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <vector>

namespace druid::util {

namespace {

constexpr const char* kHexDigits = "0123456789abcdef";
constexpr const char* kReplacementCharacter = "\xEF\xBF\xBD";  // U+FFFD

// Length of the valid UTF-8 sequence at text[i], or 0 when the byte there does
// not start one (the ranges of Go's utf8.DecodeRune: no overlongs, no
// surrogates, nothing above U+10FFFF).
std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) -> unsigned {
    return k < text.size() ? static_cast<unsigned char>(text[k]) : 0x100;
  };
  const auto continuation = [&](std::size_t k, unsigned lo = 0x80, unsigned hi = 0xBF) {
    const unsigned b = byte(k);
    return b >= lo && b <= hi;
  };
  const unsigned b0 = byte(i);
  if (b0 < 0x80) return 1;
  if (b0 >= 0xC2 && b0 <= 0xDF) return continuation(i + 1) ? 2 : 0;
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    const unsigned lo = b0 == 0xE0 ? 0xA0 : 0x80;
    const unsigned hi = b0 == 0xED ? 0x9F : 0xBF;
    return continuation(i + 1, lo, hi) && continuation(i + 2) ? 3 : 0;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    const unsigned lo = b0 == 0xF0 ? 0x90 : 0x80;
    const unsigned hi = b0 == 0xF4 ? 0x8F : 0xBF;
    return continuation(i + 1, lo, hi) && continuation(i + 2) && continuation(i + 3) ? 4 : 0;
  }
  return 0;
}

void append_string(std::string& out, std::string_view text) {
  out += '"';
  for (std::size_t i = 0; i < text.size();) {
    const auto b = static_cast<unsigned char>(text[i]);
    if (b < 0x80) {
      switch (b) {
        case '"':
        case '\\':
          out += '\\';
          out += static_cast<char>(b);
          break;
        case '\b':
          out += "\\b";
          break;
        case '\f':
          out += "\\f";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        default:
          // Control bytes, and the HTML-sensitive <, >, & (Go escapes them so
          // JSON can be embedded in HTML).
          if (b < 0x20 || b == '<' || b == '>' || b == '&') {
            out += "\\u00";
            out += kHexDigits[b >> 4];
            out += kHexDigits[b & 0xF];
          } else {
            out += static_cast<char>(b);
          }
      }
      ++i;
      continue;
    }
    const std::size_t length = utf8_sequence_length(text, i);
    if (length == 0) {
      out += "\\ufffd";
      ++i;
      continue;
    }
    // U+2028 and U+2029 (E2 80 A8/A9) end lines in JavaScript.
    if (length == 3 && b == 0xE2 && static_cast<unsigned char>(text[i + 1]) == 0x80 &&
        (static_cast<unsigned char>(text[i + 2]) & 0xFE) == 0xA8) {
      out += "\\u202";
      out += kHexDigits[static_cast<unsigned char>(text[i + 2]) & 0xF];
    } else {
      out.append(text.substr(i, length));
    }
    i += length;
  }
  out += '"';
}

// Appends `value`; returns the text of a number Go refuses ("NaN", "+Inf",
// "-Inf"), or nullptr.
const char* append_value(std::string& out, const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::null:
    case nlohmann::json::value_t::discarded:
      out += "null";
      break;
    case nlohmann::json::value_t::boolean:
      out += value.get<bool>() ? "true" : "false";
      break;
    case nlohmann::json::value_t::number_integer:
      out += std::to_string(value.get<std::int64_t>());
      break;
    case nlohmann::json::value_t::number_unsigned:
      out += std::to_string(value.get<std::uint64_t>());
      break;
    case nlohmann::json::value_t::number_float: {
      const double number = value.get<double>();
      if (std::isnan(number)) return "NaN";
      if (std::isinf(number)) return number > 0 ? "+Inf" : "-Inf";
      out += go_json_float(number);
      break;
    }
    case nlohmann::json::value_t::string:
      append_string(out, value.get_ref<const std::string&>());
      break;
    case nlohmann::json::value_t::binary:
      // Not produced by JSON parsing; Go would write []byte as base64, which
      // no caller needs.
      out += "null";
      break;
    case nlohmann::json::value_t::array: {
      out += '[';
      bool first = true;
      for (const auto& element : value) {
        if (!first) out += ',';
        first = false;
        if (const char* refused = append_value(out, element)) return refused;
      }
      out += ']';
      break;
    }
    case nlohmann::json::value_t::object: {
      // Go sorts map keys by their bytes; string_view compares bytes unsigned.
      std::vector<std::string_view> keys;
      keys.reserve(value.size());
      for (const auto& item : value.items()) keys.emplace_back(item.key());
      std::sort(keys.begin(), keys.end());
      out += '{';
      bool first = true;
      for (const auto key : keys) {
        if (!first) out += ',';
        first = false;
        append_string(out, key);
        out += ':';
        const auto& member = value.find(std::string(key)).value();
        if (const char* refused = append_value(out, member)) return refused;
      }
      out += '}';
      break;
    }
  }
  return nullptr;
}

}  // namespace

std::string go_valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = utf8_sequence_length(text, i);
    if (length == 0) {
      out += kReplacementCharacter;
      ++i;
    } else {
      out.append(text.substr(i, length));
      i += length;
    }
  }
  return out;
}

std::string go_format_float(double value, char format) {
  // std::to_chars gives the shortest round-trip digits in exponent form, laid
  // out as Go's 'e' ("d.ddde±XX"); 'f' is built from the same digits, since
  // Go pads them with zeros where to_chars would print the exact binary value.
  char buffer[64];
  const auto result =
      std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::scientific);
  const std::string scientific(buffer, result.ptr);
  const std::size_t e = scientific.find('e');
  const int exponent = std::atoi(scientific.c_str() + e + 1);
  if (format == 'e' || (format == 'g' && (exponent < -4 || exponent >= 6))) return scientific;

  std::string digits;
  for (std::size_t k = 0; k < e; ++k) {
    if (scientific[k] >= '0' && scientific[k] <= '9') digits += scientific[k];
  }
  const int point = exponent + 1;  // digits before the decimal point
  const int count = static_cast<int>(digits.size());
  std::string text = scientific[0] == '-' ? "-" : "";
  if (point <= 0) {
    text += "0." + std::string(static_cast<std::size_t>(-point), '0') + digits;
  } else if (point >= count) {
    text += digits + std::string(static_cast<std::size_t>(point - count), '0');
  } else {
    text += digits.substr(0, static_cast<std::size_t>(point)) + "." +
            digits.substr(static_cast<std::size_t>(point));
  }
  return text;
}

std::string go_json_float(double value) {
  const double magnitude = std::fabs(value);
  const bool exponent_form = magnitude != 0 && (magnitude < 1e-6 || magnitude >= 1e21);
  std::string text = go_format_float(value, exponent_form ? 'e' : 'f');
  if (exponent_form) {
    // Go writes the exponent with at least one digit: e-07 becomes e-7.
    const std::size_t n = text.size();
    if (n >= 4 && text[n - 4] == 'e' && text[n - 3] == '-' && text[n - 2] == '0') {
      text.erase(n - 2, 1);
    }
  }
  return text;
}

Expected<std::string, std::string> go_json_marshal(const nlohmann::json& value) {
  std::string out;
  if (const char* refused = append_value(out, value)) {
    return unexpected("json: unsupported value: " + std::string(refused));
  }
  return out;
}

}  // namespace druid::util
