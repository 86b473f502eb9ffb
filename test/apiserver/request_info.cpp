#include "apiserver/request_info.hpp"

#include <algorithm>
#include <vector>

namespace druid::testing {
namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> parts;
  std::size_t i = 0;
  while (i < path.size()) {
    std::size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) parts.emplace_back(path.substr(i, j - i));
    i = j + 1;
  }
  return parts;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

RequestInfo parse_request_info(
    std::string_view method, std::string_view path, bool watch_param,
    const std::function<bool(std::string_view, std::string_view, std::string_view)>&
        is_namespaced_resource) {
  RequestInfo info;
  info.path = std::string(path);
  info.verb = lower(method);
  std::vector<std::string> parts = split_path(path);
  std::size_t i = 0;
  if (parts.empty()) return info;
  if (parts[0] == "api") {
    if (parts.size() < 3) return info;  // /api, /api/v1: discovery
    info.version = parts[1];
    i = 2;
  } else if (parts[0] == "apis") {
    if (parts.size() < 4) return info;  // /apis, /apis/g, /apis/g/v: discovery
    info.group = parts[1];
    info.version = parts[2];
    i = 3;
  } else {
    return info;
  }
  info.kind = RequestInfo::Kind::kResource;
  if (parts[i] == "watch") {
    info.legacy_watch_path = true;
    ++i;
  }
  std::vector<std::string> rest(parts.begin() + static_cast<std::ptrdiff_t>(i), parts.end());
  // /namespaces/{ns}/{resource}... addresses namespaced resources, unless the
  // third segment is not a namespaced resource: then it is a subresource of the
  // namespace itself (/namespaces/{ns}/status, /finalize).
  if (rest.size() >= 3 && rest[0] == "namespaces" &&
      is_namespaced_resource(info.group, info.version, rest[2])) {
    info.ns = rest[1];
    info.resource = rest[2];
    if (rest.size() >= 4) info.name = rest[3];
    if (rest.size() >= 5) info.subresource = rest[4];
  } else if (!rest.empty()) {
    info.resource = rest[0];
    if (rest.size() >= 2) info.name = rest[1];
    if (rest.size() >= 3) info.subresource = rest[2];
    if (info.resource == "namespaces" && !info.name.empty()) info.ns = info.name;
  }
  if (method == "GET" || method == "HEAD") {
    if (info.legacy_watch_path || watch_param) {
      info.verb = "watch";
    } else {
      info.verb = info.name.empty() ? "list" : "get";
    }
  } else if (method == "POST") {
    info.verb = "create";
  } else if (method == "PUT") {
    info.verb = "update";
  } else if (method == "PATCH") {
    info.verb = "patch";
  } else if (method == "DELETE") {
    info.verb = info.name.empty() ? "deletecollection" : "delete";
  }
  return info;
}

}  // namespace druid::testing
