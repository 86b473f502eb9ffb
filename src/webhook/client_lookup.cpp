#include "webhook/client_lookup.hpp"

#include "api/resources.hpp"

namespace druid::webhook {

using nlohmann::json;

Lookup<std::optional<json>> ClientLookup::get_etcd(const std::string& ns, const std::string& name) {
  auto etcd = client_.get(api::resources::kEtcds, ns, name);
  if (etcd) return std::optional<json>(std::move(*etcd));
  if (etcd.error().reason == kube::ApiErrorReason::kNotFound) return std::optional<json>();
  return util::unexpected(etcd.error().message);
}

Lookup<json> ClientLookup::get_statefulset_metadata(const std::string& ns,
                                                    const std::string& name) {
  auto sts = client_.get(kube::resources::kStatefulSets, ns, name);
  if (!sts) return util::unexpected(sts.error().message);
  return sts->value("metadata", json::object());
}

Lookup<std::vector<json>> ClientLookup::list_statefulset_metadata(const std::string& ns,
                                                                  const util::Labels& labels) {
  kube::ListOptions options;
  options.label_selector = util::Selector::from_labels(labels).to_string();
  auto list = client_.list(kube::resources::kStatefulSets, ns, options);
  if (!list) return util::unexpected(list.error().message);
  std::vector<json> out;
  for (const auto& item : list->value("items", json::array())) {
    out.push_back(item.value("metadata", json::object()));
  }
  return out;
}

}  // namespace druid::webhook
