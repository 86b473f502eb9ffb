#pragma once
// Validation of the operator configuration (upstream's
// api/config/v1alpha1/validation/validation.go), run after the
// defaults are applied. Logging errors are reported under `log.*`, as upstream
// does, although the file key is `logging`.

#include "api/field_error.hpp"
#include "api/operator_config.hpp"

namespace druid::api::validation {

FieldErrors validate_operator_config(const OperatorConfiguration& config);

}  // namespace druid::api::validation
