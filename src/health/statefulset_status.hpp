#pragma once
// What the Etcd status mirrors from its StatefulSet (etcd-druid.md §1.3,
// §1.3.1): readiness, replica counts and the `status.etcd` reference. A
// StatefulSet that the Etcd does not control is treated as missing.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "api/etcd.hpp"

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
};
StatefulSetFacts read_statefulset(const nlohmann::json& sts);

// The controller owner reference of `object` carries the Etcd's UID.
bool is_controlled_by(const nlohmann::json& object, const api::Etcd& etcd);

// `sts` when non-null and controlled by the Etcd, else null.
const nlohmann::json* controlled_statefulset(const nlohmann::json* sts, const api::Etcd& etcd);

// §1.3.1: the StatefulSet controller has observed the latest generation, enough
// replicas are ready and no rolling update is in flight. The replicas expected
// ready are spec.replicas once the Etcd's spec has been reconciled
// (status.observedGeneration == metadata.generation), else the StatefulSet's own.
bool is_statefulset_ready(const api::Etcd& etcd, const StatefulSetFacts& sts);

// Sets ready, replicas (= sts status.currentReplicas, as upstream), currentReplicas,
// readyReplicas and the `etcd` reference from a controlled StatefulSet; with none
// (null), ready is false and currentReplicas/readyReplicas 0 while replicas and
// the reference keep their previous values.
void apply_statefulset_status(api::EtcdStatus& status, const api::Etcd& etcd,
                              const nlohmann::json* controlled_sts);

}  // namespace druid::health
