#pragma once
// The etcd configuration one member starts with, computed from the ConfigMap's
// etcd.conf.yaml the way etcd-backup-restore's /config does it (its pkg/server/httpAPI.go,
// test/localenv/README.md): pure functions of the shared config, the pod name and the cluster's
// current member list, so they are tested without etcd.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "etcd/client.hpp"
#include "util/expected.hpp"

namespace druid::localenv::backup {

struct InitialClusterEntry {
  std::string name;
  std::string peer_url;
  friend bool operator==(const InitialClusterEntry&, const InitialClusterEntry&) = default;
};

// "a=http://x:2380,b=http://y:2380" → entries in order (a name may repeat for
// a member with several peer URLs). Malformed entries (no '=') are errors.
util::Expected<std::vector<InitialClusterEntry>, std::string> parse_initial_cluster(
    std::string_view text);

// Distinct member names of the config's initial-cluster.
util::Expected<std::vector<std::string>, std::string> initial_cluster_members(
    const nlohmann::json& config);

// POD_NAME, or "<member-name-prefix>-<POD_NAME>" when the config has a prefix.
std::string member_name(const nlohmann::json& config, const std::string& pod_name);

// This member's URLs of a per-member map key (initial-advertise-peer-urls,
// advertise-client-urls); a plain string value is split at commas.
util::Expected<std::vector<std::string>, std::string> member_urls(const nlohmann::json& config,
                                                                  const std::string& key,
                                                                  const std::string& member);

// The member's config. `members` is the cluster's member list as the service
// endpoints report it, nullopt when it could not be read.
//   - name = member_name; the two per-member maps become comma-joined strings;
//   - for a cluster of >1 members, initial-cluster keeps the entries of
//     members in `members` plus this member (all entries when `members` is unknown);
//   - initial-cluster-state: "new" for one member; "existing" when `members`
//     holds a learner; otherwise (and when unknown) "new";
//   - enable-grpc-gateway: true whatever the ConfigMap says. Deviation from
//     upstream: the agents reach etcd only through its JSON gateway
//     (src/etcd/client.hpp has no gRPC stack), so the gateway must be on.
util::Expected<nlohmann::json, std::string> member_etcd_config(
    const nlohmann::json& config, const std::string& pod_name,
    const std::optional<std::vector<etcd::Member>>& members);

}  // namespace druid::localenv::backup
