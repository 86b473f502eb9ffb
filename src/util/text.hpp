#pragma once
// Byte-level text helpers for the parsers under src/, with Go's meanings
// (upstream's inputs are read by Go): unlike <cctype> they do not depend on
// the C locale, and unlike it they treat a byte >= 0x80 as neither digit nor
// space (Go's multi-byte spaces U+0085 and U+00A0 never occur in these
// inputs' syntax).

#include <string>
#include <string_view>
#include <vector>

namespace druid::util {

inline bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// unicode.IsSpace for ASCII: '\t', '\n', '\v', '\f', '\r' and ' '.
inline bool is_go_space(char c) {
  return c == ' ' || (c >= '\t' && c <= '\r');
}

// strings.ToLower for ASCII letters; other bytes unchanged.
inline std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// strings.TrimSpace (ASCII): `text` without leading and trailing Go spaces.
inline std::string_view trim_go_space(std::string_view text) {
  while (!text.empty() && is_go_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_go_space(text.back())) text.remove_suffix(1);
  return text;
}

// strings.Split with a one-byte separator: "" gives one empty part, n
// separators give n + 1 parts. The parts view `text`.
inline std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find(separator, start);
    if (end == std::string_view::npos) {
      parts.push_back(text.substr(start));
      return parts;
    }
    parts.push_back(text.substr(start, end - start));
    start = end + 1;
  }
}

// Percent-encodes everything but RFC 3986 unreserved characters (URL path
// segments and query values).
inline std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (alnum || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

}  // namespace druid::util
