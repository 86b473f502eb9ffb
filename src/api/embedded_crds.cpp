#include "api/embedded_crds.hpp"

#include "util/yaml.hpp"

namespace druid::api {
namespace {

using nlohmann::json;

// A member of an object, or null; looks without copying the (large) schemas.
const json& member(const json& object, const char* key) {
  static const json kNull;
  if (!object.is_object()) return kNull;
  const auto it = object.find(key);
  return it == object.end() ? kNull : *it;
}

bool equals(const json& value, std::string_view text) {
  return value.is_string() && value.get_ref<const std::string&>() == text;
}

}  // namespace

const std::vector<json>& embedded_crds() {
  static const std::vector<json> kCrds = [] {
    std::vector<json> crds;
    for (const auto manifest : embedded_crd_manifests()) {
      auto parsed = util::parse_yaml(manifest);
      if (parsed && parsed->is_object()) crds.push_back(std::move(*parsed));
    }
    return crds;
  }();
  return kCrds;
}

const json* embedded_crd_schema(std::string_view api_version, std::string_view kind) {
  const auto slash = api_version.find('/');
  if (slash == std::string_view::npos) return nullptr;  // the core group has no CRDs
  const auto group = api_version.substr(0, slash);
  const auto version = api_version.substr(slash + 1);
  for (const auto& crd : embedded_crds()) {
    const json& spec = member(crd, "spec");
    if (!equals(member(spec, "group"), group)) continue;
    if (!equals(member(member(spec, "names"), "kind"), kind)) continue;
    const json& versions = member(spec, "versions");
    if (!versions.is_array()) continue;
    for (const auto& v : versions) {
      const json& schema = member(member(v, "schema"), "openAPIV3Schema");
      if (equals(member(v, "name"), version) && member(v, "served") == true && schema.is_object()) {
        return &schema;
      }
    }
  }
  return nullptr;
}

}  // namespace druid::api
