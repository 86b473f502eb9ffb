#include "component/component.hpp"

#include "api/names.hpp"

namespace druid::component {

nlohmann::json managed_metadata(const api::Etcd& etcd, const std::string& name,
                                const api::Labels& labels) {
  return {
      {"name", name},
      {"namespace", etcd.metadata.namespace_},
      {"labels", labels},
      {"ownerReferences", nlohmann::json::array({api::encode(api::etcd_owner_reference(etcd))})}};
}

bool is_controlled_by(const nlohmann::json& object, std::string_view uid) {
  const auto metadata = object.find("metadata");
  if (metadata == object.end()) return false;
  const auto refs = metadata->find("ownerReferences");
  if (refs == metadata->end() || !refs->is_array()) return false;
  for (const auto& ref : *refs) {
    if (ref.value("controller", false) && ref.value("uid", "") == uid) return true;
  }
  return false;
}

}  // namespace druid::component
