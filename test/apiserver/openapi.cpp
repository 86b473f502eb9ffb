#include "apiserver/openapi.hpp"

#include <fmt/format.h>

#include <functional>
#include <set>

#include "apiserver/discovery.hpp"

namespace druid::testing {
namespace {

using nlohmann::json;

std::string prefix(const std::string& group, const std::string& version) {
  return group.empty() ? "api/" + version : "apis/" + group + "/" + version;
}

json parameter(const char* name) {
  return {{"name", name}, {"in", "query"}, {"schema", {{"type", "string"}}}};
}

json operation(const ResourceType& t, const char* action) {
  return {{"operationId", fmt::format("{}{}", action, t.kind)},
          {"x-kubernetes-action", action},
          {"x-kubernetes-group-version-kind",
           {{"group", t.group}, {"version", t.version}, {"kind", t.kind}}},
          {"parameters", json::array({parameter("dryRun"), parameter("fieldManager"),
                                      parameter("fieldValidation")})},
          {"responses", {{"200", {{"description", "OK"}}}}}};
}

// The component name a real server uses: the reversed group, version, kind
// ("cloud.gardener.druid.v1alpha1.Etcd").
std::string schema_name(const ResourceType& t) {
  std::string reversed;
  std::size_t end = t.group.size();
  while (true) {
    std::size_t dot = t.group.rfind('.', end == 0 ? 0 : end - 1);
    std::size_t start = dot == std::string::npos ? 0 : dot + 1;
    reversed += (reversed.empty() ? "" : ".") + t.group.substr(start, end - start);
    if (dot == std::string::npos) break;
    end = dot;
  }
  return reversed + "." + t.version + "." + t.kind;
}

}  // namespace

json openapi_v3_document(const ResourceRegistry& registry, const std::string& group,
                         const std::string& version) {
  auto types = registry.resources_of(group, version);
  if (types.empty()) return nullptr;
  json paths = json::object();
  json schemas = json::object();
  for (const ResourceType* t : types) {
    if (t->custom && t->schema.is_object()) {
      // The CRD's schema, for kubectl explain.
      json schema = t->schema;
      schema["x-kubernetes-group-version-kind"] =
          json::array({{{"group", t->group}, {"version", t->version}, {"kind", t->kind}}});
      schemas[schema_name(*t)] = std::move(schema);
    }
    const std::string base = "/" + prefix(group, version) +
                             (t->namespaced ? "/namespaces/{namespace}/" : "/") + t->plural;
    paths[base] = {{"post", operation(*t, "post")}};
    paths[base + "/{name}"] = {{"put", operation(*t, "put")}, {"patch", operation(*t, "patch")}};
  }
  return {{"openapi", "3.0.0"},
          {"info", {{"title", "Kubernetes"}, {"version", kServedKubernetesVersion}}},
          {"paths", paths},
          {"components", {{"schemas", schemas}}}};
}

json openapi_v3_root(const ResourceRegistry& registry) {
  std::set<std::pair<std::string, std::string>> gvs;
  for (const ResourceType* t : registry.all()) gvs.insert({t->group, t->version});
  json paths = json::object();
  for (const auto& [group, version] : gvs) {
    // The hash changes with the document, so clients' caches notice new CRDs.
    const std::size_t hash =
        std::hash<std::string>{}(openapi_v3_document(registry, group, version).dump());
    paths[prefix(group, version)] = {
        {"serverRelativeURL",
         fmt::format("/openapi/v3/{}?hash={:016X}", prefix(group, version), hash)}};
  }
  return {{"paths", paths}};
}

}  // namespace druid::testing
