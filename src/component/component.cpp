#include "component/component.hpp"

#include "api/names.hpp"

namespace druid::component {

std::string etcd_key(const api::Etcd& etcd) {
  return etcd.metadata.namespace_ + "/" + etcd.metadata.name;
}

nlohmann::json managed_metadata(const api::Etcd& etcd, const std::string& name,
                                const util::Labels& labels) {
  return {
      {"name", name},
      {"namespace", etcd.metadata.namespace_},
      {"labels", labels},
      {"ownerReferences", nlohmann::json::array({api::encode(api::etcd_owner_reference(etcd))})}};
}

}  // namespace druid::component
