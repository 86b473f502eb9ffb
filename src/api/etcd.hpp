#pragma once
// The Etcd custom resource (druid.gardener.cloud/v1alpha1), every field with its
// JSON name (upstream's api/core/v1alpha1/etcd.go). Pass-through Kubernetes structures
// (affinity, topologySpreadConstraints, resources) stay JSON. Durations,
// quantities and times are kept as written; api/duration.hpp, api/quantity.hpp
// and util/time.hpp parse them, api/defaults.hpp supplies druid's defaults.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "api/codec.hpp"
#include "api/common.hpp"
#include "api/label_selector.hpp"
#include "api/object_meta.hpp"
#include "util/expected.hpp"

namespace druid::api {

inline constexpr const char* kGroup = "druid.gardener.cloud";
inline constexpr const char* kVersion = "v1alpha1";
inline constexpr const char* kApiVersion = "druid.gardener.cloud/v1alpha1";
inline constexpr const char* kEtcdKind = "Etcd";

struct TLSConfig {
  CaSecretReference tls_ca_secret_ref;
  SecretReference server_tls_secret_ref;
  std::optional<SecretReference> client_tls_secret_ref;
  UnknownFields unknown;
  friend bool operator==(const TLSConfig&, const TLSConfig&) = default;
};

template <class V, class T>
void visit_tls_fields(V& v, T& t) {
  v.required("tlsCASecretRef", t.tls_ca_secret_ref);
  v.required("serverTLSSecretRef", t.server_tls_secret_ref);
  v("clientTLSSecretRef", t.client_tls_secret_ref);
}

template <class V>
void visit_fields(V& v, TLSConfig& t) {
  visit_tls_fields(v, t);
  v.unknown(t.unknown);
}

struct PeerTLSConfig {
  CaSecretReference tls_ca_secret_ref;
  SecretReference server_tls_secret_ref;
  std::optional<SecretReference> client_tls_secret_ref;
  std::optional<bool> skip_client_san_verification;
  UnknownFields unknown;
  friend bool operator==(const PeerTLSConfig&, const PeerTLSConfig&) = default;
};

template <class V>
void visit_fields(V& v, PeerTLSConfig& t) {
  visit_tls_fields(v, t);
  v("skipClientSANVerification", t.skip_client_san_verification);
  v.unknown(t.unknown);
}

struct MemberPeerURLs {
  std::string member_name;
  std::vector<std::string> urls;
  UnknownFields unknown;
  friend bool operator==(const MemberPeerURLs&, const MemberPeerURLs&) = default;
};

template <class V>
void visit_fields(V& v, MemberPeerURLs& m) {
  v.required("memberName", m.member_name);
  v.required("urls", m.urls);
  v.unknown(m.unknown);
}

struct BootstrapExistingMember {
  std::string name;
  std::vector<std::string> peer_urls;
  UnknownFields unknown;
  friend bool operator==(const BootstrapExistingMember&, const BootstrapExistingMember&) = default;
};

template <class V>
void visit_fields(V& v, BootstrapExistingMember& m) {
  v.required("name", m.name);
  v.required("peerUrls", m.peer_urls);
  v.unknown(m.unknown);
}

struct BootstrapWithExistingCluster {
  std::vector<BootstrapExistingMember> members;
  std::vector<std::string> client_endpoints;
  UnknownFields unknown;
  friend bool operator==(const BootstrapWithExistingCluster&,
                         const BootstrapWithExistingCluster&) = default;
};

template <class V>
void visit_fields(V& v, BootstrapWithExistingCluster& b) {
  v.required("members", b.members);
  v.required("clientEndpoints", b.client_endpoints);
  v.unknown(b.unknown);
}

struct ClientService {
  std::map<std::string, std::string> annotations;
  std::map<std::string, std::string> labels;
  std::optional<std::string> traffic_distribution;  // PreferSameZone, PreferSameNode, PreferClose
  UnknownFields unknown;
  friend bool operator==(const ClientService&, const ClientService&) = default;
};

template <class V>
void visit_fields(V& v, ClientService& c) {
  v("annotations", c.annotations);
  v("labels", c.labels);
  v("trafficDistribution", c.traffic_distribution);
  v.unknown(c.unknown);
}

struct EtcdConfig {
  std::optional<IntOrString> quota;
  std::optional<std::int64_t> snapshot_count;
  std::optional<bool> enable_grpc_gateway;
  std::optional<std::string> defragmentation_schedule;
  std::optional<std::int32_t> server_port;
  std::optional<std::int32_t> client_port;
  std::optional<std::int32_t> wrapper_port;
  std::optional<std::string> image;
  std::optional<SecretReference> auth_secret_ref;
  std::optional<std::string> metrics;       // basic, extensive
  std::optional<nlohmann::json> resources;  // core/v1 ResourceRequirements
  std::optional<TLSConfig> client_url_tls;
  std::optional<PeerTLSConfig> peer_url_tls;
  std::vector<MemberPeerURLs> additional_advertise_peer_urls;
  std::optional<std::string> etcd_defrag_timeout;
  std::optional<std::string> heartbeat_duration;
  std::optional<ClientService> client_service;
  std::optional<std::string> backend_bbolt_freelist_type;  // array, map
  std::optional<BootstrapWithExistingCluster> bootstrap_with_existing_cluster;
  UnknownFields unknown;
  friend bool operator==(const EtcdConfig&, const EtcdConfig&) = default;
};

template <class V>
void visit_fields(V& v, EtcdConfig& c) {
  v("quota", c.quota);
  v("snapshotCount", c.snapshot_count);
  v("enableGRPCGateway", c.enable_grpc_gateway);
  v("defragmentationSchedule", c.defragmentation_schedule);
  v("serverPort", c.server_port);
  v("clientPort", c.client_port);
  v("wrapperPort", c.wrapper_port);
  v("image", c.image);
  v("authSecretRef", c.auth_secret_ref);
  v("metrics", c.metrics);
  v("resources", c.resources);
  v("clientUrlTls", c.client_url_tls);
  v("peerUrlTls", c.peer_url_tls);
  v("additionalAdvertisePeerURLs", c.additional_advertise_peer_urls);
  v("etcdDefragTimeout", c.etcd_defrag_timeout);
  v("heartbeatDuration", c.heartbeat_duration);
  v("clientService", c.client_service);
  v("backendBboltFreelistType", c.backend_bbolt_freelist_type);
  v("bootstrapWithExistingCluster", c.bootstrap_with_existing_cluster);
  v.unknown(c.unknown);
}

struct StoreSpec {
  std::optional<std::string> container;
  std::optional<std::string> endpoint_override;
  std::string prefix;
  std::optional<std::string> provider;
  std::optional<SecretReference> secret_ref;
  UnknownFields unknown;
  friend bool operator==(const StoreSpec&, const StoreSpec&) = default;
};

template <class V>
void visit_fields(V& v, StoreSpec& s) {
  v("container", s.container);
  v("endpointOverride", s.endpoint_override);
  v.required("prefix", s.prefix);
  v("provider", s.provider);
  v("secretRef", s.secret_ref);
  v.unknown(s.unknown);
}

struct CompactionSpec {
  std::optional<nlohmann::json> resources;
  std::optional<std::int64_t> events_threshold;
  std::optional<std::int64_t> trigger_full_snapshot_threshold;
  UnknownFields unknown;
  friend bool operator==(const CompactionSpec&, const CompactionSpec&) = default;
};

template <class V>
void visit_fields(V& v, CompactionSpec& c) {
  v("resources", c.resources);
  v("eventsThreshold", c.events_threshold);
  v("triggerFullSnapshotThreshold", c.trigger_full_snapshot_threshold);
  v.unknown(c.unknown);
}

struct CompressionSpec {
  std::optional<bool> enabled;
  std::optional<std::string> policy;  // gzip, lzw, zlib
  UnknownFields unknown;
  friend bool operator==(const CompressionSpec&, const CompressionSpec&) = default;
};

template <class V>
void visit_fields(V& v, CompressionSpec& c) {
  v("enabled", c.enabled);
  v("policy", c.policy);
  v.unknown(c.unknown);
}

struct LeaderElectionSpec {
  std::optional<std::string> reelection_period;
  std::optional<std::string> etcd_connection_timeout;
  UnknownFields unknown;
  friend bool operator==(const LeaderElectionSpec&, const LeaderElectionSpec&) = default;
};

template <class V>
void visit_fields(V& v, LeaderElectionSpec& l) {
  v("reelectionPeriod", l.reelection_period);
  v("etcdConnectionTimeout", l.etcd_connection_timeout);
  v.unknown(l.unknown);
}

struct BackupSpec {
  std::optional<std::int32_t> port;
  std::optional<TLSConfig> tls;
  std::optional<std::string> image;
  std::optional<StoreSpec> store;
  std::optional<nlohmann::json> resources;
  std::optional<CompactionSpec> snapshot_compaction;
  std::optional<std::string> full_snapshot_schedule;
  std::optional<std::string> garbage_collection_policy;  // Exponential, LimitBased
  std::optional<std::int32_t> max_backups_limit_based_gc;
  std::optional<std::string> garbage_collection_period;
  std::optional<std::string> delta_snapshot_period;
  std::optional<IntOrString> delta_snapshot_memory_limit;
  std::optional<std::string> delta_snapshot_retention_period;
  std::optional<CompressionSpec> compression;
  std::optional<bool> enable_profiling;
  std::optional<std::string> etcd_snapshot_timeout;
  std::optional<LeaderElectionSpec> leader_election;
  UnknownFields unknown;
  friend bool operator==(const BackupSpec&, const BackupSpec&) = default;
};

template <class V>
void visit_fields(V& v, BackupSpec& b) {
  v("port", b.port);
  v("tls", b.tls);
  v("image", b.image);
  v("store", b.store);
  v("resources", b.resources);
  v("snapshotCompaction", b.snapshot_compaction);
  v("fullSnapshotSchedule", b.full_snapshot_schedule);
  v("garbageCollectionPolicy", b.garbage_collection_policy);
  v("maxBackupsLimitBasedGC", b.max_backups_limit_based_gc);
  v("garbageCollectionPeriod", b.garbage_collection_period);
  v("deltaSnapshotPeriod", b.delta_snapshot_period);
  v("deltaSnapshotMemoryLimit", b.delta_snapshot_memory_limit);
  v("deltaSnapshotRetentionPeriod", b.delta_snapshot_retention_period);
  v("compression", b.compression);
  v("enableProfiling", b.enable_profiling);
  v("etcdSnapshotTimeout", b.etcd_snapshot_timeout);
  v("leaderElection", b.leader_election);
  v.unknown(b.unknown);
}

struct SharedConfig {
  std::optional<std::string> auto_compaction_mode;  // periodic, revision
  std::optional<std::string> auto_compaction_retention;
  UnknownFields unknown;
  friend bool operator==(const SharedConfig&, const SharedConfig&) = default;
};

template <class V>
void visit_fields(V& v, SharedConfig& s) {
  v("autoCompactionMode", s.auto_compaction_mode);
  v("autoCompactionRetention", s.auto_compaction_retention);
  v.unknown(s.unknown);
}

struct SchedulingConstraints {
  std::optional<nlohmann::json> affinity;                   // core/v1 Affinity
  std::vector<nlohmann::json> topology_spread_constraints;  // core/v1 TopologySpreadConstraint
  UnknownFields unknown;
  friend bool operator==(const SchedulingConstraints&, const SchedulingConstraints&) = default;
};

template <class V>
void visit_fields(V& v, SchedulingConstraints& s) {
  v("affinity", s.affinity);
  v("topologySpreadConstraints", s.topology_spread_constraints);
  v.unknown(s.unknown);
}

struct EtcdSpec {
  std::optional<std::string> member_name_prefix;
  std::optional<LabelSelector> selector;  // deprecated, unused
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  EtcdConfig etcd;
  BackupSpec backup;
  std::optional<SharedConfig> shared_config;
  std::optional<SchedulingConstraints> scheduling_constraints;
  std::int32_t replicas = 0;
  std::optional<std::string> priority_class_name;
  std::optional<std::string> storage_class;
  std::optional<IntOrString> storage_capacity;
  std::optional<std::string> volume_claim_template;
  std::optional<bool> run_as_root;
  UnknownFields unknown;
  friend bool operator==(const EtcdSpec&, const EtcdSpec&) = default;
};

template <class V>
void visit_fields(V& v, EtcdSpec& s) {
  v("memberNamePrefix", s.member_name_prefix);
  v("selector", s.selector);
  v.required("labels", s.labels);
  v("annotations", s.annotations);
  v.required("etcd", s.etcd);
  v.required("backup", s.backup);
  v("sharedConfig", s.shared_config);
  v("schedulingConstraints", s.scheduling_constraints);
  v.required("replicas", s.replicas);
  v("priorityClassName", s.priority_class_name);
  v("storageClass", s.storage_class);
  v("storageCapacity", s.storage_capacity);
  v("volumeClaimTemplate", s.volume_claim_template);
  v("runAsRoot", s.run_as_root);
  v.unknown(s.unknown);
}

// Member statuses and roles (upstream's api/core/v1alpha1/etcd.go).
namespace member {
inline constexpr const char* kStatusReady = "Ready";
inline constexpr const char* kStatusNotReady = "NotReady";
inline constexpr const char* kStatusUnknown = "Unknown";
inline constexpr const char* kRoleLeader = "Leader";
inline constexpr const char* kRoleMember = "Member";
}  // namespace member

struct EtcdMemberStatus {
  std::string name;
  std::optional<std::string> id;
  std::optional<std::string> role;
  std::string status;
  std::string reason;
  std::string last_transition_time;
  UnknownFields unknown;
  friend bool operator==(const EtcdMemberStatus&, const EtcdMemberStatus&) = default;
};

template <class V>
void visit_fields(V& v, EtcdMemberStatus& m) {
  v.required("name", m.name);
  v("id", m.id);
  v("role", m.role);
  v.required("status", m.status);
  v.required("reason", m.reason);
  v.required("lastTransitionTime", m.last_transition_time);
  v.unknown(m.unknown);
}

struct BootstrapMemberStatus {
  std::string name;
  std::vector<std::string> peer_urls;
  UnknownFields unknown;
  friend bool operator==(const BootstrapMemberStatus&, const BootstrapMemberStatus&) = default;
};

template <class V>
void visit_fields(V& v, BootstrapMemberStatus& m) {
  v.required("name", m.name);
  v.required("peerUrls", m.peer_urls);
  v.unknown(m.unknown);
}

struct BootstrapWithExistingClusterStatus {
  std::string joined_at;
  std::vector<BootstrapMemberStatus> members;
  UnknownFields unknown;
  friend bool operator==(const BootstrapWithExistingClusterStatus&,
                         const BootstrapWithExistingClusterStatus&) = default;
};

template <class V>
void visit_fields(V& v, BootstrapWithExistingClusterStatus& b) {
  v.required("joinedAt", b.joined_at);
  v.required("members", b.members);
  v.unknown(b.unknown);
}

struct EtcdStatus {
  std::optional<std::int64_t> observed_generation;
  std::optional<CrossVersionObjectReference> etcd;
  std::vector<Condition> conditions;
  std::vector<LastError> last_errors;
  std::optional<LastOperation> last_operation;
  std::int32_t current_replicas = 0;
  std::int32_t replicas = 0;
  std::int32_t ready_replicas = 0;
  std::optional<bool> ready;
  std::optional<LabelSelector> label_selector;  // deprecated, never written
  std::vector<EtcdMemberStatus> members;
  std::optional<bool> peer_url_tls_enabled;  // never written
  std::optional<std::string> selector;
  std::optional<BootstrapWithExistingClusterStatus> bootstrap_with_existing_cluster;
  UnknownFields unknown;
  friend bool operator==(const EtcdStatus&, const EtcdStatus&) = default;

  const Condition* condition(const std::string& type) const;
};

template <class V>
void visit_fields(V& v, EtcdStatus& s) {
  v("observedGeneration", s.observed_generation);
  v("etcd", s.etcd);
  v("conditions", s.conditions);
  v("lastErrors", s.last_errors);
  v("lastOperation", s.last_operation);
  v("currentReplicas", s.current_replicas);
  v("replicas", s.replicas);
  v("readyReplicas", s.ready_replicas);
  v("ready", s.ready);
  v("labelSelector", s.label_selector);
  v("members", s.members);
  v("peerUrlTLSEnabled", s.peer_url_tls_enabled);
  v("selector", s.selector);
  v("bootstrapWithExistingCluster", s.bootstrap_with_existing_cluster);
  v.unknown(s.unknown);
}

struct Etcd {
  std::string api_version = kApiVersion;
  std::string kind = kEtcdKind;
  ObjectMeta metadata;
  EtcdSpec spec;
  std::optional<EtcdStatus> status;
  UnknownFields unknown;
  friend bool operator==(const Etcd&, const Etcd&) = default;
};

template <class V>
void visit_fields(V& v, Etcd& e) {
  v("apiVersion", e.api_version);
  v("kind", e.kind);
  v("metadata", e.metadata);
  v("spec", e.spec);
  v("status", e.status);
  v.unknown(e.unknown);
}

// Etcd condition types (upstream's api/core/v1alpha1/conditions.go).
namespace condition {
inline constexpr const char* kReady = "Ready";
inline constexpr const char* kAllMembersReady = "AllMembersReady";
inline constexpr const char* kAllMembersUpdated = "AllMembersUpdated";
inline constexpr const char* kBackupReady = "BackupReady";
inline constexpr const char* kDataVolumesReady = "DataVolumesReady";
inline constexpr const char* kClusterIdMismatch = "ClusterIDMismatch";
inline constexpr const char* kBootstrappedWithExistingCluster = "BootstrappedWithExistingCluster";
inline constexpr const char* kLastSnapshotCompactionSucceeded = "LastSnapshotCompactionSucceeded";
}  // namespace condition

// Decoding/encoding entry points; decode errors carry field paths.
util::Expected<Etcd, FieldErrors> decode_etcd(const nlohmann::json& j);
nlohmann::json encode_etcd(const Etcd& etcd);

// lastOperation / lastErrors helpers (upstream's api/common/types.go).
bool is_reconciliation_in_progress(const Etcd& etcd);
bool is_deletion_in_progress(const Etcd& etcd);
bool is_backup_store_enabled(const Etcd& etcd);

}  // namespace druid::api
