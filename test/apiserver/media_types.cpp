#include "apiserver/media_types.hpp"

#include <algorithm>
#include <cctype>
#include <string>

namespace druid::testing {

namespace {

std::string_view trim(std::string_view text) {
  const auto begin = text.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return {};
  const auto end = text.find_last_not_of(" \t");
  return text.substr(begin, end - begin + 1);
}

bool iequals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

}  // namespace

std::string_view media_type_of(std::string_view content_type) {
  return trim(content_type.substr(0, content_type.find(';')));
}

bool is_protobuf(std::string_view content_type) {
  return iequals(media_type_of(content_type), "application/vnd.kubernetes.protobuf");
}

bool accepts_json(std::string_view accept) {
  if (trim(accept).empty()) return true;
  while (!accept.empty()) {
    const auto comma = accept.find(',');
    const std::string_view media = media_type_of(accept.substr(0, comma));
    if (iequals(media, "application/json") || iequals(media, "application/*") || media == "*/*") {
      return true;
    }
    if (comma == std::string_view::npos) break;
    accept.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace druid::testing
