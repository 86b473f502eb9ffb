#pragma once
// What one cycle of the OnDelete controller knows about a StatefulSet and its
// pods (docs/quorum-aware-updates.md read from objects as the API server
// returns them. Pure: malformed fields read as "unknown", never thrown on.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "health/member_status.hpp"

namespace druid::controller::ondelete {

// State of the pod's `etcd` container, used only to order step 2.
enum class ContainerState {
  kDead,       // terminated, or waiting with a failure reason (CrashLoopBackOff, ...)
  kTransient,  // waiting in ContainerCreating or PodInitializing
  kUnknown,    // no status yet, or another waiting reason (a gap in the design)
  kAlive,      // running, ready or not
};
const char* to_string(ContainerState state);

// The member's role from its lease's holderIdentity.
enum class Role { kLeader, kMember, kUnknown };
const char* to_string(Role role);

struct PodFacts {
  std::string name;
  std::string uid;
  int ordinal = -1;
  std::string revision;        // label controller-revision-hash ("" when absent)
  bool terminating = false;    // metadata.deletionTimestamp set
  bool participating = false;  // containerStatuses[name=etcd].ready
  ContainerState state = ContainerState::kUnknown;
  Role role = Role::kUnknown;
  std::optional<std::uint64_t> member_id;  // parsed from the lease (hex)
};

// The ordinal of `<statefulset>-<n>`, or nullopt for any other name.
std::optional<int> pod_ordinal(std::string_view statefulset_name, std::string_view pod_name);

// Container state and participation of the `etcd` container.
ContainerState etcd_container_state(const nlohmann::json& pod);
bool etcd_container_ready(const nlohmann::json& pod);

// Role and member ID from a member lease (null: no lease → unknown role).
// holderIdentity "<memberID hex>:<clusterID hex>:<Leader|Member>" or the legacy
// "<memberID>:<role>"; anything unparsable leaves both unknown.
void apply_member_lease(PodFacts& facts, const nlohmann::json* lease);

// The facts of one pod (role and ID are applied separately from its lease).
PodFacts read_pod(std::string_view statefulset_name, const nlohmann::json& pod);

}  // namespace druid::controller::ondelete
