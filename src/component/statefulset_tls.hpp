#pragma once
// The questions the StatefulSet sync asks before it rolls out a TLS change
// (handleTLSChanges in upstream's internal/component/statefulset/statefulset.go): do the TLS volume
// mounts of the existing pod template match the desired ones, is a peer-TLS change safe for the
// running members, and have all members reported the peer TLS state through their leases. Pure
// functions of JSON objects, so each rule is tested alone.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "util/expected.hpp"

namespace druid::component {

struct VolumeMountRef {
  std::string name;
  std::string mount_path;
  friend bool operator==(const VolumeMountRef&, const VolumeMountRef&) = default;
};

// The volume mounts of `container` in the pod template whose names are TLS
// volumes of that container: for `etcd` the client, peer and backup-restore
// CA mounts; for any other container the backup-restore server TLS and the
// etcd client TLS mounts. Empty when the container does not exist.
std::vector<VolumeMountRef> tls_volume_mounts(const nlohmann::json& statefulset,
                                              std::string_view container);

// The peer TLS mounts of the `etcd` container, counting the names used before
// v0.23 (`peer-url-ca-etcd`, `peer-url-etcd-server-tls`) as well: a StatefulSet
// created by an old druid already serves peer TLS under those names.
std::vector<VolumeMountRef> peer_tls_volume_mounts(const nlohmann::json& statefulset);

// True when the `etcd` and `backup-restore` containers of `existing` mount
// exactly the TLS volumes (name and path) the `desired` StatefulSet mounts.
bool is_tls_config_in_sync(const nlohmann::json& desired, const nlohmann::json& existing);

// True when `existing` mounts as many peer TLS volumes as `desired`, i.e. the
// change does not switch peer TLS on or off.
bool has_same_peer_tls_mount_count(const nlohmann::json& desired, const nlohmann::json& existing);

// spec.replicas of a StatefulSet; Kubernetes defaults an unset value to 1.
std::int32_t statefulset_replicas(const nlohmann::json& statefulset);
// status.readyReplicas, 0 when unset.
std::int32_t statefulset_ready_replicas(const nlohmann::json& statefulset);

// A multi-member StatefulSet with some but not all members ready. Rolling out a
// peer TLS switch now could restart a healthy member and lose quorum.
bool has_partially_ready_members(const nlohmann::json& statefulset);

// The member.etcd.gardener.cloud/tls-enabled annotation of a member lease with
// Go's strconv.ParseBool rules; false when absent. The error names the value.
util::Expected<bool, std::string> lease_peer_tls_enabled(const nlohmann::json& lease);

// Whether the first min(replicas, leases.size()) member leases (in ordinal
// order) all report the peer TLS state the Etcd asks for: enabled when
// `peer_tls_configured`, disabled (or unreported) otherwise.
util::Expected<bool, std::string> member_leases_match_peer_tls(
    const std::vector<const nlohmann::json*>& leases, std::int32_t replicas,
    bool peer_tls_configured);

}  // namespace druid::component
