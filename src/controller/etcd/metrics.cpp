#include "controller/etcd/metrics.hpp"

#include "api/defaults.hpp"
#include "api/etcd.hpp"
#include "api/names.hpp"
#include "api/resources.hpp"
#include "health/condition_backup_ready.hpp"
#include "health/member_status.hpp"
#include "kube/resource.hpp"

namespace druid::controller::etcd {
namespace {

double seconds(std::chrono::nanoseconds duration) {
  return std::chrono::duration<double>(duration).count();
}

// now − the lease's renewTime; nullopt while no snapshot renewed it.
std::optional<double> lease_age(component::ObjectReader& reader, const std::string& ns,
                                const std::string& name, util::Time now) {
  auto lease = reader.get(kube::resources::kLeases, ns, name);
  if (!lease || !*lease) return std::nullopt;
  const auto renewed = health::lease_renew_time(**lease);
  if (!renewed) return std::nullopt;
  return seconds(now - *renewed);
}

void add_backup_series(EtcdSeries& series, component::ObjectReader& reader, const api::Etcd& etcd,
                       util::Time now) {
  if (!api::is_backup_store_enabled(etcd)) return;
  const std::string& ns = etcd.metadata.namespace_;
  series.full_snapshot_age_seconds =
      lease_age(reader, ns, api::full_snapshot_lease_name(etcd), now);
  series.delta_snapshot_age_seconds =
      lease_age(reader, ns, api::delta_snapshot_lease_name(etcd), now);
  // The periods BackupReady measures the leases against (health/condition_backup_ready.hpp).
  std::optional<std::chrono::nanoseconds> full_interval = health::kDefaultFullSnapshotInterval;
  if (const auto& schedule = etcd.spec.backup.full_snapshot_schedule) {
    full_interval = health::full_snapshot_interval(*schedule, now);
  }
  if (full_interval) series.full_snapshot_period_seconds = seconds(*full_interval);
  if (auto delta = api::effective::backup_ready_delta_snapshot_period(etcd)) {
    series.delta_snapshot_period_seconds = seconds(delta->value.value);
  }
}

}  // namespace

double condition_value(const std::string& status) {
  if (status == api::kConditionTrue) return 1;
  if (status == api::kConditionFalse) return 0;
  return -1;
}

void EtcdMetrics::reconciled(const Key& etcd, std::chrono::nanoseconds duration, bool succeeded,
                             util::Time finished) {
  const std::lock_guard lock(mutex_);
  Recorded& recorded = data_[etcd];
  recorded.last_reconcile_duration_seconds = seconds(duration);
  recorded.last_reconcile_succeeded = succeeded;
  recorded.last_reconcile_timestamp_seconds = seconds(finished.time_since_epoch());
  if (!succeeded) ++recorded.reconcile_errors;
}

void EtcdMetrics::leader_seen(const Key& etcd, const std::optional<std::string>& leader) {
  if (!leader) return;  // no leader now: the next one tells whether it changed
  const std::lock_guard lock(mutex_);
  Recorded& recorded = data_[etcd];
  if (recorded.leader && *recorded.leader != *leader) ++recorded.leader_changes;
  recorded.leader = leader;
}

void EtcdMetrics::forget(const Key& etcd) {
  const std::lock_guard lock(mutex_);
  data_.erase(etcd);
}

std::map<EtcdMetrics::Key, EtcdMetrics::Recorded> EtcdMetrics::snapshot() const {
  const std::lock_guard lock(mutex_);
  return data_;
}

std::vector<EtcdSeries> collect_etcd_series(component::ObjectReader& reader,
                                            const EtcdMetrics& recorded, util::Time now) {
  std::vector<EtcdSeries> all;
  auto etcds = reader.list(api::resources::kEtcds, "", {});
  if (!etcds) return all;
  const auto reconciles = recorded.snapshot();
  for (const auto& object : *etcds) {
    if (!object) continue;
    auto etcd = api::decode_etcd(*object);
    if (!etcd) continue;  // the reconciler reports it in its log and queue metrics
    EtcdSeries series;
    series.namespace_ = etcd->metadata.namespace_;
    series.name = etcd->metadata.name;
    series.members_desired = etcd->spec.replicas;
    if (const auto& status = etcd->status) {
      for (const auto& condition : status->conditions) {
        series.conditions.emplace_back(condition.type, condition_value(condition.status));
      }
      for (const auto& member : status->members) {
        if (member.status == api::member::kStatusReady) series.members_ready += 1;
      }
    }
    if (auto it = reconciles.find({series.namespace_, series.name}); it != reconciles.end()) {
      series.recorded = it->second;
    }
    add_backup_series(series, reader, *etcd, now);
    all.push_back(std::move(series));
  }
  return all;
}

}  // namespace druid::controller::etcd
