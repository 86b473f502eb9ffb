// What an Etcd's status does not show by itself (ours; upstream notices
// neither until the next spec reconcile): objects druid manages that someone
// removed while the spec is not being reconciled, and operation annotations
// druid does not act on. Each is said once — in status.lastErrors and a
// Warning Event when what is missing changes, a Warning Event per annotation
// value — so a broken or misspelt Etcd is visible in `kubectl describe etcd`
// without costing a request while nothing changes.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "api/annotations.hpp"
#include "component/error_codes.hpp"
#include "component/object_reader.hpp"
#include "controller/etcd/reconciler.hpp"
#include "controller/etcd/run.hpp"

namespace druid::controller::etcd {
namespace {

using nlohmann::json;

// The names `component` would create that `ctx`'s reader does not find;
// nullopt when the reader failed (never reported as missing).
std::optional<std::vector<std::string>> missing_names(component::Component& component,
                                                      component::Context& ctx) {
  auto existing = component.existing_names(ctx);
  if (!existing) return std::nullopt;
  std::vector<std::string> missing;
  for (auto& name : component.desired_names(ctx.etcd)) {
    if (std::find(existing->begin(), existing->end(), name) == existing->end()) {
      missing.push_back(std::move(name));
    }
  }
  return missing;
}

// What brings the objects back, as a person at kubectl would do it.
std::string repair_hint(const api::Etcd& etcd) {
  const std::string annotate =
      fmt::format("kubectl annotate etcd {} {}={}", etcd.metadata.name,
                  api::kGardenerOperationAnnotation, api::kOperationReconcile);
  if (api::is_spec_reconcile_suspended(etcd.metadata)) {
    return fmt::format("spec reconciliation is suspended by the annotation {}; remove it, then {}",
                       api::kSuspendEtcdSpecReconcileAnnotation, annotate);
  }
  return "annotate the Etcd to recreate it: " + annotate;
}

bool same_errors(const std::vector<api::LastError>& current,
                 const std::vector<api::LastError>& wanted) {
  return std::equal(current.begin(), current.end(), wanted.begin(), wanted.end(),
                    [](const api::LastError& a, const api::LastError& b) {
                      return a.code == b.code && a.description == b.description;
                    });
}

json encode_errors(const std::vector<api::LastError>& errors) {
  if (errors.empty()) return nullptr;  // merge patch: remove the key
  json encoded = json::array();
  for (const auto& error : errors) {
    encoded.push_back({{"code", error.code},
                       {"description", error.description},
                       {"observedAt", error.observed_at}});
  }
  return encoded;
}

}  // namespace

StepResult EtcdReconciler::report_missing_objects(Run& run) {
  const api::Etcd& etcd = run.etcd;
  // Before the first successful spec reconcile the objects are not all there
  // yet, and after a failed one lastErrors hold that reconcile's errors.
  if (!last_reconcile_succeeded(etcd)) return StepResult::proceed();
  const std::vector<api::LastError>& current = etcd.status->last_errors;

  std::vector<api::LastError> errors;
  std::vector<std::string> objects;  // "<Kind> <namespace>/<name>"
  const std::string observed = observed_at(run.ctx.now);
  const std::string hint = repair_hint(etcd);
  // The cache can lag an object this very reconcile or the last one created;
  // only the API server's answer counts as missing. This costs requests only
  // while something is missing.
  component::Context live_ctx(writer_, live_reader_, config_.settings, image_vector_, etcd);
  live_ctx.now = run.ctx.now;
  for (component::Component* component : registry_.for_sync(etcd)) {
    const auto cached = missing_names(*component, run.ctx);
    if (!cached || cached->empty()) continue;
    const auto confirmed = missing_names(*component, live_ctx);
    if (!confirmed) continue;
    for (const auto& name : *confirmed) {
      objects.push_back(fmt::format("{} {}/{}", component->kind(), run.ns(), name));
      errors.push_back({component::error_code::kManagedObjectMissing,
                        fmt::format("{} is missing; {}", objects.back(), hint),
                        observed,
                        {}});
    }
  }
  if (same_errors(current, errors)) return StepResult::proceed();
  const json patch = {{"status", {{"lastErrors", encode_errors(errors)}}}};
  if (auto patched = patch_status(run, patch); !patched) return StepResult::failed(patched.error());
  if (events_ != nullptr && !objects.empty()) {
    events_->warning(run.object, kManagedObjectMissingReason,
                     fmt::format("{} {} missing; {}", fmt::join(objects, ", "),
                                 objects.size() == 1 ? "is" : "are", hint));
  }
  return StepResult::proceed();
}

void EtcdReconciler::warn_unknown_operation(const Run& run) {
  const auto unknown = api::unknown_operation_annotation(run.etcd.metadata);
  {
    std::lock_guard lock(warned_operations_mutex_);
    if (!unknown) {
      warned_operations_.erase(run.key);
      return;
    }
    const std::string seen = unknown->first + "=" + unknown->second;
    auto [it, inserted] = warned_operations_.try_emplace(run.key, seen);
    if (!inserted && it->second == seen) return;
    it->second = seen;
  }
  if (events_ == nullptr) return;
  events_->warning(
      run.object, kUnknownOperationReason,
      fmt::format("annotation {}=\"{}\" is ignored: the only operation etcd-druid knows is \"{}\" "
                  "(kubectl annotate etcd {} {}={} --overwrite)",
                  unknown->first, unknown->second, api::kOperationReconcile, run.name(),
                  unknown->first, api::kOperationReconcile));
}

}  // namespace druid::controller::etcd
