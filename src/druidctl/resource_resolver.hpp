#pragma once
// The resource types of `list-resources --filter`, resolved as kubectl's discovery RESTMapper
// does (upstream's druidctl/cmd/listresources/resourceresolver.go): a token may be the plural,
// the singular, the kind, a short name or "<plural>.<group>"; the core group wins over others
// with the same name.

#include <string>
#include <string_view>
#include <vector>

#include "kube/client.hpp"
#include "util/expected.hpp"
#include "util/resource_type.hpp"

namespace druid::druidctl {

// What `--filter all` (the default) means.
inline constexpr const char* kDefaultResourceFilter =
    "pods,statefulsets,services,configmaps,secrets,persistentvolumeclaims,leases,"
    "poddisruptionbudgets,roles,rolebindings,serviceaccounts";

struct DiscoveredResource {
  util::ResourceType type;
  std::string singular;
  std::vector<std::string> short_names;
};

// The resources the server serves (preferred version of each group; no subresources).
util::Expected<std::vector<DiscoveredResource>, std::string> discover_resources(
    kube::Client& client);

// The types of a comma-separated filter, in the order given, each once; "all" expands to
// kDefaultResourceFilter. Unknown tokens: "unknown resource '<t>'".
util::Expected<std::vector<util::ResourceType>, std::string> resolve_filter(
    std::string_view filter, const std::vector<DiscoveredResource>& discovered);

}  // namespace druid::druidctl
