#include "api/validation/operator_config_validation.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>

#include "api/duration.hpp"

namespace druid::api::validation {
namespace {

constexpr const char* kMustBePositive = "must be greater than 0";
constexpr const char* kMustBeNonNegative = "must be greater than or equal to 0";

bool is_blank(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c) != 0; });
}

void require_positive_count(const std::optional<std::int64_t>& count, const FieldPath& path,
                            FieldErrors& errors) {
  const auto value = count.value_or(0);
  if (value <= 0) errors.push_back(invalid_error(path, value, kMustBePositive));
}

void require_positive_number(std::int64_t value, const FieldPath& path, FieldErrors& errors) {
  if (value <= 0) errors.push_back(invalid_error(path, value, kMustBePositive));
}

// The parsed duration; an unset one is Go's zero duration. Unparsable text is
// reported and yields nothing.
std::optional<std::chrono::nanoseconds> duration_of(const std::string& text, const FieldPath& path,
                                                    FieldErrors& errors) {
  if (text.empty()) return std::chrono::nanoseconds(0);
  auto parsed = parse_duration(text);
  if (!parsed) {
    errors.push_back(invalid_error(path, text, parsed.error().reason));
    return std::nullopt;
  }
  return parsed->value;
}

void require_positive_duration(const std::string& text, const FieldPath& path,
                               FieldErrors& errors) {
  auto d = duration_of(text, path, errors);
  if (d && d->count() <= 0) errors.push_back(invalid_error(path, text, kMustBePositive));
}

void require_non_negative_duration(const std::string& text, const FieldPath& path,
                                   FieldErrors& errors) {
  auto d = duration_of(text, path, errors);
  if (d && d->count() < 0) errors.push_back(invalid_error(path, text, kMustBeNonNegative));
}

void validate_client_connection(const ClientConnectionConfiguration& c, const FieldPath& path,
                                FieldErrors& errors) {
  if (c.burst < 0)
    errors.push_back(invalid_error(path.child("burst"), c.burst, kMustBeNonNegative));
}

void validate_leader_election(const LeaderElectionConfiguration& l, const FieldPath& path,
                              FieldErrors& errors) {
  if (!l.enabled) return;
  const auto lease_path = path.child("leaseDuration");
  const auto renew_path = path.child("renewDeadline");
  require_positive_duration(l.lease_duration, lease_path, errors);
  require_positive_duration(l.renew_deadline, renew_path, errors);
  require_positive_duration(l.retry_period, path.child("retryPeriod"), errors);
  FieldErrors parse_errors;  // already reported above
  auto lease = duration_of(l.lease_duration, lease_path, parse_errors);
  auto renew = duration_of(l.renew_deadline, renew_path, parse_errors);
  if (lease && renew && *lease <= *renew) {
    errors.push_back(invalid_error(lease_path, l.lease_duration,
                                   "must be greater than leaderElection.renewDeadline"));
  }
  if (l.resource_lock.empty()) errors.push_back(required_error(path.child("resourceLock")));
  if (l.resource_name.empty()) errors.push_back(required_error(path.child("resourceName")));
}

void validate_etcd_controller(const EtcdControllerConfiguration& e, const FieldPath& path,
                              FieldErrors& errors) {
  require_positive_count(e.concurrent_syncs, path.child("concurrentSyncs"), errors);
  require_positive_duration(e.etcd_status_sync_period, path.child("etcdStatusSyncPeriod"), errors);
  const auto member = path.child("etcdMember");
  require_positive_duration(e.etcd_member.not_ready_threshold, member.child("notReadyThreshold"),
                            errors);
  require_positive_duration(e.etcd_member.unknown_threshold, member.child("unknownThreshold"),
                            errors);
}

void validate_compaction_controller(const CompactionControllerConfiguration& c,
                                    const FieldPath& path, FieldErrors& errors) {
  if (!c.enabled) return;
  require_positive_count(c.concurrent_syncs, path.child("concurrentSyncs"), errors);
  require_positive_duration(c.active_deadline_duration, path.child("activeDeadlineDuration"),
                            errors);
  require_non_negative_duration(c.metrics_scrape_wait_duration,
                                path.child("metricsScrapeWaitDuration"), errors);
  require_positive_number(c.events_threshold, path.child("eventsThreshold"), errors);
  require_positive_number(c.trigger_full_snapshot_threshold,
                          path.child("triggerFullSnapshotThreshold"), errors);
}

void validate_controllers(const ControllerConfiguration& c, const FieldPath& path,
                          FieldErrors& errors) {
  validate_etcd_controller(c.etcd, path.child("etcd"), errors);
  require_positive_count(c.secret.concurrent_syncs, path.child("secret").child("concurrentSyncs"),
                         errors);
  const auto ops = path.child("etcdOpsTask");
  require_positive_count(c.etcd_ops_task.concurrent_syncs, ops.child("concurrentSyncs"), errors);
  require_positive_duration(c.etcd_ops_task.requeue_interval.value_or(""),
                            ops.child("requeueInterval"), errors);
  validate_compaction_controller(c.compaction, path.child("compaction"), errors);
  if (c.etcd_copy_backups_task.enabled) {
    require_positive_count(c.etcd_copy_backups_task.concurrent_syncs,
                           path.child("etcdCopyBackupsTask").child("concurrentSyncs"), errors);
  }
}

void validate_logging(const LogConfiguration& l, const FieldPath& path, FieldErrors& errors) {
  if (!l.log_level.empty() && l.log_level != kLogLevelDebug && l.log_level != kLogLevelInfo &&
      l.log_level != kLogLevelError) {
    errors.push_back(not_supported_error(path.child("logLevel"), l.log_level,
                                         {kLogLevelDebug, kLogLevelInfo, kLogLevelError}));
  }
  if (!l.log_format.empty() && l.log_format != kLogFormatJson && l.log_format != kLogFormatText) {
    errors.push_back(not_supported_error(path.child("logFormat"), l.log_format,
                                         {kLogFormatJson, kLogFormatText}));
  }
}

void validate_component_protection(const EtcdComponentProtectionWebhookConfiguration& w,
                                   const FieldPath& path, FieldErrors& errors) {
  if (!w.enabled) return;
  const bool has_fqdn = w.reconciler_service_account_fqdn.has_value();
  const bool has_info = w.service_account_info.has_value();
  if (!has_fqdn && !has_info) {
    errors.push_back(required_error(
        path, "either reconcilerServiceAccountFQDN or serviceAccountInfo must be set"));
  }
  if (has_fqdn && has_info) {
    auto e = invalid_error(
        path, nullptr,
        "only one of reconcilerServiceAccountFQDN or serviceAccountInfo can be set but not both.");
    e.value_omitted = true;  // the value is the whole webhook section
    errors.push_back(e);
  }
  if (has_info) {
    const auto info = path.child("serviceAccountInfo");
    if (is_blank(w.service_account_info->name))
      errors.push_back(required_error(info.child("name")));
    if (is_blank(w.service_account_info->namespace_)) {
      errors.push_back(required_error(info.child("namespace")));
    }
  } else if (has_fqdn && is_blank(*w.reconciler_service_account_fqdn)) {
    errors.push_back(required_error(path.child("reconcilerServiceAccountFQDN")));
  }
}

}  // namespace

FieldErrors validate_operator_config(const OperatorConfiguration& config) {
  FieldErrors errors;
  validate_client_connection(config.client_connection, FieldPath("clientConnection"), errors);
  validate_leader_election(config.leader_election, FieldPath("leaderElection"), errors);
  validate_controllers(config.controllers, FieldPath("controllers"), errors);
  validate_logging(config.logging, FieldPath("log"), errors);
  validate_component_protection(config.webhooks.etcd_component_protection,
                                FieldPath("webhooks").child("etcdComponentProtection"), errors);
  return errors;
}

}  // namespace druid::api::validation
