#include "controller/etcd/last_operation.hpp"

#include "api/common.hpp"
#include "util/time.hpp"

namespace druid::controller::etcd {
namespace {

using nlohmann::json;

std::string timestamp(std::chrono::system_clock::time_point t) {
  return util::format_rfc3339(std::chrono::time_point_cast<std::chrono::nanoseconds>(t));
}

const char* type_name(OperationType type) {
  return type == OperationType::kDelete ? api::last_operation::kTypeDelete
                                        : api::last_operation::kTypeReconcile;
}

json status_patch(const OperationRecord& record, const char* state, const std::string& description,
                  json last_errors) {
  json operation = {{"type", type_name(record.type)},
                    {"state", state},
                    {"description", description},
                    {"runID", record.run_id},
                    {"lastUpdateTime", timestamp(record.now)}};
  return {{"status",
           {{"lastOperation", std::move(operation)}, {"lastErrors", std::move(last_errors)}}}};
}

// status.lastErrors of the step's errors; null (removed) when there are none.
json last_errors(const StepResult& result) {
  if (result.errors.empty()) return nullptr;
  json errors = json::array();
  for (const auto& error : result.errors) {
    errors.push_back({{"code", error.code},
                      {"description", error.description()},
                      {"observedAt", timestamp(error.observed_at)}});
  }
  return errors;
}

}  // namespace

bool last_reconcile_succeeded(const api::Etcd& etcd) {
  if (!etcd.status || !etcd.status->last_operation) return false;
  const auto& operation = *etcd.status->last_operation;
  return operation.type == api::last_operation::kTypeReconcile &&
         operation.state == api::last_operation::kStateSucceeded;
}

std::string observed_at(std::chrono::system_clock::time_point t) {
  return timestamp(t);
}

StepResult StepResult::failed(std::vector<component::DruidError> errors) {
  StepResult result;
  result.kind = Kind::kError;
  std::string joined;
  for (const auto& error : errors) {
    if (!joined.empty()) joined += "\n";
    joined += error.what();
  }
  result.description = std::move(joined);
  result.errors = std::move(errors);
  return result;
}

StepResult StepResult::failed(std::string description) {
  StepResult result;
  result.kind = Kind::kError;
  result.description = std::move(description);
  return result;
}

json record_start_patch(const OperationRecord& record) {
  const char* description = record.type == OperationType::kDelete
                                ? "Etcd cluster deletion is in progress"
                                : "Etcd cluster reconciliation is in progress";
  return status_patch(record, api::last_operation::kStateProcessing, description, nullptr);
}

json record_success_patch(const OperationRecord& record) {
  const char* description = record.type == OperationType::kDelete
                                ? "Etcd cluster has been successfully deleted"
                                : "Etcd cluster has been successfully reconciled";
  return status_patch(record, api::last_operation::kStateSucceeded, description, nullptr);
}

json record_incomplete_patch(const OperationRecord& record, const StepResult& result) {
  json errors = last_errors(result);
  // Any failure is state Error; a requeue the flow asked for is state Requeue.
  const char* state = result.kind == StepResult::Kind::kError ? api::last_operation::kStateError
                                                              : api::last_operation::kStateRequeue;
  return status_patch(record, state, result.description + " Operation will be retried.",
                      std::move(errors));
}

json record_invalid_spec_patch(const OperationRecord& record, const StepResult& result) {
  return status_patch(record, api::last_operation::kStateError, result.description,
                      last_errors(result));
}

bool records_invalid_spec(const api::Etcd& etcd, const StepResult& result) {
  if (!etcd.status || !etcd.status->last_operation) return false;
  const auto& operation = *etcd.status->last_operation;
  const auto& recorded = etcd.status->last_errors;
  if (operation.type != api::last_operation::kTypeReconcile ||
      operation.state != api::last_operation::kStateError ||
      operation.description != result.description || recorded.size() != result.errors.size()) {
    return false;
  }
  for (std::size_t i = 0; i < recorded.size(); ++i) {
    if (recorded[i].code != result.errors[i].code ||
        recorded[i].description != result.errors[i].description()) {
      return false;
    }
  }
  return true;
}

}  // namespace druid::controller::etcd
