#pragma once
// The Lease writes of etcd-backup-restore (test/localenv/README.md): the member
// lease's heartbeat and the full/delta snapshot leases' revisions.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "etcd/client.hpp"
#include "kube/client.hpp"
#include "util/expected.hpp"
#include "util/time.hpp"

namespace druid::localenv::backup {

inline constexpr const char* kTlsEnabledAnnotation = "member.etcd.gardener.cloud/tls-enabled";

// "<memberID hex>:<clusterID hex>:<Leader|Member>".
std::string member_holder_identity(const etcd::MemberStatus& status);

// The merge patch of one heartbeat: holderIdentity, renewTime (MicroTime) and
// the tls-enabled annotation (whether etcd lists https peer URLs for the member).
nlohmann::json member_lease_patch(const etcd::MemberStatus& status, bool peer_tls_enabled,
                                  util::Time now);

util::Expected<bool, kube::ApiError> renew_member_lease(kube::Client& client, const std::string& ns,
                                                        const std::string& name,
                                                        const etcd::MemberStatus& status,
                                                        bool peer_tls_enabled, util::Time now);

// A snapshot lease: renewTime = `renew_time`, holderIdentity = `revision` in
// decimal when larger than what it holds (an unparsable value counts as 0).
// Optimistic-lock merge patch, retried on conflict (at most 5 attempts).
util::Expected<bool, kube::ApiError> renew_snapshot_lease(kube::Client& client,
                                                          const std::string& ns,
                                                          const std::string& name,
                                                          std::int64_t revision,
                                                          util::Time renew_time);

}  // namespace druid::localenv::backup
