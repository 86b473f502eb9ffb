#include "apiserver/discovery.hpp"

namespace druid::testing {
namespace {

using nlohmann::json;

json group_json(const ApiGroupInfo& g) {
  json versions = json::array();
  for (const auto& v : g.versions)
    versions.push_back({{"groupVersion", g.name + "/" + v}, {"version", v}});
  return {
      {"name", g.name},
      {"versions", versions},
      {"preferredVersion",
       {{"groupVersion", g.name + "/" + g.preferred_version}, {"version", g.preferred_version}}}};
}

json resource_json(const ResourceType& t) {
  json r = {{"name", t.plural},
            {"singularName", t.singular},
            {"namespaced", t.namespaced},
            {"kind", t.kind},
            {"verbs", t.verbs}};
  if (!t.short_names.empty()) r["shortNames"] = t.short_names;
  if (!t.categories.empty()) r["categories"] = t.categories;
  return r;
}

}  // namespace

json api_versions(const std::string& server_address) {
  return {{"kind", "APIVersions"},
          {"versions", json::array({"v1"})},
          {"serverAddressByClientCIDRs",
           json::array({{{"clientCIDR", "0.0.0.0/0"}, {"serverAddress", server_address}}})}};
}

json api_group_list(const ResourceRegistry& registry) {
  json groups = json::array();
  for (const auto& g : registry.groups()) groups.push_back(group_json(g));
  return {{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", groups}};
}

json api_group(const ResourceRegistry& registry, const std::string& group) {
  for (const auto& g : registry.groups()) {
    if (g.name == group) {
      json out = group_json(g);
      out["kind"] = "APIGroup";
      out["apiVersion"] = "v1";
      return out;
    }
  }
  return nullptr;
}

json api_resource_list(const ResourceRegistry& registry, const std::string& group,
                       const std::string& version) {
  auto types = registry.resources_of(group, version);
  if (types.empty()) return nullptr;
  json resources = json::array();
  for (const ResourceType* t : types) {
    resources.push_back(resource_json(*t));
    if (t->status_subresource) {
      resources.push_back({{"name", t->plural + "/status"},
                           {"singularName", ""},
                           {"namespaced", t->namespaced},
                           {"kind", t->kind},
                           {"verbs", {"get", "patch", "update"}}});
    }
    if (t->scale) {
      resources.push_back({{"name", t->plural + "/scale"},
                           {"singularName", ""},
                           {"namespaced", t->namespaced},
                           {"group", "autoscaling"},
                           {"version", "v1"},
                           {"kind", "Scale"},
                           {"verbs", {"get", "patch", "update"}}});
    }
  }
  return {{"kind", "APIResourceList"},
          {"apiVersion", "v1"},
          {"groupVersion", group.empty() ? version : group + "/" + version},
          {"resources", resources}};
}

json version_info() {
  return {{"major", "1"},
          {"minor", "32"},
          {"gitVersion", kServedKubernetesVersion},
          {"gitCommit", "70d3cc986aa8221cd1dfb1121852688902d3bf53"},
          {"gitTreeState", "clean"},
          {"buildDate", "2024-12-11T17:59:15Z"},
          {"goVersion", "go1.23.3"},
          {"compiler", "gc"},
          {"platform", "linux/amd64"}};
}

}  // namespace druid::testing
