#pragma once
// status.lastOperation / status.lastErrors of an Etcd (upstream's api/common/types.go and
// internal/controller/utils/etcdstatus.go) as
// the JSON merge patches the flows send to the status subresource.

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "api/etcd.hpp"
#include "controller/etcd/step_result.hpp"

namespace druid::controller::etcd {

// True when status.lastOperation is a Reconcile that Succeeded.
bool last_reconcile_succeeded(const api::Etcd& etcd);

// A lastErrors[].observedAt or lastOperation.lastUpdateTime value (RFC 3339, nanoseconds).
std::string observed_at(std::chrono::system_clock::time_point t);

// Reconcile or Delete.
enum class OperationType { kReconcile, kDelete };

struct OperationRecord {
  OperationType type = OperationType::kReconcile;
  std::string run_id;
  std::chrono::system_clock::time_point now;
};

// lastOperation {state Processing, "Etcd cluster reconciliation is in
// progress" / "Etcd cluster deletion is in progress"}, lastErrors removed.
nlohmann::json record_start_patch(const OperationRecord& record);
// lastOperation {state Succeeded, "Etcd cluster has been successfully
// reconciled"}, lastErrors removed.
nlohmann::json record_success_patch(const OperationRecord& record);
// lastOperation {state Error when the step carried errors, else Requeue;
// "<description> Operation will be retried."}, lastErrors one per error.
nlohmann::json record_incomplete_patch(const OperationRecord& record, const StepResult& result);
// lastOperation {state Error, "<description>"}, lastErrors one per error: an
// invalid spec, which is not retried until it changes.
nlohmann::json record_invalid_spec_patch(const OperationRecord& record, const StepResult& result);
// Whether `etcd`'s status already says what record_invalid_spec_patch(_, result)
// would write (same description and lastErrors but for times and run ID).
bool records_invalid_spec(const api::Etcd& etcd, const StepResult& result);

}  // namespace druid::controller::etcd
