#include "api/etcd_ops_task.hpp"

namespace druid::api {

util::Expected<EtcdOpsTask, FieldErrors> decode_etcd_ops_task(const nlohmann::json& j) {
  EtcdOpsTask task;
  auto errors = decode_into(j, task);
  if (!errors.empty()) return util::unexpected(std::move(errors));
  // An empty apiVersion or kind is an absent one (Go's omitempty reads both
  // alike, and encoding omits ""): the type's own. Otherwise `"kind": ""`
  // re-encoded without kind, which decoded to the default: found by fuzzing
  // (test/fuzz/regressions/etcd_codec).
  if (task.api_version.empty()) task.api_version = kApiVersion;
  if (task.kind.empty()) task.kind = kEtcdOpsTaskKind;
  return task;
}

nlohmann::json encode_etcd_ops_task(const EtcdOpsTask& task) {
  return encode(task);
}

namespace {

// The child object `key` of `parent`, or nullptr when it is not an object.
nlohmann::json* child_object(nlohmann::json& parent, const char* key) {
  auto it = parent.find(key);
  if (it == parent.end() || !it->is_object()) return nullptr;
  return &*it;
}

void default_field(nlohmann::json& parent, const char* key, std::int32_t value) {
  auto it = parent.find(key);
  if (it == parent.end() || it->is_null()) parent[key] = value;
}

}  // namespace

void apply_etcd_ops_task_crd_defaults(nlohmann::json& object) {
  if (!object.is_object()) return;
  auto* spec = child_object(object, "spec");
  if (spec == nullptr) return;
  default_field(*spec, "ttlSecondsAfterFinished", kDefaultTtlSecondsAfterFinished);
  auto* config = child_object(*spec, "config");
  if (config == nullptr) return;
  auto* snapshot = child_object(*config, "onDemandSnapshot");
  if (snapshot == nullptr) return;
  default_field(*snapshot, "timeoutSecondsDelta", kDefaultTimeoutSecondsDelta);
  default_field(*snapshot, "timeoutSecondsFull", kDefaultTimeoutSecondsFull);
}

std::int32_t ttl_seconds_after_finished(const EtcdOpsTask& task) {
  return task.spec.ttl_seconds_after_finished.value_or(kDefaultTtlSecondsAfterFinished);
}

std::int32_t timeout_seconds_delta(const OnDemandSnapshotConfig& config) {
  return config.timeout_seconds_delta.value_or(kDefaultTimeoutSecondsDelta);
}

std::int32_t timeout_seconds_full(const OnDemandSnapshotConfig& config) {
  return config.timeout_seconds_full.value_or(kDefaultTimeoutSecondsFull);
}

bool is_completed(const EtcdOpsTask& task) {
  if (!task.status || !task.status->state) return false;
  const auto& state = *task.status->state;
  return state == ops_task_state::kSucceeded || state == ops_task_state::kFailed ||
         state == ops_task_state::kRejected;
}

}  // namespace druid::api
