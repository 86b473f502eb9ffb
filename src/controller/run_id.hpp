#pragma once
// The ID of one reconcile, written to status.lastOperation.runID so a person
// can match a status to the log lines of the reconcile that wrote it.

#include <string>

namespace druid::controller {

// A random (version 4) UUID, as controller-runtime gives every reconcile.
std::string new_run_id();

}  // namespace druid::controller
