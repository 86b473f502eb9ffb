#pragma once
// druid's defaults for unset Etcd fields (upstream's internal/common/constants.go,
// internal/component/statefulset/builder.go and internal/component/configmap/etcdconfig.go).
// They are applied
// where a value is used and never written back into the object, so each field
// has one function returning its effective value: the user's value when set,
// else druid's default. Parsed values (quantities, durations) come back typed;
// a user value that does not parse is an error naming the field, e.g.
// `spec.etcd.quota: quantities must match the regular expression ...`.
// The PVC template name default lives with the other names (api/names.hpp).

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "api/duration.hpp"
#include "api/etcd.hpp"
#include "api/quantity.hpp"
#include "util/expected.hpp"
#include "util/parse_error.hpp"

namespace druid::api {

// The uid/gid etcd pods (unless runAsRoot) and copy-backups jobs run as.
inline constexpr std::int64_t kNonRootUserId = 65532;

// A duration as druid renders it into arguments: a user value is printed with
// Go's Duration.String() ("300s" -> "5m0s"), an unset one as the literal
// default ("15m"), as upstream does.
struct EffectiveDuration {
  Duration value;
  std::string text;
  friend bool operator==(const EffectiveDuration&, const EffectiveDuration&) = default;
};

namespace effective {

// spec.etcd
util::Expected<Quantity, util::ParseError> quota(const Etcd& etcd);  // 8Gi
std::int64_t snapshot_count(const Etcd& etcd);                       // 10000
bool grpc_gateway_enabled(const Etcd& etcd);                         // false
std::int32_t server_port(const Etcd& etcd);                          // 2380 (peer)
std::int32_t client_port(const Etcd& etcd);                          // 2379
std::int32_t wrapper_port(const Etcd& etcd);                         // 9095
std::string metrics_level(const Etcd& etcd);                         // basic
// core/v1 ResourceRequirements of the etcd container, passed through as written;
// default {"requests": {"cpu": "50m", "memory": "128Mi"}}.
nlohmann::json etcd_resources(const Etcd& etcd);
util::Expected<EffectiveDuration, util::ParseError> etcd_defrag_timeout(const Etcd& etcd);  // 15m
util::Expected<EffectiveDuration, util::ParseError> heartbeat_duration(const Etcd& etcd);   // 10s
std::string backend_bbolt_freelist_type(const Etcd& etcd);                                  // array

// spec.backup
std::int32_t backup_port(const Etcd& etcd);  // 8080
// As etcd_resources, for the backup-restore container.
nlohmann::json backup_resources(const Etcd& etcd);
std::string garbage_collection_policy(const Etcd& etcd);    // LimitBased
std::int32_t max_backups_limit_based_gc(const Etcd& etcd);  // 7
util::Expected<Quantity, util::ParseError> delta_snapshot_memory_limit(const Etcd& etcd);  // 100Mi
bool compression_enabled(const Etcd& etcd);                                                // true
std::string compression_policy(const Etcd& etcd);                                          // gzip
bool profiling_enabled(const Etcd& etcd);                                                  // false
util::Expected<EffectiveDuration, util::ParseError> etcd_snapshot_timeout(const Etcd& etcd);  // 15m
// The period the BackupReady check measures lease freshness against: the
// user's deltaSnapshotPeriod, else backup-restore's own default of 20s
// (upstream dereferences the unset field; README decisions table).
util::Expected<EffectiveDuration, util::ParseError> backup_ready_delta_snapshot_period(
    const Etcd& etcd);

// spec.sharedConfig
std::string auto_compaction_mode(const Etcd& etcd);       // periodic
std::string auto_compaction_retention(const Etcd& etcd);  // 30m (passed through as written)

// spec
util::Expected<Quantity, util::ParseError> storage_capacity(const Etcd& etcd);  // 16Gi
bool runs_as_root(const Etcd& etcd);                                            // false
// runAsUser/runAsGroup/fsGroup of the etcd pod: 0 with runAsRoot, else 65532.
std::int64_t pod_user_id(const Etcd& etcd);
std::int64_t pod_group_id(const Etcd& etcd);
std::string priority_class_name(const Etcd& etcd);  // ""

}  // namespace effective
}  // namespace druid::api
