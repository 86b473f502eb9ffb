#include "tools/simulate_members/snapshot_sidecar.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <system_error>
#include <utility>

#include "api/cron.hpp"
#include "api/names.hpp"
#include "kube/resource.hpp"
#include "support/cluster_simulator.hpp"

namespace druid::test {

SnapshotSidecar::SnapshotSidecar(kube::Client& client, std::string etcd_name, std::string ns,
                                 SnapshotSidecarOptions options, SnapshotSidecarCaches caches)
    : client_(client),
      etcd_name_(std::move(etcd_name)),
      ns_(std::move(ns)),
      options_(options),
      caches_(caches) {}

bool SnapshotSidecar::sync() {
  error_.clear();
  const auto etcd_json = caches_.etcds->get(ns_, etcd_name_);
  if (!etcd_json) return stop();
  auto etcd = api::decode_etcd(*etcd_json);
  if (!etcd) return fail("Etcd does not decode");
  if (!api::is_backup_store_enabled(*etcd) || etcd->spec.replicas < 1) return stop();
  const auto full = caches_.leases->get(ns_, api::full_snapshot_lease_name(etcd_name_));
  const auto delta = caches_.leases->get(ns_, api::delta_snapshot_lease_name(etcd_name_));
  if (!full || !delta) {
    // Druid has not created it yet, or deleted it; its creation is an event.
    stop();
    return fail(fmt::format("snapshot lease {}: not found",
                            full ? api::delta_snapshot_lease_name(etcd_name_)
                                 : api::full_snapshot_lease_name(etcd_name_)));
  }

  const auto now = std::chrono::steady_clock::now();
  if (!running_) {
    // Revisions never go back, also across a restart of this program or
    // of the sidecar: the leases may hold what an earlier run wrote.
    revision_ = std::max({revision_, holder_revision(*full), holder_revision(*delta)});
    if (!take_full_snapshot(*etcd, revision_ + options_.revisions_per_delta, now)) return false;
    running_ = true;
  } else if (next_full_ && *next_full_ <= now) {
    if (!take_full_snapshot(*etcd, revision_ + options_.revisions_per_delta, now)) return false;
  }
  if (now >= next_delta_) {
    const std::int64_t reached = revision_ + options_.revisions_per_delta;
    if (!write_lease(api::delta_snapshot_lease_name(etcd_name_), reached, wall_now())) {
      return false;
    }
    revision_ = reached;
    next_delta_ = now + options_.delta_snapshot_period;
  }
  return complete_compaction(now);
}

std::optional<SnapshotSidecar::TimePoint> SnapshotSidecar::next_due() const {
  if (!running_) return std::nullopt;
  TimePoint next = next_delta_;
  if (next_full_) next = std::min(next, *next_full_);
  if (!job_uid_.empty()) next = std::min(next, job_seen_at_ + options_.compaction_duration);
  return next;
}

util::Time SnapshotSidecar::wall_now() {
  return std::chrono::time_point_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now());
}

bool SnapshotSidecar::fail(const std::string& what) {
  if (error_.empty()) error_ = what;
  return false;
}

bool SnapshotSidecar::stop() {
  running_ = false;
  next_full_.reset();
  job_uid_.clear();
  return true;
}

std::int64_t SnapshotSidecar::holder_revision(const nlohmann::json& lease) {
  const std::string holder =
      lease.value(nlohmann::json::json_pointer("/spec/holderIdentity"), std::string());
  std::int64_t revision = 0;
  const auto [end, error] = std::from_chars(holder.data(), holder.data() + holder.size(), revision);
  return error == std::errc() && end == holder.data() + holder.size() ? revision : 0;
}

bool SnapshotSidecar::write_lease(const std::string& name, std::int64_t revision,
                                  util::Time renew_time) {
  auto patched = client_.patch(kube::resources::kLeases, ns_, name, kube::PatchType::kMerge,
                               snapshot_lease_renewal(revision, renew_time));
  if (!patched) return fail("renewing lease " + name + ": " + patched.error().what());
  return true;
}

bool SnapshotSidecar::take_full_snapshot(const api::Etcd& etcd, std::int64_t reached,
                                         TimePoint now) {
  const util::Time wall = wall_now();
  if (!write_lease(api::delta_snapshot_lease_name(etcd_name_), reached, wall) ||
      !write_lease(api::full_snapshot_lease_name(etcd_name_), reached, wall)) {
    return false;
  }
  revision_ = reached;
  next_delta_ = now + options_.delta_snapshot_period;
  next_full_ = next_scheduled_full(etcd, wall, now);
  return true;
}

std::optional<SnapshotSidecar::TimePoint> SnapshotSidecar::next_scheduled_full(
    const api::Etcd& etcd, util::Time wall, TimePoint now) {
  const auto& schedule = etcd.spec.backup.full_snapshot_schedule;
  if (!schedule) return std::nullopt;
  const auto parsed = api::CronSchedule::parse(*schedule);
  if (!parsed) return std::nullopt;
  const util::Time next = parsed->next(wall);
  if (next == util::Time::max()) return std::nullopt;
  return now + std::chrono::duration_cast<std::chrono::steady_clock::duration>(next - wall);
}

bool SnapshotSidecar::finished(const nlohmann::json& job) {
  const auto conditions =
      job.value(nlohmann::json::json_pointer("/status/conditions"), nlohmann::json::array());
  return std::any_of(conditions.begin(), conditions.end(), [](const nlohmann::json& condition) {
    const std::string type = condition.value("type", "");
    return condition.value("status", "") == "True" &&
           (type == "Complete" || type == "SuccessCriteriaMet" || type == "Failed" ||
            type == "FailureTarget");
  });
}

bool SnapshotSidecar::complete_compaction(TimePoint now) {
  const auto job = caches_.jobs->get(ns_, api::compaction_job_name(etcd_name_));
  const auto& meta = job ? job->value("metadata", nlohmann::json::object()) : nlohmann::json();
  const std::string uid = job ? meta.value("uid", "") : "";
  if (!job || meta.contains("deletionTimestamp") || finished(*job) || uid == completed_job_uid_) {
    job_uid_.clear();
    return true;
  }
  if (uid != job_uid_) {
    job_uid_ = uid;
    job_seen_at_ = now;
    job_started_ = wall_now();
  }
  if (now < job_seen_at_ + options_.compaction_duration) return true;
  const util::Time ended = wall_now();
  if (!write_lease(api::full_snapshot_lease_name(etcd_name_), revision_, ended)) return false;
  const std::string started_text = util::format_rfc3339(job_started_);
  const std::string ended_text = util::format_rfc3339(ended);
  const nlohmann::json status = {
      {"status",
       {{"startTime", started_text},
        {"completionTime", ended_text},
        {"succeeded", 1},
        {"active", 0},
        {"ready", 0},
        {"terminating", 0},
        {"conditions", nlohmann::json::array({{{"type", "SuccessCriteriaMet"},
                                               {"status", "True"},
                                               {"lastProbeTime", ended_text},
                                               {"lastTransitionTime", ended_text}},
                                              {{"type", "Complete"},
                                               {"status", "True"},
                                               {"lastProbeTime", ended_text},
                                               {"lastTransitionTime", ended_text}}})}}}};
  auto patched = client_.patch(kube::resources::kJobs, ns_, api::compaction_job_name(etcd_name_),
                               kube::PatchType::kMerge, status, "status");
  if (!patched) return fail("completing Job: " + std::string(patched.error().what()));
  completed_job_uid_ = uid;
  job_uid_.clear();
  return true;
}

}  // namespace druid::test
