#pragma once
// What the Etcd status mirrors from its StatefulSet (upstream's
// internal/controller/etcd/reconcile_status.go and internal/utils/kubernetes/statefulset.go):
// readiness, replica counts and the `status.etcd` reference. A
// StatefulSet that the Etcd does not control is treated as missing.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "api/etcd.hpp"
#include "health/member_status.hpp"

namespace druid::health {

// The fields of an apps/v1 StatefulSet the status reads; missing or mistyped
// fields read as zero/empty, spec.replicas as 1 (the API server's default).
struct StatefulSetFacts {
  std::string name;
  std::string namespace_;
  std::int64_t generation = 0;
  std::int32_t spec_replicas = 1;
  std::vector<std::string> volume_claim_template_names;
  std::int64_t observed_generation = 0;
  std::int32_t current_replicas = 0;
  std::int32_t ready_replicas = 0;
  std::int32_t updated_replicas = 0;
  std::string current_revision;
  std::string update_revision;
  // spec.updateStrategy.type == OnDelete (QuorumAwareUpdatesWithOnDelete).
  bool on_delete = false;
  // Every pod the StatefulSet owns carries controller-revision-hash ==
  // status.updateRevision; computed only when the pods are given.
  bool pods_at_update_revision = false;
};
// `pods`: the pods of the Etcd (any owner; only those the StatefulSet owns
// count), or null when they are unknown (then pods_at_update_revision is false).
StatefulSetFacts read_statefulset(const nlohmann::json& sts,
                                  const std::vector<ObjectPtr>* pods = nullptr);

// The pod label naming the StatefulSet revision a pod was created from.
inline constexpr const char* kControllerRevisionHashLabel = "controller-revision-hash";

// The pod's controller owner reference is the StatefulSet `sts` (by UID; by
// name when the StatefulSet has no UID). Compaction job pods match the
// StatefulSet's selector too, but are not owned by it.
bool is_owned_by_statefulset(const nlohmann::json& pod, const nlohmann::json& sts);

// docs/quorum-aware-updates.md every pod the StatefulSet owns carries
// controller-revision-hash == status.updateRevision (false without an
// updateRevision). Under OnDelete, Kubernetes below 1.37 never promotes
// status.currentRevision, so this replaces the revision comparison.
bool all_owned_pods_at_update_revision(const nlohmann::json& sts,
                                       const std::vector<ObjectPtr>& pods);

// The latest revision reached every replica: under RollingUpdate
// currentRevision == updateRevision and currentReplicas == updatedReplicas
// (upstream's IsStatefulSetReady); under OnDelete the pod-level check.
bool revision_rolled_out(const StatefulSetFacts& sts);

// `sts` when non-null and controlled by the Etcd, else null.
const nlohmann::json* controlled_statefulset(const nlohmann::json* sts, const api::Etcd& etcd);

// Upstream's IsStatefulSetReady: the StatefulSet controller has observed the latest generation,
// enough replicas are ready and no rolling update is in flight. The replicas expected ready are
// spec.replicas once the Etcd's spec has been reconciled (status.observedGeneration ==
// metadata.generation), else the StatefulSet's own. Under OnDelete "no rolling update in flight" is
// the pod-level check.
bool is_statefulset_ready(const api::Etcd& etcd, const StatefulSetFacts& sts);

// Sets ready, replicas (= sts status.currentReplicas, as upstream), currentReplicas,
// readyReplicas and the `etcd` reference from a controlled StatefulSet; with none
// (null), ready is false and currentReplicas/readyReplicas 0 while replicas and
// the reference keep their previous values.
// `pods` as for read_statefulset.
void apply_statefulset_status(api::EtcdStatus& status, const api::Etcd& etcd,
                              const nlohmann::json* controlled_sts,
                              const std::vector<ObjectPtr>* pods = nullptr);

}  // namespace druid::health
