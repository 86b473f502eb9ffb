#pragma once
// Where a resource type lives in the API: group/version/plural, and whether
// its objects are namespaced. The client builds request paths from this; the
// informers key caches by it.

#include <string>
#include <string_view>

namespace druid::util {

struct ResourceType {
  std::string group;     // "" for the core group
  std::string version;   // "v1"
  std::string resource;  // plural, lower case: "pods"
  std::string kind;      // "Pod"
  bool namespaced = true;

  // "v1" for the core group, "<group>/<version>" otherwise (an object's apiVersion).
  std::string api_version() const;

  // The REST path of a collection, an object or a subresource:
  //   /api/v1/namespaces/{ns}/pods[/{name}[/{subresource}]]
  //   /apis/{group}/{version}/...
  // An empty `ns` on a namespaced type addresses all namespaces (list/watch);
  // `ns` is ignored for cluster-scoped types. Segments are percent-encoded.
  std::string path(std::string_view ns, std::string_view name = {},
                   std::string_view subresource = {}) const;

  // "pods", "statefulsets.apps", "etcds.druid.gardener.cloud": how the API
  // server names the resource in messages (`pods "x" not found`).
  std::string qualified_resource() const;

  friend bool operator==(const ResourceType&, const ResourceType&) = default;
};

}  // namespace druid::util
