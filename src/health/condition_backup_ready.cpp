#include "health/condition_backup_ready.hpp"

#include "api/cron.hpp"
#include "api/defaults.hpp"
#include "health/member_status.hpp"
#include "util/json_access.hpp"

namespace druid::health {
namespace {

using std::chrono::nanoseconds;

constexpr const char* kBackupSucceeded = "BackupSucceeded";
constexpr const char* kBackupFailed = "BackupFailed";
constexpr const char* kUnknownReason = "Unknown";

CheckResult unknown(const char* message = "Cannot determine etcd backup status") {
  return {api::condition::kBackupReady, api::kConditionUnknown, kUnknownReason, message};
}

CheckResult succeeded(const char* message) {
  return {api::condition::kBackupReady, api::kConditionTrue, kBackupSucceeded, message};
}

bool has_store_provider(const api::Etcd& etcd) {
  const auto& store = etcd.spec.backup.store;
  return store && store->provider && !store->provider->empty();
}

std::optional<util::Time> creation_time(const nlohmann::json& object) {
  auto parsed =
      util::parse_rfc3339(util::string_field(util::metadata_of(object), "creationTimestamp"));
  if (!parsed) return std::nullopt;
  return *parsed;
}

// The previous BackupReady was already Unknown or False: only then may the
// condition degrade to False.
bool previously_not_true(const api::Etcd& etcd) {
  if (!etcd.status) return false;
  const api::Condition* previous = etcd.status->condition(api::condition::kBackupReady);
  return previous != nullptr &&
         (previous->status == api::kConditionUnknown || previous->status == api::kConditionFalse);
}

}  // namespace

std::optional<nanoseconds> full_snapshot_interval(const std::string& schedule, util::Time now) {
  auto parsed = api::CronSchedule::parse(schedule);
  if (!parsed) return std::nullopt;
  const util::Time next = parsed->next(now);
  if (next == util::Time::max()) return std::nullopt;
  const util::Time after_next = parsed->next(next);
  if (after_next == util::Time::max()) return std::nullopt;
  return after_next - next;
}

std::optional<CheckResult> check_backup_ready(const api::Etcd& etcd,
                                              const nlohmann::json* full_lease,
                                              const nlohmann::json* delta_lease, util::Time now) {
  if (!has_store_provider(etcd)) return std::nullopt;

  nanoseconds full_interval = kDefaultFullSnapshotInterval;
  if (const auto& schedule = etcd.spec.backup.full_snapshot_schedule) {
    auto interval = full_snapshot_interval(*schedule, now);
    if (!interval) return unknown();
    full_interval = *interval;
  }
  auto period = api::effective::backup_ready_delta_snapshot_period(etcd);
  if (!period) return unknown();
  const nanoseconds delta_period = period->value.value;

  if (full_lease == nullptr || delta_lease == nullptr) return unknown();
  const auto full_renew = lease_renew_time(*full_lease);
  const auto delta_renew = lease_renew_time(*delta_lease);
  if (!full_renew && !delta_renew) return unknown();

  if (!full_renew && delta_renew) {
    // Typical right after the leases were (re)created for an existing cluster:
    // deltas flow, the next full snapshot is not due before one interval.
    const auto created = creation_time(*full_lease);
    if (now - *delta_renew < 2 * delta_period && created && now - *created < full_interval) {
      return succeeded("Delta snapshot backup succeeded");
    }
  } else if (full_renew && !delta_renew) {
    // A new cluster: the first full snapshot is there, deltas start shortly.
    if (now - *full_renew > 5 * delta_period) {
      return unknown("Periodic delta snapshots not started yet");
    }
  } else if (now - *delta_renew < 2 * delta_period && now - *full_renew < full_interval) {
    return succeeded("Snapshot backup succeeded");
  }

  if (delta_renew && previously_not_true(etcd) && now - *delta_renew > 3 * delta_period) {
    return CheckResult{api::condition::kBackupReady, api::kConditionFalse, kBackupFailed,
                       "Stale snapshot leases. Not renewed in a long time"};
  }
  return unknown();
}

}  // namespace druid::health
