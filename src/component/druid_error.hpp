#pragma once
// The error every component returns (upstream's DruidError): a code from
// error_codes.hpp that callers branch on, the operation during which it
// happened, a message naming the object, and the API error that caused it.
// The controller turns these into status.lastErrors (upstream's internal/errors/errors.go).

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "kube/api_error.hpp"
#include "util/expected.hpp"

namespace druid::component {

// kValidateSpec is ours: the controller's check of the spec before any component syncs.
enum class Operation { kValidateSpec, kPreSync, kSync, kTriggerDelete, kGetExistingResourceNames };

// "ValidateSpec", "PreSync", "Sync", "TriggerDelete", "GetExistingResourceNames".
std::string_view operation_name(Operation operation);

struct DruidError {
  std::string code;
  Operation operation = Operation::kSync;
  std::string message;
  std::optional<kube::ApiError> cause;
  // When the error was produced, from the reconcile's clock (Context::now).
  std::chrono::system_clock::time_point observed_at;

  // `[Operation: Sync, Code: ERR_SYNC_ROLE] <cause or message>` (the error string).
  std::string what() const;
  // `[Operation: Sync, Code: ERR_SYNC_ROLE] message: <message>[, cause: <cause>]`
  // (the lastErrors description).
  std::string description() const;
  // ERR_REQUEUE_AFTER: "retry in 10 s", not a failure.
  bool is_requeue_after() const;
};

// `observed_at` is the reconcile's clock reading (Context::now).
DruidError druid_error(std::chrono::system_clock::time_point observed_at, std::string code,
                       Operation operation, std::string message,
                       std::optional<kube::ApiError> cause = std::nullopt);

// Fallible component steps; std::monostate stands in for "no value".
template <class T = std::monostate>
using DruidResult = util::Expected<T, DruidError>;

inline DruidResult<> ok() {
  return std::monostate{};
}

}  // namespace druid::component
