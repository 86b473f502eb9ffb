#pragma once
// The operator's configuration file, OperatorConfiguration of
// config.druid.gardener.cloud/v1alpha1 (upstream's api/config/v1alpha1/types.go), its defaults
// (defaults.go there) and the feature gates (features.go there). Validation is in
// api/validation/operator_config_validation.hpp.
//
// Durations are Go duration strings; after loading they are in Go's canonical
// form ("5m0s"), as Go's metav1.Duration would print them, so every one of them
// parses. The zero duration (Go's "unset") is "0s"; an empty string in a
// configuration built in code counts as zero too.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/codec.hpp"
#include "api/field_error.hpp"
#include "util/expected.hpp"

namespace druid::api {

inline constexpr const char* kOperatorConfigApiVersion = "config.druid.gardener.cloud/v1alpha1";
inline constexpr const char* kOperatorConfigKind = "OperatorConfiguration";

// Go's zero metav1.Duration as it prints.
inline constexpr const char* kZeroDuration = "0s";

// Values of logging.logLevel and logging.logFormat.
inline constexpr const char* kLogLevelDebug = "debug";
inline constexpr const char* kLogLevelInfo = "info";
inline constexpr const char* kLogLevelError = "error";
inline constexpr const char* kLogFormatJson = "json";
inline constexpr const char* kLogFormatText = "text";

// A JSON number held as a double (Go's float32 clientConnection.qps). The codec
// has no floating-point type; these overloads are found by argument-dependent
// lookup.
struct FloatNumber {
  double value = 0;
  friend bool operator==(const FloatNumber&, const FloatNumber&) = default;
};
void decode_value(const nlohmann::json& j, FloatNumber& out, const FieldPath& path,
                  DecodeState& state);
std::optional<nlohmann::json> encode_value(const FloatNumber& v);
inline SchemaNode schema_of(FloatNumber&) {
  return leaf(SchemaNode::Kind::kAny);
}

// In the visit_fields below, `v.required` marks Go fields without omitempty:
// the file format does not require them (decoding never checks), but encoding
// always writes them, as Go does.

struct ClientConnectionConfiguration {
  FloatNumber qps;
  std::int64_t burst = 0;
  std::string content_type;
  std::string accept_content_types;
  friend bool operator==(const ClientConnectionConfiguration&,
                         const ClientConnectionConfiguration&) = default;
};

template <class V>
void visit_fields(V& v, ClientConnectionConfiguration& c) {
  v.required("qps", c.qps);
  v.required("burst", c.burst);
  v.required("contentType", c.content_type);
  v.required("acceptContentTypes", c.accept_content_types);
}

struct LeaderElectionConfiguration {
  bool enabled = false;
  std::string lease_duration = kZeroDuration;
  std::string renew_deadline = kZeroDuration;
  std::string retry_period = kZeroDuration;
  std::string resource_lock;
  std::string resource_name;
  friend bool operator==(const LeaderElectionConfiguration&,
                         const LeaderElectionConfiguration&) = default;
};

template <class V>
void visit_fields(V& v, LeaderElectionConfiguration& l) {
  v.required("enabled", l.enabled);
  v.required("leaseDuration", l.lease_duration);
  v.required("renewDeadline", l.renew_deadline);
  v.required("retryPeriod", l.retry_period);
  v.required("resourceLock", l.resource_lock);
  v.required("resourceName", l.resource_name);
}

struct HttpServerConfiguration {
  std::string bind_address;
  std::int64_t port = 0;
  friend bool operator==(const HttpServerConfiguration&, const HttpServerConfiguration&) = default;
};

template <class V>
void visit_fields(V& v, HttpServerConfiguration& s) {
  v.required("bindAddress", s.bind_address);
  v.required("port", s.port);
}

struct TlsServerConfiguration {
  std::string bind_address;
  std::int64_t port = 0;
  std::string server_cert_dir;  // holds tls.crt and tls.key
  friend bool operator==(const TlsServerConfiguration&, const TlsServerConfiguration&) = default;
};

template <class V>
void visit_fields(V& v, TlsServerConfiguration& s) {
  v.required("bindAddress", s.bind_address);
  v.required("port", s.port);
  v.required("serverCertDir", s.server_cert_dir);
}

struct ServerConfiguration {
  std::optional<TlsServerConfiguration> webhooks;
  std::optional<HttpServerConfiguration> metrics;
  friend bool operator==(const ServerConfiguration&, const ServerConfiguration&) = default;
};

template <class V>
void visit_fields(V& v, ServerConfiguration& s) {
  v("webhooks", s.webhooks);
  v("metrics", s.metrics);
}

struct EtcdMemberConfiguration {
  std::string not_ready_threshold = kZeroDuration;
  std::string unknown_threshold = kZeroDuration;
  friend bool operator==(const EtcdMemberConfiguration&, const EtcdMemberConfiguration&) = default;
};

template <class V>
void visit_fields(V& v, EtcdMemberConfiguration& m) {
  v.required("notReadyThreshold", m.not_ready_threshold);
  v.required("unknownThreshold", m.unknown_threshold);
}

struct EtcdControllerConfiguration {
  std::optional<std::int64_t> concurrent_syncs;
  bool enable_etcd_spec_auto_reconcile = false;
  bool disable_etcd_service_account_automount = false;
  std::string etcd_status_sync_period = kZeroDuration;
  EtcdMemberConfiguration etcd_member;
  friend bool operator==(const EtcdControllerConfiguration&,
                         const EtcdControllerConfiguration&) = default;
};

template <class V>
void visit_fields(V& v, EtcdControllerConfiguration& e) {
  v("concurrentSyncs", e.concurrent_syncs);
  v.required("enableEtcdSpecAutoReconcile", e.enable_etcd_spec_auto_reconcile);
  v.required("disableEtcdServiceAccountAutomount", e.disable_etcd_service_account_automount);
  v.required("etcdStatusSyncPeriod", e.etcd_status_sync_period);
  v.required("etcdMember", e.etcd_member);
}

struct CompactionControllerConfiguration {
  bool enabled = false;
  std::optional<std::int64_t> concurrent_syncs;
  std::int64_t events_threshold = 0;
  std::int64_t trigger_full_snapshot_threshold = 0;
  std::string active_deadline_duration = kZeroDuration;
  std::string metrics_scrape_wait_duration = kZeroDuration;
  friend bool operator==(const CompactionControllerConfiguration&,
                         const CompactionControllerConfiguration&) = default;
};

template <class V>
void visit_fields(V& v, CompactionControllerConfiguration& c) {
  v.required("enabled", c.enabled);
  v("concurrentSyncs", c.concurrent_syncs);
  v.required("eventsThreshold", c.events_threshold);
  v.required("triggerFullSnapshotThreshold", c.trigger_full_snapshot_threshold);
  v.required("activeDeadlineDuration", c.active_deadline_duration);
  v.required("metricsScrapeWaitDuration", c.metrics_scrape_wait_duration);
}

struct EtcdCopyBackupsTaskControllerConfiguration {
  bool enabled = false;
  // Stays unset when the controller is disabled (upstream's internal/controller/register.go then
  // registers the controller anyway with a nil worker count).
  std::optional<std::int64_t> concurrent_syncs;
  friend bool operator==(const EtcdCopyBackupsTaskControllerConfiguration&,
                         const EtcdCopyBackupsTaskControllerConfiguration&) = default;
};

template <class V>
void visit_fields(V& v, EtcdCopyBackupsTaskControllerConfiguration& c) {
  v.required("enabled", c.enabled);
  v("concurrentSyncs", c.concurrent_syncs);
}

struct SecretControllerConfiguration {
  std::optional<std::int64_t> concurrent_syncs;
  friend bool operator==(const SecretControllerConfiguration&,
                         const SecretControllerConfiguration&) = default;
};

template <class V>
void visit_fields(V& v, SecretControllerConfiguration& c) {
  v("concurrentSyncs", c.concurrent_syncs);
}

struct EtcdOpsTaskControllerConfiguration {
  std::optional<std::int64_t> concurrent_syncs;
  std::optional<std::string> requeue_interval;
  friend bool operator==(const EtcdOpsTaskControllerConfiguration&,
                         const EtcdOpsTaskControllerConfiguration&) = default;
};

template <class V>
void visit_fields(V& v, EtcdOpsTaskControllerConfiguration& c) {
  v("concurrentSyncs", c.concurrent_syncs);
  v("requeueInterval", c.requeue_interval);
}

struct ControllerConfiguration {
  bool disable_lease_cache = false;  // deprecated
  EtcdControllerConfiguration etcd;
  CompactionControllerConfiguration compaction;
  EtcdCopyBackupsTaskControllerConfiguration etcd_copy_backups_task;
  SecretControllerConfiguration secret;
  EtcdOpsTaskControllerConfiguration etcd_ops_task;
  friend bool operator==(const ControllerConfiguration&, const ControllerConfiguration&) = default;
};

template <class V>
void visit_fields(V& v, ControllerConfiguration& c) {
  v.required("disableLeaseCache", c.disable_lease_cache);
  v.required("etcd", c.etcd);
  v.required("compaction", c.compaction);
  v.required("etcdCopyBackupsTask", c.etcd_copy_backups_task);
  v.required("secret", c.secret);
  v.required("etcdOpsTask", c.etcd_ops_task);
}

struct ServiceAccountInfo {
  std::string name;
  std::string namespace_;
  friend bool operator==(const ServiceAccountInfo&, const ServiceAccountInfo&) = default;
};

template <class V>
void visit_fields(V& v, ServiceAccountInfo& s) {
  v.required("name", s.name);
  v.required("namespace", s.namespace_);
}

struct EtcdComponentProtectionWebhookConfiguration {
  bool enabled = false;
  // Deprecated; mutually exclusive with service_account_info.
  std::optional<std::string> reconciler_service_account_fqdn;
  std::optional<ServiceAccountInfo> service_account_info;
  std::vector<std::string> exempt_service_accounts;
  friend bool operator==(const EtcdComponentProtectionWebhookConfiguration&,
                         const EtcdComponentProtectionWebhookConfiguration&) = default;
};

template <class V>
void visit_fields(V& v, EtcdComponentProtectionWebhookConfiguration& w) {
  v.required("enabled", w.enabled);
  v("reconcilerServiceAccountFQDN", w.reconciler_service_account_fqdn);
  v("serviceAccountInfo", w.service_account_info);
  v.required("exemptServiceAccounts", w.exempt_service_accounts);
}

struct WebhookConfiguration {
  EtcdComponentProtectionWebhookConfiguration etcd_component_protection;
  friend bool operator==(const WebhookConfiguration&, const WebhookConfiguration&) = default;
};

template <class V>
void visit_fields(V& v, WebhookConfiguration& w) {
  v.required("etcdComponentProtection", w.etcd_component_protection);
}

struct LogConfiguration {
  std::string log_level;   // debug, info, error
  std::string log_format;  // json, text
  friend bool operator==(const LogConfiguration&, const LogConfiguration&) = default;
};

template <class V>
void visit_fields(V& v, LogConfiguration& l) {
  v.required("logLevel", l.log_level);
  v.required("logFormat", l.log_format);
}

struct OperatorConfiguration {
  std::string api_version = kOperatorConfigApiVersion;
  std::string kind = kOperatorConfigKind;
  ClientConnectionConfiguration client_connection;
  LeaderElectionConfiguration leader_election;
  ServerConfiguration server;
  ControllerConfiguration controllers;
  WebhookConfiguration webhooks;
  std::map<std::string, bool> feature_gates;
  LogConfiguration logging;
  friend bool operator==(const OperatorConfiguration&, const OperatorConfiguration&) = default;
};

template <class V>
void visit_fields(V& v, OperatorConfiguration& c) {
  v.required("apiVersion", c.api_version);
  v.required("kind", c.kind);
  v.required("clientConnection", c.client_connection);
  v.required("leaderElection", c.leader_election);
  v.required("server", c.server);
  v.required("controllers", c.controllers);
  v.required("webhooks", c.webhooks);
  v("featureGates", c.feature_gates);
  v.required("logging", c.logging);
}

// Reads an OperatorConfiguration file (YAML or JSON) the way upstream's
// universal decoder does: apiVersion and kind must name this type; unknown keys
// are ignored; a null value counts as absent; type errors and unparsable
// durations are reported with their field paths; then the defaults are applied.
util::Expected<OperatorConfiguration, FieldErrors> load_operator_config(std::string_view yaml_text);

// Fills in the defaults of upstream's api/config/v1alpha1/defaults.go where a field has Go's zero
// value (unset, 0, "", or a zero duration). Leader election, compaction and the copy-backups-task
// worker count are defaulted only when enabled.
void apply_operator_config_defaults(OperatorConfiguration& config);

// The configuration of an empty file: every default applied.
OperatorConfiguration default_operator_config();

// As Go would write it (fields without omitempty always present).
nlohmann::json encode_operator_config(const OperatorConfiguration& config);

// Default values of upstream's api/config/v1alpha1/defaults.go.
namespace operator_config_defaults {
inline constexpr double kQps = 100;
inline constexpr std::int64_t kBurst = 150;
inline constexpr const char* kLeaseDuration = "15s";
inline constexpr const char* kRenewDeadline = "10s";
inline constexpr const char* kRetryPeriod = "2s";
inline constexpr const char* kResourceLock = "leases";
inline constexpr const char* kResourceName = "druid-leader-election";
inline constexpr std::int64_t kWebhookPort = 9443;
inline constexpr const char* kWebhookServerCertDir = "/etc/webhook-server-tls";
inline constexpr std::int64_t kMetricsPort = 8080;
inline constexpr std::int64_t kEtcdConcurrentSyncs = 3;
inline constexpr const char* kEtcdStatusSyncPeriod = "15s";
inline constexpr const char* kEtcdMemberNotReadyThreshold = "5m0s";
inline constexpr const char* kEtcdMemberUnknownThreshold = "1m0s";
inline constexpr std::int64_t kCompactionConcurrentSyncs = 3;
inline constexpr std::int64_t kCompactionEventsThreshold = 1000000;
inline constexpr std::int64_t kCompactionTriggerFullSnapshotThreshold = 3000000;
inline constexpr const char* kCompactionActiveDeadlineDuration = "3h0m0s";
inline constexpr const char* kCompactionMetricsScrapeWaitDuration = "0s";
inline constexpr std::int64_t kEtcdCopyBackupsTaskConcurrentSyncs = 3;
inline constexpr std::int64_t kSecretConcurrentSyncs = 10;
inline constexpr std::int64_t kEtcdOpsTaskConcurrentSyncs = 3;
inline constexpr const char* kEtcdOpsTaskRequeueInterval = "15s";
inline constexpr const char* kLogLevel = kLogLevelInfo;
inline constexpr const char* kLogFormat = kLogFormatJson;
}  // namespace operator_config_defaults

// ---------------------------------------------------------------------------
// Feature gates (upstream's api/config/v1alpha1/features.go)

inline constexpr const char* kFeatureUseEtcdWrapper = "UseEtcdWrapper";
inline constexpr const char* kFeatureUpgradeEtcdVersion = "UpgradeEtcdVersion";
// StatefulSets use updateStrategy OnDelete and druid's OnDelete controller
// replaces outdated pods one at a time, quorum first (docs/quorum-aware-updates.md).
inline constexpr const char* kFeatureQuorumAwareUpdatesWithOnDelete =
    "QuorumAwareUpdatesWithOnDelete";

struct FeatureGateSpec {
  const char* name;
  const char* maturity;  // "ALPHA", "BETA", "GA"
  bool default_value;
  bool locked_to_default;
};

// Every gate druid knows, in name order.
const std::vector<FeatureGateSpec>& known_feature_gates();

struct FeatureGates {
  bool use_etcd_wrapper = true;                      // GA, locked
  bool upgrade_etcd_version = false;                 // alpha
  bool quorum_aware_updates_with_on_delete = false;  // alpha
  friend bool operator==(const FeatureGates&, const FeatureGates&) = default;

  // Unknown names are disabled.
  bool enabled(std::string_view name) const;
};

// The defaults overridden by `overrides` (the config's featureGates). Errors use
// Kubernetes' texts, all of them reported (in name order, "[a, b]" when several):
// `unrecognized feature gate: X`, and for a locked gate set to the other value
// `cannot set feature gate UseEtcdWrapper to false, feature is locked to true`.
util::Expected<FeatureGates, std::string> apply_feature_gates(
    const std::map<std::string, bool>& overrides);

}  // namespace druid::api
