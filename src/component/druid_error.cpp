#include "component/druid_error.hpp"

#include <fmt/format.h>

#include "component/error_codes.hpp"

namespace druid::component {

std::string_view operation_name(Operation operation) {
  switch (operation) {
    case Operation::kValidateSpec:
      return "ValidateSpec";
    case Operation::kPreSync:
      return "PreSync";
    case Operation::kSync:
      return "Sync";
    case Operation::kTriggerDelete:
      return "TriggerDelete";
    case Operation::kGetExistingResourceNames:
      return "GetExistingResourceNames";
  }
  return "Unknown";
}

std::string DruidError::what() const {
  return fmt::format("[Operation: {}, Code: {}] {}", operation_name(operation), code,
                     cause ? cause->what() : message);
}

std::string DruidError::description() const {
  std::string text = fmt::format("[Operation: {}, Code: {}] message: {}", operation_name(operation),
                                 code, message);
  if (cause) text += ", cause: " + cause->what();
  return text;
}

bool DruidError::is_requeue_after() const {
  return code == error_code::kRequeueAfter;
}

DruidError druid_error(std::chrono::system_clock::time_point observed_at, std::string code,
                       Operation operation, std::string message,
                       std::optional<kube::ApiError> cause) {
  DruidError error;
  error.observed_at = observed_at;
  error.code = std::move(code);
  error.operation = operation;
  error.message = std::move(message);
  error.cause = std::move(cause);
  return error;
}

}  // namespace druid::component
