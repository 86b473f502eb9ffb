#include "health/etcd_status.hpp"

#include "api/labels.hpp"
#include "api/names.hpp"
#include "health/condition_all_members_ready.hpp"
#include "health/condition_all_members_updated.hpp"
#include "health/condition_backup_ready.hpp"
#include "health/condition_bootstrapped_with_existing_cluster.hpp"
#include "health/condition_builder.hpp"
#include "health/condition_cluster_id_mismatch.hpp"
#include "health/condition_data_volumes_ready.hpp"
#include "health/condition_ready.hpp"
#include "health/statefulset_status.hpp"

namespace druid::health {
namespace {

std::vector<CheckResult> check_conditions(const api::Etcd& etcd,
                                          const std::vector<api::EtcdMemberStatus>& members,
                                          const nlohmann::json* sts, const StatusInputs& in) {
  std::vector<CheckResult> results;
  results.push_back(check_ready(members));
  results.push_back(check_all_members_ready(members, etcd.spec.replicas));
  const std::vector<ObjectPtr>* pods = in.pods_error ? nullptr : &in.pods;
  results.push_back(check_all_members_updated(etcd, sts, in.statefulset_error, pods));

  const nlohmann::json* full = nullptr;
  const nlohmann::json* delta = nullptr;
  if (!in.snapshot_leases_error) {
    full = find_object(in.snapshot_leases, api::full_snapshot_lease_name(etcd));
    delta = find_object(in.snapshot_leases, api::delta_snapshot_lease_name(etcd));
  }
  if (auto backup = check_backup_ready(etcd, full, delta, in.now)) results.push_back(*backup);

  results.push_back(
      check_data_volumes_ready(etcd, DataVolumeInputs{sts, in.statefulset_error, in.pvcs, in.events,
                                                      in.pvcs_error, in.events_error, in.now}));
  results.push_back(
      check_cluster_id_mismatch(etcd, members, in.member_leases, in.member_leases_error));
  if (auto bootstrapped = check_bootstrapped_with_existing_cluster(etcd, members)) {
    results.push_back(*bootstrapped);
  }
  return results;
}

// As upstream's reconcile_status.go: record, once, that the join with the existing cluster
// finished.
void record_bootstrap(api::EtcdStatus& status, const api::Etcd& etcd, util::Time now) {
  const auto& spec = etcd.spec.etcd.bootstrap_with_existing_cluster;
  if (!spec || spec->members.empty() || status.bootstrap_with_existing_cluster) return;
  const api::Condition* condition =
      status.condition(api::condition::kBootstrappedWithExistingCluster);
  if (condition == nullptr || condition->status != api::kConditionTrue) return;
  api::BootstrapWithExistingClusterStatus record;
  record.joined_at = util::format_rfc3339(now);
  for (const auto& member : spec->members) {
    api::BootstrapMemberStatus copy;
    copy.name = member.name;
    copy.peer_urls = member.peer_urls;
    record.members.push_back(std::move(copy));
  }
  status.bootstrap_with_existing_cluster = std::move(record);
}

std::vector<api::Condition> without_update_times(std::vector<api::Condition> conditions) {
  for (auto& condition : conditions) condition.last_update_time.clear();
  return conditions;
}

}  // namespace

api::EtcdStatus compute_status(const api::Etcd& etcd, const StatusInputs& in) {
  api::EtcdStatus status = etcd.status.value_or(api::EtcdStatus{});

  const MemberInputs member_inputs{in.member_leases, in.pods, in.pods_error.has_value(),
                                   in.thresholds, in.now};
  const std::vector<api::EtcdMemberStatus> no_leases;
  status.members = build_members(
      status.members, in.member_leases_error ? no_leases : check_members(etcd, member_inputs),
      in.now);

  const nlohmann::json* sts =
      in.statefulset_error ? nullptr : controlled_statefulset(in.statefulset.get(), etcd);
  status.conditions =
      build_conditions(status.conditions, check_conditions(etcd, status.members, sts, in),
                       etcd.spec.replicas, in.now);

  if (!in.statefulset_error) {
    apply_statefulset_status(status, etcd, sts, in.pods_error ? nullptr : &in.pods);
  }
  status.selector = api::status_selector(etcd);
  record_bootstrap(status, etcd, in.now);
  return status;
}

bool status_changed_beyond_update_times(const api::EtcdStatus& old,
                                        const api::EtcdStatus& updated) {
  api::EtcdStatus a = old;
  api::EtcdStatus b = updated;
  a.conditions = without_update_times(std::move(a.conditions));
  b.conditions = without_update_times(std::move(b.conditions));
  return !(a == b);
}

bool status_heartbeat_due(const api::EtcdStatus& old, util::Time now,
                          std::chrono::nanoseconds period) {
  // Only the conditions this flow writes: the compaction controller's own
  // condition says nothing about when the status flow last wrote.
  bool any = false;
  std::optional<util::Time> newest;
  for (const auto& condition : old.conditions) {
    if (!is_managed_condition_type(condition.type)) continue;
    any = true;
    auto parsed = util::parse_rfc3339(condition.last_update_time);
    if (parsed && (!newest || *parsed > *newest)) newest = *parsed;
  }
  if (!any) return false;
  return !newest || now - *newest >= period;
}

bool should_write_status(const api::EtcdStatus& old, const api::EtcdStatus& updated, util::Time now,
                         std::chrono::nanoseconds heartbeat) {
  return status_changed_beyond_update_times(old, updated) ||
         status_heartbeat_due(old, now, heartbeat);
}

}  // namespace druid::health
