#include "druidctl/etcd_update.hpp"

#include <fmt/format.h>

#include <chrono>
#include <thread>

#include "api/resources.hpp"

namespace druid::druidctl {

using nlohmann::json;

json& annotations_of(json& etcd) {
  json& annotations = etcd["metadata"]["annotations"];
  if (!annotations.is_object()) annotations = json::object();
  return annotations;
}

bool has_annotation(const json& etcd, const std::string& key) {
  const auto meta = etcd.find("metadata");
  if (meta == etcd.end() || !meta->is_object()) return false;
  const auto annotations = meta->find("annotations");
  return annotations != meta->end() && annotations->is_object() && annotations->contains(key);
}

util::Expected<json, std::string> update_etcd(kube::Client& client, const std::string& ns,
                                              const std::string& name, const EtcdModifier& modify) {
  const auto& type = api::resources::kEtcds;
  // client-go's retry.DefaultRetry: five attempts, 10 ms apart.
  constexpr int kAttempts = 5;
  std::string last_error;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    auto current = client.get(type, ns, name);
    if (!current) {
      return util::unexpected(fmt::format("unable to update etcd object '{}/{}': {}", ns, name,
                                          current.error().message));
    }
    json etcd = std::move(*current);
    if (!modify(etcd)) return etcd;
    auto updated = client.update(type, ns, etcd);
    if (updated) return std::move(*updated);
    last_error = updated.error().message;
    if (updated.error().reason != kube::ApiErrorReason::kConflict) break;
  }
  return util::unexpected(
      fmt::format("unable to update etcd object '{}/{}': {}", ns, name, last_error));
}

}  // namespace druid::druidctl
