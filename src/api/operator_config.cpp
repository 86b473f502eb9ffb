#include "api/operator_config.hpp"

#include <fmt/format.h>

#include <cmath>
#include <functional>

#include "api/duration.hpp"
#include "util/yaml.hpp"

namespace druid::api {

void decode_value(const nlohmann::json& j, FloatNumber& out, const FieldPath& path,
                  DecodeState& state) {
  if (!j.is_number()) {
    report_type_error(j, "number", path, state);
    return;
  }
  out.value = j.get<double>();
}

std::optional<nlohmann::json> encode_value(const FloatNumber& v) {
  // Go prints a whole float32 without a fraction ("100", not "100.0").
  constexpr double kExactIntegerLimit = 9007199254740992.0;  // 2^53
  if (std::trunc(v.value) == v.value && std::fabs(v.value) < kExactIntegerLimit) {
    return nlohmann::json(static_cast<std::int64_t>(v.value));
  }
  return nlohmann::json(v.value);
}

namespace {

namespace defaults = operator_config_defaults;

using DurationVisitor = std::function<void(const FieldPath&, std::string&)>;

// Every duration of the configuration, with its field path.
void for_each_duration(OperatorConfiguration& c, const DurationVisitor& visit) {
  const FieldPath leader("leaderElection");
  visit(leader.child("leaseDuration"), c.leader_election.lease_duration);
  visit(leader.child("renewDeadline"), c.leader_election.renew_deadline);
  visit(leader.child("retryPeriod"), c.leader_election.retry_period);
  const auto controllers = FieldPath("controllers");
  const auto etcd = controllers.child("etcd");
  visit(etcd.child("etcdStatusSyncPeriod"), c.controllers.etcd.etcd_status_sync_period);
  visit(etcd.child("etcdMember").child("notReadyThreshold"),
        c.controllers.etcd.etcd_member.not_ready_threshold);
  visit(etcd.child("etcdMember").child("unknownThreshold"),
        c.controllers.etcd.etcd_member.unknown_threshold);
  const auto compaction = controllers.child("compaction");
  visit(compaction.child("activeDeadlineDuration"),
        c.controllers.compaction.active_deadline_duration);
  visit(compaction.child("metricsScrapeWaitDuration"),
        c.controllers.compaction.metrics_scrape_wait_duration);
  if (c.controllers.etcd_ops_task.requeue_interval) {
    visit(controllers.child("etcdOpsTask").child("requeueInterval"),
          *c.controllers.etcd_ops_task.requeue_interval);
  }
}

// Go's metav1.Duration is decoded when the file is read: an unparsable value
// fails the load; a parsed one is kept in Go's canonical spelling.
void canonicalize_durations(OperatorConfiguration& config, FieldErrors& errors) {
  for_each_duration(config, [&errors](const FieldPath& path, std::string& text) {
    auto parsed = parse_duration(text);
    if (!parsed) {
      errors.push_back(invalid_error(path, text, parsed.error().reason));
      return;
    }
    text = parsed->to_string();
  });
}

// Go's zero metav1.Duration: unset, or a value that parses to 0.
bool is_zero_duration(const std::string& text) {
  if (text.empty()) return true;
  auto parsed = parse_duration(text);
  return parsed && parsed->value.count() == 0;
}

void default_duration(std::string& text, const char* value) {
  if (is_zero_duration(text)) text = value;
}

void default_string(std::string& text, const char* value) {
  if (text.empty()) text = value;
}

void default_count(std::optional<std::int64_t>& count, std::int64_t value) {
  if (!count) count = value;
}

void default_number(std::int64_t& number, std::int64_t value) {
  if (number == 0) number = value;
}

void default_client_connection(ClientConnectionConfiguration& c) {
  if (c.qps.value == 0) c.qps.value = defaults::kQps;
  default_number(c.burst, defaults::kBurst);
}

void default_leader_election(LeaderElectionConfiguration& l) {
  if (!l.enabled) return;
  default_duration(l.lease_duration, defaults::kLeaseDuration);
  default_duration(l.renew_deadline, defaults::kRenewDeadline);
  default_duration(l.retry_period, defaults::kRetryPeriod);
  default_string(l.resource_lock, defaults::kResourceLock);
  default_string(l.resource_name, defaults::kResourceName);
}

void default_server(ServerConfiguration& s) {
  if (!s.webhooks) s.webhooks.emplace();
  default_number(s.webhooks->port, defaults::kWebhookPort);
  default_string(s.webhooks->server_cert_dir, defaults::kWebhookServerCertDir);
  if (!s.metrics) s.metrics.emplace();
  default_number(s.metrics->port, defaults::kMetricsPort);
}

void default_etcd_controller(EtcdControllerConfiguration& e) {
  default_count(e.concurrent_syncs, defaults::kEtcdConcurrentSyncs);
  default_duration(e.etcd_status_sync_period, defaults::kEtcdStatusSyncPeriod);
  default_duration(e.etcd_member.not_ready_threshold, defaults::kEtcdMemberNotReadyThreshold);
  default_duration(e.etcd_member.unknown_threshold, defaults::kEtcdMemberUnknownThreshold);
}

void default_compaction_controller(CompactionControllerConfiguration& c) {
  if (!c.enabled) return;
  default_count(c.concurrent_syncs, defaults::kCompactionConcurrentSyncs);
  default_number(c.events_threshold, defaults::kCompactionEventsThreshold);
  default_number(c.trigger_full_snapshot_threshold,
                 defaults::kCompactionTriggerFullSnapshotThreshold);
  default_duration(c.active_deadline_duration, defaults::kCompactionActiveDeadlineDuration);
  default_duration(c.metrics_scrape_wait_duration, defaults::kCompactionMetricsScrapeWaitDuration);
}

void default_controllers(ControllerConfiguration& c) {
  default_etcd_controller(c.etcd);
  default_compaction_controller(c.compaction);
  if (c.etcd_copy_backups_task.enabled) {
    default_count(c.etcd_copy_backups_task.concurrent_syncs,
                  defaults::kEtcdCopyBackupsTaskConcurrentSyncs);
  }
  default_count(c.secret.concurrent_syncs, defaults::kSecretConcurrentSyncs);
  default_count(c.etcd_ops_task.concurrent_syncs, defaults::kEtcdOpsTaskConcurrentSyncs);
  if (!c.etcd_ops_task.requeue_interval || is_zero_duration(*c.etcd_ops_task.requeue_interval)) {
    c.etcd_ops_task.requeue_interval = defaults::kEtcdOpsTaskRequeueInterval;
  }
}

void default_logging(LogConfiguration& l) {
  default_string(l.log_level, defaults::kLogLevel);
  default_string(l.log_format, defaults::kLogFormat);
}

// Go's JSON decoder leaves a field untouched when its value is null, so a null
// anywhere in an object means "absent".
void drop_nulls(nlohmann::json& value) {
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end();) {
      if (it->is_null()) {
        it = value.erase(it);
      } else {
        drop_nulls(*it);
        ++it;
      }
    }
  } else if (value.is_array()) {
    for (auto& item : value) drop_nulls(item);
  }
}

// The universal decoder picks the type from apiVersion and kind.
void check_type_meta(const nlohmann::json& object, const char* key, const char* expected,
                     FieldErrors& errors) {
  const FieldPath path(key);
  auto it = object.find(key);
  if (it == object.end()) {
    errors.push_back(required_error(path, fmt::format("must be \"{}\"", expected)));
  } else if (!it->is_string() || it->get<std::string>() != expected) {
    errors.push_back(not_supported_error(path, *it, {expected}));
  }
}

FieldErrors yaml_error(const util::ParseError& error) {
  auto e = invalid_error(FieldPath(), nullptr, "error converting YAML to JSON: " + error.reason);
  e.value_omitted = true;
  return {e};
}

}  // namespace

util::Expected<OperatorConfiguration, FieldErrors> load_operator_config(
    std::string_view yaml_text) {
  auto parsed = util::parse_yaml(yaml_text);
  if (!parsed) return util::unexpected(yaml_error(parsed.error()));
  nlohmann::json object = std::move(*parsed);
  drop_nulls(object);

  OperatorConfiguration config;
  FieldErrors errors = decode_into(object, config);
  if (object.is_object()) {
    FieldErrors type_meta_errors;
    check_type_meta(object, "apiVersion", kOperatorConfigApiVersion, type_meta_errors);
    check_type_meta(object, "kind", kOperatorConfigKind, type_meta_errors);
    errors.insert(errors.begin(), type_meta_errors.begin(), type_meta_errors.end());
  }
  canonicalize_durations(config, errors);
  if (!errors.empty()) return util::unexpected(std::move(errors));
  apply_operator_config_defaults(config);
  return config;
}

void apply_operator_config_defaults(OperatorConfiguration& config) {
  default_client_connection(config.client_connection);
  default_leader_election(config.leader_election);
  default_server(config.server);
  default_controllers(config.controllers);
  default_logging(config.logging);
}

OperatorConfiguration default_operator_config() {
  OperatorConfiguration config;
  apply_operator_config_defaults(config);
  return config;
}

nlohmann::json encode_operator_config(const OperatorConfiguration& config) {
  // Go prints a zero metav1.Duration as "0s".
  OperatorConfiguration copy = config;
  for_each_duration(copy, [](const FieldPath&, std::string& text) {
    if (text.empty()) text = kZeroDuration;
  });
  return encode(copy);
}

// ---------------------------------------------------------------------------
// Feature gates

const std::vector<FeatureGateSpec>& known_feature_gates() {
  static const std::vector<FeatureGateSpec> gates = {
      {kFeatureQuorumAwareUpdatesWithOnDelete, "ALPHA", false, false},
      {kFeatureUpgradeEtcdVersion, "ALPHA", false, false},
      {kFeatureUseEtcdWrapper, "GA", true, true},
  };
  return gates;
}

bool FeatureGates::enabled(std::string_view name) const {
  if (name == kFeatureUseEtcdWrapper) return use_etcd_wrapper;
  if (name == kFeatureUpgradeEtcdVersion) return upgrade_etcd_version;
  if (name == kFeatureQuorumAwareUpdatesWithOnDelete) return quorum_aware_updates_with_on_delete;
  return false;
}

namespace {

const FeatureGateSpec* find_feature_gate(std::string_view name) {
  for (const auto& gate : known_feature_gates()) {
    if (name == gate.name) return &gate;
  }
  return nullptr;
}

bool* gate_flag(FeatureGates& gates, std::string_view name) {
  if (name == kFeatureUseEtcdWrapper) return &gates.use_etcd_wrapper;
  if (name == kFeatureUpgradeEtcdVersion) return &gates.upgrade_etcd_version;
  if (name == kFeatureQuorumAwareUpdatesWithOnDelete) {
    return &gates.quorum_aware_updates_with_on_delete;
  }
  return nullptr;
}

}  // namespace

util::Expected<FeatureGates, std::string> apply_feature_gates(
    const std::map<std::string, bool>& overrides) {
  FeatureGates gates;
  std::vector<std::string> errors;
  for (const auto& [name, value] : overrides) {
    const auto* spec = find_feature_gate(name);
    bool* flag = gate_flag(gates, name);
    if (spec == nullptr || flag == nullptr) {
      errors.push_back("unrecognized feature gate: " + name);
      continue;
    }
    if (spec->locked_to_default && value != spec->default_value) {
      errors.push_back(fmt::format("cannot set feature gate {} to {}, feature is locked to {}",
                                   name, value, spec->default_value));
      continue;
    }
    *flag = value;
  }
  if (errors.empty()) return gates;
  if (errors.size() == 1) return util::unexpected(std::move(errors.front()));
  return util::unexpected("[" + fmt::format("{}", fmt::join(errors, ", ")) + "]");
}

}  // namespace druid::api
