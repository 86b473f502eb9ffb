#pragma once
// Etcd members from their Leases (upstream's internal/health/etcdmember/check_ready.go). The
// backup-restore sidecar of each member renews the member Lease named like the member
// (etcd-backup-restore's pkg/health/heartbeat/heartbeat.go): `spec.holderIdentity` carries
// "<memberID>:<clusterID>:<role>" (or "<memberID>:<role>" from sidecars up to v0.39) and
// `spec.renewTime` the last heartbeat. A member is Ready while its lease is fresh, Unknown once it
// is older than the unknown threshold (NotReady right away when its pod's containers are not
// ready), and NotReady after the grace period.
//
// Everything here reads objects as the API server returned them and is pure:
// the caller passes the time. Malformed leases are skipped, never thrown on.

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/etcd.hpp"
#include "util/expected.hpp"
#include "util/time.hpp"

namespace druid::health {

// Objects as a cache hands them out (the same type as kube::ObjectPtr, which
// this layer cannot name). Null entries are ignored everywhere.
using ObjectPtr = std::shared_ptr<const nlohmann::json>;

// The object named `name` among `objects` (first match), or null.
const nlohmann::json* find_object(const std::vector<ObjectPtr>& objects, std::string_view name);

// Member reasons (upstream's internal/health/etcdmember/check_ready.go).
namespace member_reason {
inline constexpr const char* kLeaseSucceeded = "LeaseSucceeded";
inline constexpr const char* kLeaseExpired = "LeaseExpired";
inline constexpr const char* kContainersNotReady = "ContainersNotReady";
inline constexpr const char* kUnknownGracePeriodExceeded = "UnknownGracePeriodExceeded";
}  // namespace member_reason

// controllers.etcd.etcdMember.{unknownThreshold,notReadyThreshold} (upstream's
// api/config/v1alpha1/types.go).
struct MemberThresholds {
  std::chrono::nanoseconds unknown = std::chrono::minutes(1);
  std::chrono::nanoseconds not_ready = std::chrono::minutes(5);
};

// A parsed `spec.holderIdentity` of a member lease.
struct HolderIdentity {
  std::string member_id;
  std::optional<std::string> cluster_id;  // absent in the legacy two-token form
  std::optional<std::string> role;        // "Leader" or "Member"; absent for any other text
  friend bool operator==(const HolderIdentity&, const HolderIdentity&) = default;
};

// Parses the lease's holder identity. The error is upstream's wording:
// "lease holder identity is nil" (absent or not a string) or
// "unexpected lease holder identity format: <text>" (not two or three tokens).
util::Expected<HolderIdentity, std::string> parse_holder_identity(const nlohmann::json& lease);

// `spec.renewTime` of a lease; nullopt when absent or not an RFC 3339 time.
std::optional<util::Time> lease_renew_time(const nlohmann::json& lease);

// What the member checks read besides the Etcd.
struct MemberInputs {
  const std::vector<ObjectPtr>& member_leases;  // leases in the Etcd's namespace
  const std::vector<ObjectPtr>& pods;           // pods in the Etcd's namespace
  // Reading pods failed: a member whose pod would decide between Unknown and
  // NotReady stays Unknown, as upstream does on a failed pod Get.
  bool pods_unreadable = false;
  MemberThresholds thresholds;
  util::Time now;
};

// The member status of every expected member lease (ordinals 0..replicas-1)
// that exists, has a parsable holder identity and a renewTime; in ordinal order
// and without lastTransitionTime.
std::vector<api::EtcdMemberStatus> check_members(const api::Etcd& etcd, const MemberInputs& in);

// `status.members` from the check results: sorted by name, lastTransitionTime =
// now unless the previous entry of the same name had the same status.
std::vector<api::EtcdMemberStatus> build_members(const std::vector<api::EtcdMemberStatus>& previous,
                                                 std::vector<api::EtcdMemberStatus> results,
                                                 util::Time now);

}  // namespace druid::health
