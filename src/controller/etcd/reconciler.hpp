#pragma once
// The Etcd controller's reconcile (upstream's internal/controller/etcd/reconciler.go):
// deletion, or the spec
// flow when it is due, then the status flow, then completion; every Etcd comes
// back after the status sync period. The flows live in spec_flow.cpp,
// deletion_flow.cpp and status_flow.cpp.

#include <chrono>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "api/etcd.hpp"
#include "api/image_vector.hpp"
#include "component/context.hpp"
#include "component/object_reader.hpp"
#include "component/object_writer.hpp"
#include "component/registry.hpp"
#include "controller/etcd/config.hpp"
#include "controller/etcd/last_operation.hpp"
#include "controller/etcd/lifecycle_events.hpp"
#include "controller/etcd/metrics.hpp"
#include "controller/etcd/step_result.hpp"
#include "health/etcd_status.hpp"
#include "kube/clock.hpp"
#include "kube/controller.hpp"
#include "kube/event_recorder.hpp"

namespace druid::controller::etcd {

// Event reason of a skipped spec reconcile (suspend annotation).
inline constexpr const char* kSpecReconciliationSkippedReason = "SpecReconciliationSkipped";
// Ours: Warning Events for what a user would otherwise not notice.
inline constexpr const char* kManagedObjectMissingReason = "ManagedObjectMissing";
inline constexpr const char* kUnknownOperationReason = "UnknownOperationAnnotation";
inline constexpr const char* kInvalidSpecReason = "InvalidSpec";

struct ReconcilerDependencies {
  component::ObjectWriter& writer;
  component::ObjectReader& reader;
  // Reads that must not come from a cache: a managed object reported missing
  // is confirmed with the API server first.
  component::ObjectReader& live_reader;
  const component::Registry& registry;
  const api::ImageVector& image_vector;
  kube::EventRecorder* events = nullptr;  // optional
  const kube::Clock* clock = nullptr;     // null: the system clock
  EtcdMetrics* metrics = nullptr;         // optional
};

class EtcdReconciler final : public kube::Reconciler {
 public:
  EtcdReconciler(ReconcilerDependencies dependencies, EtcdControllerConfig config);

  kube::ReconcileOutcome reconcile(const kube::Request& request) override;

 private:
  struct Run;  // one reconcile's Etcd, context and bookkeeping

  // One reconcile of the Etcd `object` as the cache holds it (timed by reconcile()).
  kube::ReconcileOutcome reconcile_etcd(const kube::Request& request, const nlohmann::json& object);
  // The Etcd is gone: drop what is kept per Etcd (warnings sent, rollout, metrics).
  void forget(const kube::Request& request);
  bool should_reconcile_spec(const Run& run);
  kube::ReconcileOutcome finish(Run& run, const StepResult& spec, bool spec_ran);

  // spec_flow.cpp
  StepResult reconcile_spec(Run& run);
  bool is_quiet_resync(const Run& run) const;
  // The spec against the CRD's CEL rules and what is deployed (spec_validation.hpp).
  StepResult validate_spec(Run& run);
  StepResult ensure_finalizer(Run& run);
  StepResult pre_sync(Run& run);
  StepResult sync_components(Run& run);
  StepResult clean_up_runtime_components(Run& run);
  StepResult complete_spec(Run& run);

  // deletion_flow.cpp
  kube::ReconcileOutcome reconcile_deletion(Run& run);
  StepResult delete_all_components(Run& run);
  StepResult verify_components_deleted(Run& run);
  StepResult remove_finalizer(Run& run);

  // status_flow.cpp
  StepResult reconcile_status(Run& run);
  StepResult write_status(Run& run, nlohmann::json changed);

  // lifecycle Events (lifecycle_events.hpp) of the status flow: condition
  // changes, rollout progress; and the leader for the metrics.
  // `written`: `after` was written (else only the rollout and leader count).
  void report_status_change(const Run& run, const api::EtcdStatus& before,
                            const api::EtcdStatus& after, const health::StatusInputs& inputs,
                            bool written);
  void report_spec_applied(const Run& run);
  void emit(const Run& run, const LifecycleEvent& event);

  // drift_report.cpp
  StepResult report_missing_objects(Run& run);
  void warn_unknown_operation(const Run& run);

  // Status subresource merge patch; the error text names the Etcd. Keeps the
  // run's resourceVersion current for the optimistic locks that follow.
  util::Expected<void, std::string> patch_status(Run& run, const nlohmann::json& patch);
  // Merge patch of the Etcd object itself, likewise.
  util::Expected<void, std::string> patch_etcd(Run& run, const nlohmann::json& patch,
                                               std::string_view what);
  void record(Run& run, const nlohmann::json& patch);

  component::ObjectWriter& writer_;
  component::ObjectReader& reader_;
  component::ObjectReader& live_reader_;
  const component::Registry& registry_;
  const api::ImageVector& image_vector_;
  kube::EventRecorder* events_;
  const kube::Clock& clock_;
  EtcdControllerConfig config_;
  // The operation annotation ("key=value") last warned about per Etcd key, so
  // the Warning is sent once per value rather than on every status check.
  std::mutex warned_operations_mutex_;
  std::map<std::string, std::string> warned_operations_;
  EtcdMetrics* metrics_;
  // The rollout progress last reported per Etcd key; present while a rollout
  // runs, so its start, steps and end are each said once.
  std::mutex rollouts_mutex_;
  std::map<std::string, std::string> rollouts_;
};

}  // namespace druid::controller::etcd
