#include "api/validation/task_validation.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/codec.hpp"
#include "api/duration.hpp"
#include "api/etcd_copy_backups_task.hpp"
#include "api/etcd_ops_task.hpp"
#include "api/validation/etcd_validation.hpp"
#include "api/validation/schema_rules.hpp"

namespace druid::api::validation {
namespace {

using nlohmann::json;

// Schema types of the nodes that carry CEL rules, as the messages print them.
constexpr const char* kObject = "object";
constexpr const char* kString = "string";
constexpr const char* kInteger = "integer";

// The value at `key` of a JSON object (nullptr when absent or not an object).
const json* member(const json* object, std::string_view key) {
  if (object == nullptr || !object->is_object()) return nullptr;
  auto it = object->find(key);
  return it == object->end() ? nullptr : &*it;
}

const std::string* string_at(const json* object, std::string_view key) {
  const json* value = member(object, key);
  return value != nullptr && value->is_string() ? &value->get_ref<const std::string&>() : nullptr;
}

// An integral JSON number; other values were reported by decoding already.
std::optional<std::int64_t> integer_at(const json* object, std::string_view key) {
  const json* value = member(object, key);
  if (value == nullptr || !value->is_number()) return std::nullopt;
  if (value->is_number_unsigned()) {
    const auto u = value->get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<std::int64_t>(u);
  }
  if (value->is_number_integer()) return value->get<std::int64_t>();
  const double d = value->get<double>();
  if (d != static_cast<double>(static_cast<std::int64_t>(d))) return std::nullopt;
  return static_cast<std::int64_t>(d);
}

void minimum(FieldErrors& errors, const json* parent, std::string_view key, const FieldPath& path,
             std::int64_t min) {
  if (auto value = integer_at(parent, key)) check_minimum(errors, path.child(key), *value, min);
}

// kube-openapi `minProperties` / `maxProperties`.
void property_count(FieldErrors& errors, const json* object, const FieldPath& path, long min,
                    long max) {
  if (object == nullptr || !object->is_object()) return;
  const auto count = static_cast<long>(object->size());
  if (count < min) {
    errors.push_back(invalid_error(
        path, count,
        fmt::format("{} in body should have at least {} properties", path.str(), min)));
  }
  if (count > max) errors.push_back(too_many_error(path, count, max));
}

// A transition rule `self == oldSelf`: evaluated only when both objects have the value.
void immutable(FieldErrors& errors, const json* now, const json* before, const FieldPath& path,
               const char* schema_type, const char* message) {
  if (now != nullptr && before != nullptr && *now != *before) {
    errors.push_back(cel_rule_error(path, schema_type, message));
  }
}

// The codec reports a negative number for an unsigned field as out of range;
// the API server reports only the `minimum` violation, which is there too.
void drop_range_errors_where_minimum_failed(FieldErrors& decode_errors,
                                            const FieldErrors& schema_errors) {
  auto minimum_failed = [&schema_errors](const FieldError& e) {
    return std::any_of(schema_errors.begin(), schema_errors.end(), [&e](const FieldError& s) {
      return s.field == e.field &&
             s.detail.find("should be greater than or equal to") != std::string::npos;
    });
  };
  decode_errors.erase(std::remove_if(decode_errors.begin(), decode_errors.end(),
                                     [&](const FieldError& e) {
                                       return e.type == FieldErrorType::kInvalid &&
                                              minimum_failed(e);
                                     }),
                      decode_errors.end());
}

// What both kinds share: type meta, pruning, metadata, schema errors with
// ratcheting, the blocking rule, then the CEL rules.
struct Prepared {
  json object;
  std::optional<json> old_object;
};

template <class T>
Prepared prepare(const json& input, const json* old_input, void (*apply_defaults)(json&)) {
  const auto schema = schema_of<T>();
  Prepared p;
  p.object = prune_for_validation(input, schema);
  // The main resource endpoint drops the status of a new object.
  if (old_input == nullptr && p.object.is_object()) p.object.erase("status");
  if (apply_defaults != nullptr) apply_defaults(p.object);
  if (old_input != nullptr) {
    p.old_object = prune_for_validation(*old_input, schema);
    if (apply_defaults != nullptr) apply_defaults(*p.old_object);
  }
  return p;
}

template <class T>
FieldErrors metadata_errors(const T& decoded, const Prepared& p) {
  if (!p.old_object) return validate_object_meta(decoded.metadata);
  T old_decoded;
  decode_into(*p.old_object, old_decoded);  // the stored object was accepted once
  return validate_object_meta_update(decoded.metadata, old_decoded.metadata);
}

// Joins metadata and schema errors; true when the CEL rules may run.
bool collect_schema_errors(FieldErrors& errors, FieldErrors schema_errors, const Prepared& p) {
  if (p.old_object) drop_ratcheted(schema_errors, p.object, *p.old_object);
  errors.insert(errors.end(), schema_errors.begin(), schema_errors.end());
  if (!has_blocking_error(errors)) return true;
  errors.push_back(rules_not_checked_error());
  return false;
}

// Rules without oldSelf ratchet; transition rules do not.
void collect_rule_errors(FieldErrors& errors, FieldErrors ratchetable, FieldErrors transition,
                         const Prepared& p) {
  if (p.old_object) drop_ratcheted(ratchetable, p.object, *p.old_object);
  errors.insert(errors.end(), ratchetable.begin(), ratchetable.end());
  errors.insert(errors.end(), transition.begin(), transition.end());
}

// ---------------------------------------------------------------------------
// EtcdCopyBackupsTask

// waitForFinalSnapshot.timeout: "0" (wait forever) or a Go duration.
constexpr const char* kWaitTimeoutPattern = "^(0|([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+)$";
bool matches_wait_timeout_pattern(std::string_view text) {
  return text == "0" || matches_crd_duration_pattern(text);
}

FieldErrors copy_backups_task_schema_errors(const json& object) {
  FieldErrors errors;
  const json* spec = member(&object, "spec");
  const FieldPath spec_path("spec");
  minimum(errors, spec, "maxBackupAge", spec_path, 0);
  minimum(errors, spec, "maxBackups", spec_path, 0);
  for (const char* store : {"sourceStore", "targetStore"}) {
    if (const json* s = member(spec, store))
      check_store_spec_schema(errors, *s, spec_path.child(store));
  }
  if (const auto* timeout = string_at(member(spec, "waitForFinalSnapshot"), "timeout")) {
    check_pattern(errors, spec_path.child("waitForFinalSnapshot").child("timeout"), *timeout,
                  kWaitTimeoutPattern, matches_wait_timeout_pattern);
  }
  return errors;
}

FieldErrors validate_copy_backups_task(const json& input, const json* old_input) {
  if (auto errors = validate_type_meta(input, kApiVersion, kEtcdCopyBackupsTaskKind);
      !errors.empty()) {
    return errors;
  }
  const auto p = prepare<EtcdCopyBackupsTask>(input, old_input, nullptr);
  EtcdCopyBackupsTask task;
  FieldErrors decode_errors = decode_into(p.object, task, /*check_required=*/true);
  FieldErrors schema_errors = copy_backups_task_schema_errors(p.object);
  drop_range_errors_where_minimum_failed(decode_errors, schema_errors);
  decode_errors.insert(decode_errors.end(), schema_errors.begin(), schema_errors.end());

  FieldErrors errors = metadata_errors(task, p);
  if (!collect_schema_errors(errors, std::move(decode_errors), p)) return errors;

  FieldErrors rule_errors;
  const FieldPath spec_path("spec");
  check_store_spec_rules(rule_errors, task.spec.source_store, spec_path.child("sourceStore"));
  check_store_spec_rules(rule_errors, task.spec.target_store, spec_path.child("targetStore"));
  collect_rule_errors(errors, std::move(rule_errors), {}, p);
  return errors;
}

// ---------------------------------------------------------------------------
// EtcdOpsTask

FieldErrors ops_task_schema_errors(const json& object) {
  FieldErrors errors;
  const json* spec = member(&object, "spec");
  const FieldPath spec_path("spec");
  const json* config = member(spec, "config");
  const auto config_path = spec_path.child("config");
  property_count(errors, config, config_path, 1, 1);
  const json* snapshot = member(config, "onDemandSnapshot");
  const auto snapshot_path = config_path.child("onDemandSnapshot");
  if (const auto* type = string_at(snapshot, "type")) {
    check_enum(errors, snapshot_path.child("type"), *type, {kSnapshotTypeFull, kSnapshotTypeDelta});
  }
  minimum(errors, snapshot, "timeoutSecondsDelta", snapshot_path, 10);
  minimum(errors, snapshot, "timeoutSecondsFull", snapshot_path, 120);
  minimum(errors, spec, "ttlSecondsAfterFinished", spec_path, 1);

  const json* status = member(&object, "status");
  const FieldPath status_path("status");
  if (const auto* state = string_at(status, "state")) {
    check_enum(errors, status_path.child("state"), *state,
               {ops_task_state::kPending, ops_task_state::kInProgress, ops_task_state::kSucceeded,
                ops_task_state::kFailed, ops_task_state::kRejected});
  }
  if (const json* last_errors = member(status, "lastErrors");
      last_errors != nullptr && last_errors->is_array()) {
    check_max_items(errors, status_path.child("lastErrors"), last_errors->size(),
                    kMaxOpsTaskLastErrorsInCrd);
  }
  return errors;
}

// self.type == 'delta' ? !has(self.isFinal) || self.isFinal == false : true
bool final_flag_fits_type(const OnDemandSnapshotConfig& snapshot) {
  return snapshot.type != kSnapshotTypeDelta || !snapshot.is_final || !*snapshot.is_final;
}

FieldErrors validate_ops_task(const json& input, const json* old_input) {
  if (auto errors = validate_type_meta(input, kApiVersion, kEtcdOpsTaskKind); !errors.empty()) {
    return errors;
  }
  const auto p = prepare<EtcdOpsTask>(input, old_input, apply_etcd_ops_task_crd_defaults);
  EtcdOpsTask task;
  FieldErrors schema_errors = decode_into(p.object, task, /*check_required=*/true);
  const auto keyword_errors = ops_task_schema_errors(p.object);
  schema_errors.insert(schema_errors.end(), keyword_errors.begin(), keyword_errors.end());

  FieldErrors errors = metadata_errors(task, p);
  if (!collect_schema_errors(errors, std::move(schema_errors), p)) return errors;

  const FieldPath spec_path("spec");
  const auto config_path = spec_path.child("config");
  FieldErrors ratchetable;
  const auto& snapshot = task.spec.config.on_demand_snapshot;
  if (snapshot && !final_flag_fits_type(*snapshot)) {
    ratchetable.push_back(
        cel_rule_error(config_path.child("onDemandSnapshot"), kObject,
                       "isFinal must be false (or omitted) when type is 'delta'"));
  }
  FieldErrors transition;
  if (p.old_object) {
    const json* spec = member(&p.object, "spec");
    const json* old_spec = member(&*p.old_object, "spec");
    immutable(transition, member(spec, "config"), member(old_spec, "config"), config_path, kObject,
              "config is immutable");
    immutable(transition, member(spec, "ttlSecondsAfterFinished"),
              member(old_spec, "ttlSecondsAfterFinished"),
              spec_path.child("ttlSecondsAfterFinished"), kInteger,
              "ttlSecondsAfterFinished is immutable");
    immutable(transition, member(spec, "etcdName"), member(old_spec, "etcdName"),
              spec_path.child("etcdName"), kString, "etcdName is immutable");
  }
  collect_rule_errors(errors, std::move(ratchetable), std::move(transition), p);
  return errors;
}

}  // namespace

FieldErrors validate_etcd_copy_backups_task(const nlohmann::json& task) {
  return validate_copy_backups_task(task, nullptr);
}

FieldErrors validate_etcd_copy_backups_task_update(const nlohmann::json& new_task,
                                                   const nlohmann::json& old_task) {
  return validate_copy_backups_task(new_task, &old_task);
}

FieldErrors validate_etcd_ops_task(const nlohmann::json& task) {
  return validate_ops_task(task, nullptr);
}

FieldErrors validate_etcd_ops_task_update(const nlohmann::json& new_task,
                                          const nlohmann::json& old_task) {
  return validate_ops_task(new_task, &old_task);
}

}  // namespace druid::api::validation
