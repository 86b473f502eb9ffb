#pragma once
// Pieces shared by the druid API kinds: conditions, lastOperation/lastErrors
// (api/common upstream), secret and object references.

#include <optional>
#include <string>

#include "api/codec.hpp"

namespace druid::api {

// Condition statuses.
inline constexpr const char* kConditionTrue = "True";
inline constexpr const char* kConditionFalse = "False";
inline constexpr const char* kConditionUnknown = "Unknown";

// druid's Condition (all fields required in the CRD).
struct Condition {
  std::string type;
  std::string status;
  std::string last_transition_time;
  std::string last_update_time;
  std::string reason;
  std::string message;
  UnknownFields unknown;
  friend bool operator==(const Condition&, const Condition&) = default;
};

template <class V>
void visit_fields(V& v, Condition& c) {
  v.required("type", c.type);
  v.required("status", c.status);
  v.required("lastTransitionTime", c.last_transition_time);
  v.required("lastUpdateTime", c.last_update_time);
  v.required("reason", c.reason);
  v.required("message", c.message);
  v.unknown(c.unknown);
}

// LastOperation types and states (upstream's api/common/types.go).
namespace last_operation {
inline constexpr const char* kTypeCreate = "Create";
inline constexpr const char* kTypeReconcile = "Reconcile";
inline constexpr const char* kTypeDelete = "Delete";
inline constexpr const char* kTypeAdmit = "Admit";
inline constexpr const char* kTypeExecution = "Execution";
inline constexpr const char* kTypeCleanup = "Cleanup";
inline constexpr const char* kStateProcessing = "Processing";
inline constexpr const char* kStateSucceeded = "Succeeded";
inline constexpr const char* kStateError = "Error";
inline constexpr const char* kStateRequeue = "Requeue";
inline constexpr const char* kStateInProgress = "InProgress";
inline constexpr const char* kStateCompleted = "Completed";
inline constexpr const char* kStateFailed = "Failed";
}  // namespace last_operation

struct LastOperation {
  std::string type;
  std::string state;
  std::string description;
  std::string run_id;
  std::string last_update_time;
  UnknownFields unknown;
  friend bool operator==(const LastOperation&, const LastOperation&) = default;
};

template <class V>
void visit_fields(V& v, LastOperation& o) {
  v.required("type", o.type);
  v.required("state", o.state);
  v.required("description", o.description);
  v.required("runID", o.run_id);
  v.required("lastUpdateTime", o.last_update_time);
  v.unknown(o.unknown);
}

struct LastError {
  std::string code;
  std::string description;
  std::string observed_at;
  UnknownFields unknown;
  friend bool operator==(const LastError&, const LastError&) = default;
};

template <class V>
void visit_fields(V& v, LastError& e) {
  v.required("code", e.code);
  v.required("description", e.description);
  v.required("observedAt", e.observed_at);
  v.unknown(e.unknown);
}

// core/v1 SecretReference.
struct SecretReference {
  std::string name;
  std::string namespace_;
  UnknownFields unknown;
  friend bool operator==(const SecretReference&, const SecretReference&) = default;
};

template <class V>
void visit_fields(V& v, SecretReference& r) {
  v("name", r.name);
  v("namespace", r.namespace_);
  v.unknown(r.unknown);
}

// druid's SecretReference for CA bundles: a core/v1 reference plus the data key.
struct CaSecretReference {
  std::string name;
  std::string namespace_;
  std::optional<std::string> data_key;
  UnknownFields unknown;
  friend bool operator==(const CaSecretReference&, const CaSecretReference&) = default;
};

template <class V>
void visit_fields(V& v, CaSecretReference& r) {
  v("name", r.name);
  v("namespace", r.namespace_);
  v("dataKey", r.data_key);
  v.unknown(r.unknown);
}

// autoscaling/v1 CrossVersionObjectReference (status.etcd).
struct CrossVersionObjectReference {
  std::string kind;
  std::string name;
  std::string api_version;
  UnknownFields unknown;
  friend bool operator==(const CrossVersionObjectReference&,
                         const CrossVersionObjectReference&) = default;
};

template <class V>
void visit_fields(V& v, CrossVersionObjectReference& r) {
  v.required("kind", r.kind);
  v.required("name", r.name);
  v("apiVersion", r.api_version);
  v.unknown(r.unknown);
}

}  // namespace druid::api
