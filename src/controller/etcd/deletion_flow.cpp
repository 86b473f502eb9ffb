// The deletion flow (upstream's internal/controller/etcd/reconcile_delete.go): record the
// start, delete every
// component concurrently, come back every 5 s until none is left, then remove
// the finalizer. PVCs are never deleted: they hold the members' data.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "api/annotations.hpp"
#include "api/duration.hpp"
#include "api/resources.hpp"
#include "controller/etcd/concurrent_delete.hpp"
#include "controller/etcd/reconciler.hpp"
#include "controller/etcd/run.hpp"
#include "controller/finalizers.hpp"
#include "kube/resource.hpp"

namespace druid::controller::etcd {
namespace {

using nlohmann::json;

bool deletion_recorded(const api::Etcd& etcd) {
  if (!etcd.status || !etcd.status->last_operation) return false;
  const auto& operation = *etcd.status->last_operation;
  return operation.type == api::last_operation::kTypeDelete &&
         operation.state == api::last_operation::kStateProcessing;
}

}  // namespace

kube::ReconcileOutcome EtcdReconciler::reconcile_deletion(Run& run) {
  run.record.type = OperationType::kDelete;
  if (!run.etcd.metadata.has_finalizer(api::kEtcdDruidFinalizer)) return kube::ReconcileResult{};
  // While the verify loop waits, the start is recorded once, not every 5 s.
  if (!deletion_recorded(run.etcd)) {
    if (auto patched = patch_status(run, record_start_patch(run.record)); !patched) {
      return util::unexpected(kube::ReconcileError{patched.error()});
    }
    emit(run, {kube::EventType::kNormal, event_reason::kDeleting,
               "Deleting the cluster's resources; its PersistentVolumeClaims are kept"});
  }
  for (auto step :
       {&EtcdReconciler::delete_all_components, &EtcdReconciler::verify_components_deleted,
        &EtcdReconciler::remove_finalizer}) {
    StepResult result = (this->*step)(run);
    if (!result.stops()) continue;
    record(run, record_incomplete_patch(run.record, result));
    if (result.kind == StepResult::Kind::kRequeueAfter) {
      return kube::ReconcileResult{false, result.requeue_after};
    }
    // The controller logs the failure (one line per reconcile outcome).
    return util::unexpected(kube::ReconcileError{result.description});
  }
  spdlog::info("Etcd {}: deleted (its PersistentVolumeClaims are kept)", run.key);
  emit(run, {kube::EventType::kNormal, event_reason::kDeleted,
             "Deleted the cluster's resources; its PersistentVolumeClaims are kept"});
  return kube::ReconcileResult{};
}

StepResult EtcdReconciler::delete_all_components(Run& run) {
  std::vector<component::Component*> components;
  for (const auto& component : registry_.all()) components.push_back(component.get());
  std::vector<component::DruidError> errors = delete_concurrently(components, run.ctx);
  if (!errors.empty()) return StepResult::failed(std::move(errors));
  return StepResult::proceed();
}

StepResult EtcdReconciler::verify_components_deleted(Run& run) {
  std::vector<std::string> remaining;
  std::vector<component::DruidError> errors;
  for (const auto& component : registry_.all()) {
    auto names = component->existing_names(run.ctx);
    if (!names) {
      errors.push_back(names.error());
      continue;
    }
    for (const auto& name : *names)
      remaining.push_back(fmt::format("{}/{}", component->kind(), name));
  }
  if (!errors.empty()) return StepResult::failed(std::move(errors));
  if (remaining.empty()) return StepResult::proceed();
  spdlog::info("Etcd {}: waiting for deletion of {}", run.key, fmt::join(remaining, ", "));
  return StepResult::retry_after(
      config_.deletion_verify_interval,
      fmt::format("Cleanup of all resources has not yet been completed. Will retry after {}.",
                  api::format_duration(config_.deletion_verify_interval)));
}

StepResult EtcdReconciler::remove_finalizer(Run& run) {
  const json patch = finalizer_patch(run.etcd.metadata, api::kEtcdDruidFinalizer, false);
  auto patched = writer_.patch(api::resources::kEtcds, run.ns(), run.name(),
                               kube::PatchType::kMerge, patch, {});
  if (patched || patched.error().reason == kube::ApiErrorReason::kNotFound) {
    return StepResult::proceed();
  }
  return StepResult::failed(fmt::format("removing finalizer {} from Etcd {}: {}",
                                        api::kEtcdDruidFinalizer, run.key, patched.error().what()));
}

}  // namespace druid::controller::etcd
