#include "druidctl/resource_resolver.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "util/json_access.hpp"
#include "util/text.hpp"

namespace druid::druidctl {

using nlohmann::json;

namespace {

void add_resources(const json& list, const std::string& group, const std::string& version,
                   std::vector<DiscoveredResource>& out) {
  const auto resources = list.find("resources");
  if (resources == list.end() || !resources->is_array()) return;
  for (const auto& r : *resources) {
    const std::string name = util::string_field(r, "name");
    if (name.empty() || name.find('/') != std::string::npos) continue;  // subresources
    DiscoveredResource found;
    found.type = util::ResourceType{group, version, name, util::string_field(r, "kind"),
                                    r.value("namespaced", true)};
    found.singular = util::string_field(r, "singularName");
    if (const auto shorts = r.find("shortNames"); shorts != r.end() && shorts->is_array()) {
      for (const auto& s : *shorts) {
        if (s.is_string()) found.short_names.push_back(s.get<std::string>());
      }
    }
    out.push_back(std::move(found));
  }
}

bool matches(const DiscoveredResource& r, const std::string& token) {
  const auto& t = r.type;
  if (t.resource == token || r.singular == token || util::ascii_lower(t.kind) == token) return true;
  if (std::find(r.short_names.begin(), r.short_names.end(), token) != r.short_names.end()) {
    return true;
  }
  return !t.group.empty() && (t.resource + "." + t.group == token ||
                              t.resource + "." + t.version + "." + t.group == token);
}

}  // namespace

util::Expected<std::vector<DiscoveredResource>, std::string> discover_resources(
    kube::Client& client) {
  std::vector<DiscoveredResource> out;
  auto core = client.request("GET", "/api/v1");
  if (!core) {
    return util::unexpected("unable to discover the server's resources: " + core.error().message);
  }
  add_resources(*core, "", "v1", out);
  auto groups = client.request("GET", "/apis");
  if (!groups) {
    return util::unexpected("unable to discover the server's resources: " + groups.error().message);
  }
  if (const auto list = groups->find("groups"); list != groups->end() && list->is_array()) {
    for (const auto& group : *list) {
      const std::string name = util::string_field(group, "name");
      std::string version;
      if (const auto preferred = group.find("preferredVersion"); preferred != group.end()) {
        version = util::string_field(*preferred, "version");
      }
      if (name.empty() || version.empty()) continue;
      auto resources = client.request("GET", fmt::format("/apis/{}/{}", name, version));
      if (!resources) continue;  // an unavailable aggregated API hides only its own types
      add_resources(*resources, name, version, out);
    }
  }
  return out;
}

util::Expected<std::vector<util::ResourceType>, std::string> resolve_filter(
    std::string_view filter, const std::vector<DiscoveredResource>& discovered) {
  std::vector<std::string> tokens;
  for (auto piece : util::split(filter, ',')) {
    const std::string token(util::trim_go_space(piece));
    if (token.empty()) continue;
    if (util::ascii_lower(token) == "all") {
      for (auto d : util::split(kDefaultResourceFilter, ',')) tokens.emplace_back(d);
    } else {
      tokens.push_back(token);
    }
  }
  std::vector<util::ResourceType> types;
  for (const auto& token : tokens) {
    const std::string lower = util::ascii_lower(token);
    const auto found = std::find_if(discovered.begin(), discovered.end(),
                                    [&](const DiscoveredResource& r) { return matches(r, lower); });
    if (found == discovered.end()) {
      return util::unexpected(fmt::format("unknown resource '{}'", token));
    }
    if (std::find(types.begin(), types.end(), found->type) == types.end()) {
      types.push_back(found->type);
    }
  }
  return types;
}

}  // namespace druid::druidctl
