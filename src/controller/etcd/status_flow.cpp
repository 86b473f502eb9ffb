// The status flow (upstream's internal/controller/etcd/reconcile_status.go): members, conditions
// and StatefulSet fields computed by the health layer from what the caches hold, written with one
// status merge patch — only when something other than a condition's lastUpdateTime changed, or as
// the 5-minute heartbeat. A spec reconcile that completed in this run rides along in the same patch
// (lastOperation Succeeded, observedGeneration), so creating an Etcd costs the minimum of writes:
// 13 creates, the finalizer, Processing and this one.
#include <fmt/format.h>

#include "api/annotations.hpp"
#include "api/labels.hpp"
#include "component/component.hpp"
#include "controller/etcd/reconciler.hpp"
#include "controller/etcd/run.hpp"
#include "controller/etcd/setup.hpp"
#include "health/etcd_status.hpp"
#include "kube/patch.hpp"
#include "kube/resource.hpp"
#include "util/json_access.hpp"

namespace druid::controller::etcd {
namespace {

using nlohmann::json;

// Objects of one list read, or the error for the conditions that needed them.
void read_list(component::ObjectReader& reader, const util::ResourceType& type,
               const std::string& ns, const util::Labels& selector,
               std::vector<health::ObjectPtr>& objects, std::optional<std::string>& error) {
  auto listed = reader.list(type, ns, selector);
  if (listed) {
    objects = std::move(*listed);
  } else {
    error = listed.error().what();
  }
}

// Warning events about each claim that is not bound, read by the claim's name
// (the cache indexes involvedObject.name, setup.cpp), or the first error.
void read_unbound_claim_events(component::ObjectReader& reader, const std::string& ns,
                               const std::vector<health::ObjectPtr>& pvcs,
                               std::vector<health::ObjectPtr>& events,
                               std::optional<std::string>& error) {
  for (const auto& pvc : pvcs) {
    if (!pvc || pvc->value("status", json::object()).value("phase", "") == "Bound") continue;
    auto listed = reader.list_by_field(kube::resources::kEvents, ns, kEventInvolvedObjectName,
                                       util::string_field(util::metadata_of(*pvc), "name"));
    if (!listed) {
      error = listed.error().what();
      return;
    }
    events.insert(events.end(), listed->begin(), listed->end());
  }
}

// The keys of the status the status flow owns; lastOperation, lastErrors and
// observedGeneration belong to the spec and deletion flows.
json owned_status(const api::EtcdStatus& status) {
  json encoded = api::encode(status);
  if (!encoded.is_object()) return json::object();
  for (const char* key : {"lastOperation", "lastErrors", "observedGeneration"}) encoded.erase(key);
  return encoded;
}

}  // namespace

StepResult EtcdReconciler::reconcile_status(Run& run) {
  const api::Etcd& etcd = run.etcd;
  // Without runtime components there are no members to look at.
  if (api::is_runtime_component_creation_disabled(etcd.metadata)) {
    return write_status(run, json::object());
  }

  health::StatusInputs inputs;
  inputs.thresholds.unknown = config_.member_unknown_threshold;
  inputs.thresholds.not_ready = config_.member_not_ready_threshold;
  inputs.now = clock_.wall_now();
  read_list(reader_, kube::resources::kLeases, run.ns(), api::member_lease_selector_labels(etcd),
            inputs.member_leases, inputs.member_leases_error);
  read_list(reader_, kube::resources::kPods, run.ns(), api::default_labels(etcd), inputs.pods,
            inputs.pods_error);
  read_list(reader_, kube::resources::kLeases, run.ns(), api::snapshot_lease_selector_labels(etcd),
            inputs.snapshot_leases, inputs.snapshot_leases_error);
  read_list(reader_, kube::resources::kPersistentVolumeClaims, run.ns(), api::default_labels(etcd),
            inputs.pvcs, inputs.pvcs_error);
  auto statefulset = reader_.get(kube::resources::kStatefulSets, run.ns(), run.name());
  if (!statefulset) {
    inputs.statefulset_error = statefulset.error().what();
  } else if (*statefulset && util::is_controlled_by(**statefulset, etcd.metadata.uid)) {
    inputs.statefulset = *statefulset;
  }
  // Events matter only while a PVC is not bound. They come from the cache of
  // Warning events about PVCs (setup.cpp), so a claim that stays Pending costs
  // no request per status check, and from its index by claim name, so the
  // check does not scan the namespace's events.
  read_unbound_claim_events(reader_, run.ns(), inputs.pvcs, inputs.events, inputs.events_error);

  const api::EtcdStatus old_status = etcd.status.value_or(api::EtcdStatus{});
  const api::EtcdStatus new_status = health::compute_status(etcd, inputs);
  const bool write =
      health::should_write_status(old_status, new_status, inputs.now, config_.status_heartbeat);
  StepResult written = write_status(
      run, write ? kube::create_merge_patch(owned_status(old_status), owned_status(new_status))
                 : json::object());
  if (!written.stops()) report_status_change(run, old_status, new_status, inputs, write);
  return written;
}

void EtcdReconciler::report_status_change(const Run& run, const api::EtcdStatus& before,
                                          const api::EtcdStatus& after,
                                          const health::StatusInputs& inputs, bool written) {
  if (metrics_ != nullptr) metrics_->leader_seen({run.ns(), run.name()}, leader_of(after));
  if (events_ == nullptr) return;
  // Said only once written: an unwritten change is seen again next time.
  if (written) {
    for (const auto& event : condition_events(before, after)) emit(run, event);
  }
  const std::optional<std::string> progress =
      inputs.statefulset ? rollout_progress(*inputs.statefulset, inputs.pods) : std::nullopt;
  std::optional<LifecycleEvent> event;
  {
    const std::lock_guard lock(rollouts_mutex_);
    const auto it = rollouts_.find(run.key);
    if (progress && it == rollouts_.end()) {
      event = LifecycleEvent{kube::EventType::kNormal, event_reason::kRolloutStarted,
                             "Updating members: " + *progress};
      rollouts_.emplace(run.key, *progress);
    } else if (progress && it->second != *progress) {
      event = LifecycleEvent{kube::EventType::kNormal, event_reason::kRolloutProgress, *progress};
      it->second = *progress;
    } else if (!progress && it != rollouts_.end() && inputs.statefulset) {
      event = LifecycleEvent{kube::EventType::kNormal, event_reason::kRolloutCompleted,
                             "Every member runs the latest desired spec"};
      rollouts_.erase(it);
    }
  }
  if (event) emit(run, *event);
}

// One status patch: the computed fields that changed and what a completed spec
// reconcile sets; nothing when both are empty.
StepResult EtcdReconciler::write_status(Run& run, json changed) {
  if (run.completed_spec_status.is_object()) {
    for (const auto& [key, value] : run.completed_spec_status.items()) changed[key] = value;
  }
  if (changed.empty()) return StepResult::proceed();
  if (auto patched = patch_status(run, {{"status", std::move(changed)}}); !patched) {
    return StepResult::failed(patched.error());
  }
  return StepResult::proceed();
}

}  // namespace druid::controller::etcd
