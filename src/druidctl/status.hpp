#pragma once
// `kubectl druid status [resources]` (ours; upstream's druidctl has no such command): one screen
// per Etcd with what a person on call asks first — are the members there, ready and renewing
// their leases, what do the conditions say and why, what did the last reconcile do, are backups
// being taken, and which pods still run an old revision. Read-only: it never writes.

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "druidctl/command_context.hpp"
#include "kube/client.hpp"
#include "util/expected.hpp"

namespace druid::druidctl {

struct StatusOptions {
  std::string output;  // -o/--output: "" (the screen), json, yaml
};

// The report on one Etcd as read from the server at `now`: its Etcd, the member and snapshot
// Leases, the StatefulSet and the Pods. Ages are whole seconds (null when unknown). Errors name
// the Etcd and what could not be read.
util::Expected<nlohmann::ordered_json, std::string> collect_etcd_status(
    kube::Client& client, const nlohmann::json& etcd, std::chrono::system_clock::time_point now);

// The screen for one report (see docs/architecture.md and README.md for its sections).
std::string render_etcd_status(const nlohmann::ordered_json& report);

CommandResult run_status(const CommandContext& ctx, const std::vector<std::string>& args,
                         const StatusOptions& options);

}  // namespace druid::druidctl
