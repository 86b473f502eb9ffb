#pragma once
// The EtcdOpsTask custom resource (druid.gardener.cloud/v1alpha1, upstream's
// api/core/v1alpha1/etcdopstask.go and ondemandsnapshot.go): a one-off operation on an Etcd; today
// only the on-demand snapshot.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "api/codec.hpp"
#include "api/common.hpp"
#include "api/etcd.hpp"
#include "api/object_meta.hpp"
#include "util/expected.hpp"

namespace druid::api {

inline constexpr const char* kEtcdOpsTaskKind = "EtcdOpsTask";

// Values of spec.config.onDemandSnapshot.type.
inline constexpr const char* kSnapshotTypeFull = "full";
inline constexpr const char* kSnapshotTypeDelta = "delta";

// The CRD's `default:` values; the API server stores them into the object.
inline constexpr std::int32_t kDefaultTimeoutSecondsDelta = 60;
inline constexpr std::int32_t kDefaultTimeoutSecondsFull = 900;
inline constexpr std::int32_t kDefaultTtlSecondsAfterFinished = 3600;

// Values of status.state (Pending -> InProgress -> Succeeded|Failed; Pending -> Rejected).
namespace ops_task_state {
inline constexpr const char* kPending = "Pending";
inline constexpr const char* kInProgress = "InProgress";
inline constexpr const char* kSucceeded = "Succeeded";
inline constexpr const char* kFailed = "Failed";
inline constexpr const char* kRejected = "Rejected";
}  // namespace ops_task_state

// The CRD allows this many status.lastErrors; the controller keeps fewer (upstream's
// internal/controller/etcdopstask/utils.go).
inline constexpr std::size_t kMaxOpsTaskLastErrorsInCrd = 10;

struct OnDemandSnapshotConfig {
  std::string type;  // full, delta
  std::optional<bool> is_final;
  std::optional<std::int32_t> timeout_seconds_delta;
  std::optional<std::int32_t> timeout_seconds_full;
  UnknownFields unknown;
  friend bool operator==(const OnDemandSnapshotConfig&, const OnDemandSnapshotConfig&) = default;
};

template <class V>
void visit_fields(V& v, OnDemandSnapshotConfig& c) {
  v.required("type", c.type);
  v("isFinal", c.is_final);
  v("timeoutSecondsDelta", c.timeout_seconds_delta);
  v("timeoutSecondsFull", c.timeout_seconds_full);
  v.unknown(c.unknown);
}

// A union: exactly one member is set (CRD minProperties/maxProperties 1).
struct EtcdOpsTaskConfig {
  std::optional<OnDemandSnapshotConfig> on_demand_snapshot;
  UnknownFields unknown;
  friend bool operator==(const EtcdOpsTaskConfig&, const EtcdOpsTaskConfig&) = default;
};

template <class V>
void visit_fields(V& v, EtcdOpsTaskConfig& c) {
  v("onDemandSnapshot", c.on_demand_snapshot);
  v.unknown(c.unknown);
}

struct EtcdOpsTaskSpec {
  EtcdOpsTaskConfig config;
  std::optional<std::int32_t> ttl_seconds_after_finished;
  // Go serialises a nil etcdName as null; we leave it out, which the API
  // server treats the same (nulls of non-nullable fields are pruned).
  std::optional<std::string> etcd_name;
  UnknownFields unknown;
  friend bool operator==(const EtcdOpsTaskSpec&, const EtcdOpsTaskSpec&) = default;
};

template <class V>
void visit_fields(V& v, EtcdOpsTaskSpec& s) {
  v.required("config", s.config);
  v("ttlSecondsAfterFinished", s.ttl_seconds_after_finished);
  v("etcdName", s.etcd_name);
  v.unknown(s.unknown);
}

struct EtcdOpsTaskStatus {
  std::optional<std::string> state;
  std::optional<std::string> last_transition_time;
  std::optional<std::string> started_at;
  std::vector<LastError> last_errors;
  std::optional<LastOperation> last_operation;
  UnknownFields unknown;
  friend bool operator==(const EtcdOpsTaskStatus&, const EtcdOpsTaskStatus&) = default;
};

template <class V>
void visit_fields(V& v, EtcdOpsTaskStatus& s) {
  v("state", s.state);
  v("lastTransitionTime", s.last_transition_time);
  v("startedAt", s.started_at);
  v("lastErrors", s.last_errors);
  v("lastOperation", s.last_operation);
  v.unknown(s.unknown);
}

struct EtcdOpsTask {
  std::string api_version = kApiVersion;
  std::string kind = kEtcdOpsTaskKind;
  ObjectMeta metadata;
  EtcdOpsTaskSpec spec;
  std::optional<EtcdOpsTaskStatus> status;
  UnknownFields unknown;
  friend bool operator==(const EtcdOpsTask&, const EtcdOpsTask&) = default;
};

template <class V>
void visit_fields(V& v, EtcdOpsTask& t) {
  v("apiVersion", t.api_version);
  v("kind", t.kind);
  v("metadata", t.metadata);
  v.required("spec", t.spec);
  v("status", t.status);
  v.unknown(t.unknown);
}

// Decoding/encoding entry points; decode errors carry field paths.
util::Expected<EtcdOpsTask, FieldErrors> decode_etcd_ops_task(const nlohmann::json& j);
nlohmann::json encode_etcd_ops_task(const EtcdOpsTask& task);

// Applies the CRD defaults (ttlSecondsAfterFinished 3600, timeoutSecondsDelta
// 60, timeoutSecondsFull 900) to an EtcdOpsTask object as the API server's
// structural defaulting does: a field is set only where it is absent or null
// and its parent object exists; nothing else is touched.
void apply_etcd_ops_task_crd_defaults(nlohmann::json& object);

// The values in effect, with the CRD defaults for fields that are unset (e.g.
// in an object built in memory rather than read from the API server).
std::int32_t ttl_seconds_after_finished(const EtcdOpsTask& task);
std::int32_t timeout_seconds_delta(const OnDemandSnapshotConfig& config);
std::int32_t timeout_seconds_full(const OnDemandSnapshotConfig& config);

// state is Succeeded, Failed or Rejected.
bool is_completed(const EtcdOpsTask& task);

}  // namespace druid::api
