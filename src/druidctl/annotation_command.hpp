#pragma once
// The shape of the commands that only change an annotation on each selected Etcd
// (`reconciliation suspend|resume`, `component-protection add|remove`): validate the selection,
// confirm -A, fetch the Etcds, update them concurrently (get-modify-update), report failures
// together.

#include <string>
#include <vector>

#include "druidctl/command_context.hpp"
#include "druidctl/etcd_update.hpp"

namespace druid::druidctl {

struct AnnotationChange {
  std::string prompt_operation;  // "suspend reconciliation for" (the -A prompt)
  std::string failure;           // "suspending reconciliation" (the aggregated error)
  std::string success;           // "Suspended reconciliation" (logged with -v)
  EtcdModifier modify;           // false: the Etcd already is as wanted
};

CommandResult run_annotation_change(const CommandContext& ctx, const std::vector<std::string>& args,
                                    const AnnotationChange& change);

// "<what> failed for some etcd resources: <what> failed for etcd <ns>/<name>: <error>", one
// line per failed Etcd (Go's errors.Join), as upstream's reconcile command words it.
std::string aggregate_failures(const std::string& what,
                               const std::vector<std::pair<std::string, std::string>>& failures);

}  // namespace druid::druidctl
