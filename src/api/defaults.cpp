#include "api/defaults.hpp"

#include <chrono>
#include <optional>

namespace druid::api::effective {

using namespace std::chrono_literals;

namespace {

constexpr std::int64_t kMi = std::int64_t{1} << 20;
constexpr std::int64_t kGi = std::int64_t{1} << 30;

// The same parse error, with the field it came from in front.
util::ParseError in_field(const char* field, const util::ParseError& error) {
  return util::ParseError{error.input, std::string(field) + ": " + error.reason};
}

util::Expected<Quantity, util::ParseError> quantity_or(const std::optional<IntOrString>& value,
                                                       const char* field,
                                                       std::int64_t default_bytes) {
  if (!value) return Quantity::from_int(default_bytes, QuantityFormat::kBinarySI);
  auto parsed = parse_quantity(*value);
  if (!parsed) return util::unexpected(in_field(field, parsed.error()));
  return parsed;
}

util::Expected<EffectiveDuration, util::ParseError> duration_or(
    const std::optional<std::string>& value, const char* field,
    std::chrono::nanoseconds default_value, const char* default_text) {
  if (!value) return EffectiveDuration{Duration{default_value}, default_text};
  auto parsed = parse_duration(*value);
  if (!parsed) return util::unexpected(in_field(field, parsed.error()));
  return EffectiveDuration{*parsed, parsed->to_string()};
}

nlohmann::json resources_or_default(const std::optional<nlohmann::json>& resources) {
  if (resources) return *resources;
  return {{"requests", {{"cpu", "50m"}, {"memory", "128Mi"}}}};
}

}  // namespace

util::Expected<Quantity, util::ParseError> quota(const Etcd& etcd) {
  return quantity_or(etcd.spec.etcd.quota, "spec.etcd.quota", 8 * kGi);
}

std::int64_t snapshot_count(const Etcd& etcd) {
  return etcd.spec.etcd.snapshot_count.value_or(10000);
}

bool grpc_gateway_enabled(const Etcd& etcd) {
  return etcd.spec.etcd.enable_grpc_gateway.value_or(false);
}

std::int32_t server_port(const Etcd& etcd) {
  return etcd.spec.etcd.server_port.value_or(2380);
}

std::int32_t client_port(const Etcd& etcd) {
  return etcd.spec.etcd.client_port.value_or(2379);
}

std::int32_t wrapper_port(const Etcd& etcd) {
  return etcd.spec.etcd.wrapper_port.value_or(9095);
}

std::string metrics_level(const Etcd& etcd) {
  return etcd.spec.etcd.metrics.value_or("basic");
}

nlohmann::json etcd_resources(const Etcd& etcd) {
  return resources_or_default(etcd.spec.etcd.resources);
}

util::Expected<EffectiveDuration, util::ParseError> etcd_defrag_timeout(const Etcd& etcd) {
  return duration_or(etcd.spec.etcd.etcd_defrag_timeout, "spec.etcd.etcdDefragTimeout", 15min,
                     "15m");
}

util::Expected<EffectiveDuration, util::ParseError> heartbeat_duration(const Etcd& etcd) {
  return duration_or(etcd.spec.etcd.heartbeat_duration, "spec.etcd.heartbeatDuration", 10s, "10s");
}

std::string backend_bbolt_freelist_type(const Etcd& etcd) {
  return etcd.spec.etcd.backend_bbolt_freelist_type.value_or("array");
}

std::int32_t backup_port(const Etcd& etcd) {
  return etcd.spec.backup.port.value_or(8080);
}

nlohmann::json backup_resources(const Etcd& etcd) {
  return resources_or_default(etcd.spec.backup.resources);
}

std::string garbage_collection_policy(const Etcd& etcd) {
  return etcd.spec.backup.garbage_collection_policy.value_or("LimitBased");
}

std::int32_t max_backups_limit_based_gc(const Etcd& etcd) {
  return etcd.spec.backup.max_backups_limit_based_gc.value_or(7);
}

util::Expected<Quantity, util::ParseError> delta_snapshot_memory_limit(const Etcd& etcd) {
  return quantity_or(etcd.spec.backup.delta_snapshot_memory_limit,
                     "spec.backup.deltaSnapshotMemoryLimit", 100 * kMi);
}

bool compression_enabled(const Etcd& etcd) {
  const auto& compression = etcd.spec.backup.compression;
  return compression ? compression->enabled.value_or(true) : true;
}

std::string compression_policy(const Etcd& etcd) {
  const auto& compression = etcd.spec.backup.compression;
  return compression ? compression->policy.value_or("gzip") : "gzip";
}

bool profiling_enabled(const Etcd& etcd) {
  return etcd.spec.backup.enable_profiling.value_or(false);
}

util::Expected<EffectiveDuration, util::ParseError> etcd_snapshot_timeout(const Etcd& etcd) {
  return duration_or(etcd.spec.backup.etcd_snapshot_timeout, "spec.backup.etcdSnapshotTimeout",
                     15min, "15m");
}

util::Expected<EffectiveDuration, util::ParseError> backup_ready_delta_snapshot_period(
    const Etcd& etcd) {
  return duration_or(etcd.spec.backup.delta_snapshot_period, "spec.backup.deltaSnapshotPeriod", 20s,
                     "20s");
}

std::string auto_compaction_mode(const Etcd& etcd) {
  const auto& shared = etcd.spec.shared_config;
  return shared ? shared->auto_compaction_mode.value_or("periodic") : "periodic";
}

std::string auto_compaction_retention(const Etcd& etcd) {
  const auto& shared = etcd.spec.shared_config;
  return shared ? shared->auto_compaction_retention.value_or("30m") : "30m";
}

util::Expected<Quantity, util::ParseError> storage_capacity(const Etcd& etcd) {
  return quantity_or(etcd.spec.storage_capacity, "spec.storageCapacity", 16 * kGi);
}

bool runs_as_root(const Etcd& etcd) {
  return etcd.spec.run_as_root.value_or(false);
}

std::int64_t pod_user_id(const Etcd& etcd) {
  return runs_as_root(etcd) ? 0 : kNonRootUserId;
}

std::int64_t pod_group_id(const Etcd& etcd) {
  return runs_as_root(etcd) ? 0 : kNonRootUserId;
}

std::string priority_class_name(const Etcd& etcd) {
  return etcd.spec.priority_class_name.value_or("");
}

}  // namespace druid::api::effective
