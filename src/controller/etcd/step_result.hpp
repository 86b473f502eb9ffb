#pragma once
// The outcome of one step of a reconcile flow: go on, retry after an interval
// (not a failure), fail with errors that end up in status.lastErrors, or refuse
// an invalid spec (recorded like a failure, but not retried: the status flow
// goes on, and the spec is looked at again when it changes or at the next
// status sync).

#include <chrono>
#include <string>
#include <vector>

#include "component/druid_error.hpp"

namespace druid::controller::etcd {

struct StepResult {
  enum class Kind { kContinue, kRequeueAfter, kError, kInvalidSpec };
  Kind kind = Kind::kContinue;
  std::chrono::milliseconds requeue_after{0};
  // Why the flow stopped; recorded in lastOperation.description.
  std::string description;
  // Component errors (lastErrors); other failures only in `description`.
  std::vector<component::DruidError> errors;

  bool stops() const { return kind != Kind::kContinue; }

  static StepResult proceed() { return {}; }
  static StepResult retry_after(std::chrono::milliseconds delay, std::string description) {
    return {Kind::kRequeueAfter, delay, std::move(description), {}};
  }
  static StepResult failed(std::vector<component::DruidError> errors);
  static StepResult failed(std::string description);
};

}  // namespace druid::controller::etcd
