#pragma once
// `kubectl druid reconciliation trigger|suspend|resume` (upstream's
// druidctl/cmd/reconciliation): ask druid to reconcile an Etcd's spec (and optionally wait until
// its members are updated and ready), or suspend and resume spec reconciliation.

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "druidctl/command_context.hpp"

namespace druid::druidctl {

struct TriggerOptions {
  bool wait_till_ready = false;                               // -w
  bool watch = false;                                         // -W: wait without a timeout
  std::chrono::nanoseconds timeout{std::chrono::minutes(5)};  // -t
  bool timeout_given = false;
  // How often a waiting trigger re-reads the Etcds and prints the status table: upstream's
  // fixed 10 s, changeable through the hidden --poll-interval flag (DRUIDCTL_POLL_INTERVAL) so
  // tests need not wait that long.
  std::chrono::nanoseconds poll_interval{std::chrono::seconds(10)};
};

// -t only with -w; -W with neither -w nor -t.
std::optional<std::string> validate_trigger(const TriggerOptions& options);

CommandResult run_trigger(const CommandContext& ctx, const std::vector<std::string>& args,
                          const TriggerOptions& options);
CommandResult run_suspend(const CommandContext& ctx, const std::vector<std::string>& args);
CommandResult run_resume(const CommandContext& ctx, const std::vector<std::string>& args);

// What the "Reconciliation Status:" table shows, per Etcd ("<ns>/<name>"), shared by the
// threads that wait for each Etcd.
class ReconcileStatusBoard {
 public:
  using Clock = std::chrono::system_clock;
  void start(const std::string& key, Clock::time_point at);
  void set_triggered(const std::string& key);
  void set_updated(const std::string& key);
  void set_completed(const std::string& key, Clock::time_point at);
  std::optional<Clock::time_point> start_of(const std::string& key) const;
  // "Reconciliation Status:" and the table, rows sorted by namespace/name; the time taken is
  // counted up to `now` for Etcds still in progress.
  std::string render(Clock::time_point now) const;

 private:
  struct Row {
    bool triggered = false;
    bool updated = false;
    std::optional<Clock::time_point> start, end;
  };
  mutable std::mutex mutex_;
  std::map<std::string, Row> rows_;
};

}  // namespace druid::druidctl
