#pragma once
// What a request path addresses, as k8s.io/apiserver's RequestInfoFactory
// reads it: discovery documents, or a resource request with group, version,
// namespace, resource, name and subresource, and the verb the method implies.

#include <functional>
#include <string>
#include <string_view>

namespace druid::testing {

struct RequestInfo {
  enum class Kind { kNonResource, kResource };
  Kind kind = Kind::kNonResource;
  std::string path;
  std::string group;  // "" for /api
  std::string version;
  std::string ns;
  std::string resource;
  std::string name;
  std::string subresource;
  // get, list, watch, create, update, patch, delete, deletecollection (resource
  // requests); the lower-case HTTP method otherwise.
  std::string verb;
  bool legacy_watch_path = false;  // /api/v1/watch/...
};

// `is_namespaced_resource(group, version, plural)` tells `/api/v1/namespaces/x/status`
// (a subresource of namespace x) from `/api/v1/namespaces/x/pods` (pods in x).
RequestInfo parse_request_info(std::string_view method, std::string_view path, bool watch_param,
                               const std::function<bool(std::string_view, std::string_view,
                                                        std::string_view)>& is_namespaced_resource);

}  // namespace druid::testing
