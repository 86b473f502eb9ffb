#pragma once
// ComponentLookup answered by the API server: direct reads, so a decision
// never rests on a stale cache (each admission call costs one or two GETs).

#include "kube/client.hpp"
#include "webhook/component_lookup.hpp"

namespace druid::webhook {

class ClientLookup final : public ComponentLookup {
 public:
  explicit ClientLookup(kube::Client& client) : client_(client) {}

  Lookup<std::optional<nlohmann::json>> get_etcd(const std::string& ns,
                                                 const std::string& name) override;
  Lookup<nlohmann::json> get_statefulset_metadata(const std::string& ns,
                                                  const std::string& name) override;
  Lookup<std::vector<nlohmann::json>> list_statefulset_metadata(
      const std::string& ns, const util::Labels& labels) override;

 private:
  kube::Client& client_;
};

}  // namespace druid::webhook
