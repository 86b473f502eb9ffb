#pragma once
// `kubectl druid snapshot <etcd> [--full|--delta] [--wait]` (ours; upstream's druidctl has no
// such command): asks etcd-druid for an on-demand snapshot by creating an EtcdOpsTask
// (spec.config.onDemandSnapshot, the API of upstream's docs/proposals/05-etcd-operator-tasks.md)
// and, with --wait, follows the task until it ends.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "druidctl/command_context.hpp"

namespace druid::druidctl {

struct SnapshotOptions {
  bool full = false;   // --full (the default when neither is given)
  bool delta = false;  // --delta
  bool wait = false;   // -w/--wait
  std::chrono::nanoseconds timeout{std::chrono::minutes(20)};  // -t/--timeout, with --wait only
  bool timeout_given = false;
  // How often --wait re-reads the task (hidden --poll-interval, DRUIDCTL_POLL_INTERVAL).
  std::chrono::nanoseconds poll_interval{std::chrono::seconds(2)};
};

// The flag rules that need no server; nullopt when the flags are valid.
std::optional<std::string> validate_snapshot(const SnapshotOptions& options);

CommandResult run_snapshot(const CommandContext& ctx, const std::vector<std::string>& args,
                           const SnapshotOptions& options);

}  // namespace druid::druidctl
