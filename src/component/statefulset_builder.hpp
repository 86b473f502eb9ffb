#pragma once
// The desired StatefulSet of an Etcd (upstream's internal/component/statefulset/builder.go, and
// test/localenv/README.md): a pure function of the Etcd and a few inputs read
// elsewhere, so every variant is tested against a golden object.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "api/etcd.hpp"
#include "api/image_vector.hpp"

namespace druid::component {

struct StatefulSetInputs {
  api::EtcdImages images;
  // checksum/etcd-configmap of the pod template.
  std::string configmap_checksum;
  // spec.replicas of the StatefulSet (the Etcd's, or another value during
  // orphan adoption or a TLS-only patch; 0 when runtime components are off).
  std::int32_t replicas = 0;
  // Secret(store.secretRef).data["hostPath"], decoded, for the Local provider;
  // nullopt means the default /etc/gardener/local-backupbuckets.
  std::optional<std::string> local_backup_host_path;
  // The StatefulSet as it exists, if it does: its selector decides whether
  // its old pod-template labels must be kept.
  const nlohmann::json* existing = nullptr;
  // The QuorumAwareUpdatesWithOnDelete gate: spec.updateStrategy OnDelete (pods
  // are replaced by druid's OnDelete controller) instead of RollingUpdate.
  // Outside the pod template, so switching creates no new revision.
  bool on_delete_update_strategy = false;
};

// The complete desired StatefulSet (apiVersion, kind, metadata with labels and
// owner reference, spec). Errors name the Etcd field that cannot be used,
// e.g. an unparsable spec.etcd.quota or an ECS store without secretRef.
util::Expected<nlohmann::json, std::string> build_statefulset(const api::Etcd& etcd,
                                                              const StatefulSetInputs& inputs);

}  // namespace druid::component
