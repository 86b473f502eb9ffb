#include "druidctl/reconciliation.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <condition_variable>
#include <ostream>
#include <thread>

#include "api/annotations.hpp"
#include "api/resources.hpp"
#include "druidctl/annotation_command.hpp"
#include "druidctl/etcd_update.hpp"
#include "druidctl/output.hpp"
#include "druidctl/resource_selection.hpp"
#include "util/json_access.hpp"
#include "util/time.hpp"

namespace druid::druidctl {

using nlohmann::json;

void ReconcileStatusBoard::start(const std::string& key, Clock::time_point at) {
  const std::lock_guard lock(mutex_);
  Row row;
  row.start = at;
  rows_[key] = row;
}

void ReconcileStatusBoard::set_triggered(const std::string& key) {
  const std::lock_guard lock(mutex_);
  rows_[key].triggered = true;
}

void ReconcileStatusBoard::set_updated(const std::string& key) {
  const std::lock_guard lock(mutex_);
  rows_[key].updated = true;
}

void ReconcileStatusBoard::set_completed(const std::string& key, Clock::time_point at) {
  const std::lock_guard lock(mutex_);
  rows_[key].end = at;
}

std::optional<ReconcileStatusBoard::Clock::time_point> ReconcileStatusBoard::start_of(
    const std::string& key) const {
  const std::lock_guard lock(mutex_);
  const auto it = rows_.find(key);
  return it == rows_.end() ? std::nullopt : it->second.start;
}

std::string ReconcileStatusBoard::render(Clock::time_point now) const {
  std::vector<std::vector<std::string>> rows;
  {
    const std::lock_guard lock(mutex_);
    for (const auto& [key, row] : rows_) {  // std::map: sorted by "<ns>/<name>"
      std::string taken = "N/A";
      if (row.start) taken = rounded_seconds(row.end.value_or(now) - *row.start);
      rows.push_back({key, row.triggered ? "true" : "false", row.updated ? "true" : "false", taken,
                      row.end ? "true" : "false"});
    }
  }
  return "Reconciliation Status:\n" +
         render_table({"Etcd", "Reconcile Triggered", "Pods Upto Date", "Time Taken To Reconcile",
                       "Reconciliation Completed"},
                      rows);
}

std::optional<std::string> validate_trigger(const TriggerOptions& options) {
  if (!options.wait_till_ready && options.timeout_given) {
    return "cannot specify --timeout/-t without --wait-till-ready/-w";
  }
  if (options.watch && (options.wait_till_ready || options.timeout_given)) {
    return "cannot specify --watch/-W with --wait-till-ready/-w or --timeout/-t";
  }
  return std::nullopt;
}

namespace {

const json* condition_of(const json& etcd, std::string_view type) {
  const auto status = etcd.find("status");
  if (status == etcd.end() || !status->is_object()) return nullptr;
  const auto conditions = status->find("conditions");
  if (conditions == status->end() || !conditions->is_array()) return nullptr;
  for (const auto& condition : *conditions) {
    if (util::string_field(condition, "type") == type) return &condition;
  }
  return nullptr;
}

bool condition_true(const json& etcd, std::string_view type) {
  const json* condition = condition_of(etcd, type);
  return condition != nullptr && util::string_field(*condition, "status") == "True";
}

// One Etcd's trigger: annotate, then (with -w/-W) poll until AllMembersUpdated and
// AllMembersReady are both True or the deadline passes.
class TriggerRun {
 public:
  TriggerRun(kube::Client& client, const TriggerOptions& options, const Logger& log,
             ReconcileStatusBoard& board, std::chrono::steady_clock::time_point deadline)
      : client_(client), options_(options), log_(log), board_(board), deadline_(deadline) {}

  std::optional<std::string> operator()(const std::string& ns, const std::string& name) {
    const std::string key = ns + "/" + name;
    board_.start(key, ReconcileStatusBoard::Clock::now());
    log_.detail(ns, name, "Starting reconciliation for etcd");
    auto updated = update_etcd(client_, ns, name, [](json& etcd) {
      auto& annotations = annotations_of(etcd);
      const auto it = annotations.find(api::kDruidOperationAnnotation);
      if (it != annotations.end() && *it == api::kOperationReconcile) return false;
      annotations[api::kDruidOperationAnnotation] = api::kOperationReconcile;
      return true;
    });
    if (!updated) return updated.error();
    board_.set_triggered(key);
    log_.detail(ns, name, "Triggered reconciliation for etcd");
    if (has_annotation(*updated, api::kSuspendEtcdSpecReconcileAnnotation)) {
      return std::string("reconciliation triggered, but is suspended for Etcd, cannot proceed");
    }
    if (!options_.wait_till_ready && !options_.watch) return std::nullopt;
    if (auto failed = wait_until_ready(ns, name, key)) {
      return "error waiting for Etcd to be ready: " + *failed;
    }
    return std::nullopt;
  }

 private:
  std::optional<std::string> wait_until_ready(const std::string& ns, const std::string& name,
                                              const std::string& key) {
    log_.detail(ns, name, "Waiting for etcd to be ready...");
    for (;;) {
      const auto next =
          std::chrono::steady_clock::now() +
          std::chrono::duration_cast<std::chrono::steady_clock::duration>(options_.poll_interval);
      if (next > deadline_) {
        std::this_thread::sleep_until(deadline_);
        return std::string(
            "context canceled while waiting for Etcd to be ready: context deadline exceeded");
      }
      std::this_thread::sleep_until(next);
      auto etcd = client_.get(api::resources::kEtcds, ns, name);
      if (!etcd) {
        log_.detail(ns, name,
                    "Warning : failed checking conditions for Etcd: failed to get latest Etcd: " +
                        etcd.error().message);
        continue;
      }
      const bool members_updated = condition_true(*etcd, "AllMembersUpdated");
      const bool members_ready = condition_true(*etcd, "AllMembersReady");
      if (members_updated) board_.set_updated(key);
      if (!members_updated || !members_ready) {
        std::vector<std::string> failing;
        if (!members_updated) failing.emplace_back("AllMembersUpdated");
        if (!members_ready) failing.emplace_back("AllMembersReady");
        log_.detail(ns, name,
                    fmt::format("Warning : Etcd is not ready. Failing conditions: [{}]",
                                fmt::join(failing, " ")));
        continue;
      }
      // The time the members became ready, when that happened after the trigger.
      auto end = ReconcileStatusBoard::Clock::now();
      const json* ready = condition_of(*etcd, "AllMembersReady");
      if (auto at = util::parse_rfc3339(util::string_field(*ready, "lastTransitionTime"))) {
        const auto ready_at =
            std::chrono::time_point_cast<ReconcileStatusBoard::Clock::duration>(*at);
        const auto started = board_.start_of(key);
        if (!started || ready_at > *started) end = ready_at;
      }
      board_.set_completed(key, end);
      log_.detail(ns, name, "Etcd is now ready");
      return std::nullopt;
    }
  }

  kube::Client& client_;
  const TriggerOptions& options_;
  const Logger& log_;
  ReconcileStatusBoard& board_;
  std::chrono::steady_clock::time_point deadline_;
};

}  // namespace

CommandResult run_trigger(const CommandContext& ctx, const std::vector<std::string>& args,
                          const TriggerOptions& options) {
  if (auto invalid = validate_selection(ctx.global, args)) return util::unexpected(*invalid);
  if (auto invalid = validate_trigger(options)) return util::unexpected(*invalid);
  const Logger log(ctx.out, ctx.global.verbose);
  auto selection = confirm_and_select(ctx, args, "reconcile", log);
  if (!selection) return util::unexpected(selection.error());
  if (selection->etcds.empty()) return {};
  const auto& client = selection->client;
  const auto& etcds = selection->etcds;
  // --watch waits without a deadline; otherwise -t bounds the whole command.
  const auto deadline =
      options.watch
          ? std::chrono::steady_clock::time_point::max()
          : std::chrono::steady_clock::now() +
                std::chrono::duration_cast<std::chrono::steady_clock::duration>(options.timeout);

  ReconcileStatusBoard board;
  const bool waiting = options.wait_till_ready || options.watch;
  std::vector<std::optional<std::string>> errors(etcds.size());
  std::mutex done_mutex;
  std::condition_variable done;
  std::size_t remaining = etcds.size();
  std::vector<std::thread> workers;
  for (std::size_t i = 0; i < etcds.size(); ++i) {
    workers.emplace_back([&, i] {
      const auto& meta = util::metadata_of(etcds[i]);
      TriggerRun run(*client, options, log, board, deadline);
      errors[i] = run(util::string_field(meta, "namespace"), util::string_field(meta, "name"));
      const std::lock_guard lock(done_mutex);
      --remaining;
      done.notify_all();
    });
  }
  if (waiting) {
    std::unique_lock lock(done_mutex);
    const auto period =
        std::chrono::duration_cast<std::chrono::milliseconds>(options.poll_interval);
    while (!done.wait_for(lock, period, [&] { return remaining == 0; })) {
      lock.unlock();
      log.info(board.render(ReconcileStatusBoard::Clock::now()));
      lock.lock();
    }
  }
  for (auto& worker : workers) worker.join();
  if (waiting) log.info(board.render(ReconcileStatusBoard::Clock::now()));

  std::vector<std::pair<std::string, std::string>> failures;
  for (std::size_t i = 0; i < errors.size(); ++i) {
    if (!errors[i]) continue;
    const auto& meta = util::metadata_of(etcds[i]);
    failures.emplace_back(
        util::string_field(meta, "namespace") + "/" + util::string_field(meta, "name"), *errors[i]);
  }
  if (!failures.empty()) return util::unexpected(aggregate_failures("reconciliation", failures));
  return {};
}

CommandResult run_suspend(const CommandContext& ctx, const std::vector<std::string>& args) {
  return run_annotation_change(ctx, args,
                               {"suspend reconciliation for", "suspending reconciliation",
                                "Suspended reconciliation", [](json& etcd) {
                                  auto& annotations = annotations_of(etcd);
                                  const auto it =
                                      annotations.find(api::kSuspendEtcdSpecReconcileAnnotation);
                                  if (it != annotations.end() && *it == "true") return false;
                                  annotations[api::kSuspendEtcdSpecReconcileAnnotation] = "true";
                                  return true;
                                }});
}

CommandResult run_resume(const CommandContext& ctx, const std::vector<std::string>& args) {
  return run_annotation_change(
      ctx, args,
      {"resume reconciliation for", "resuming reconciliation", "Resumed reconciliation",
       [](json& etcd) {
         if (!has_annotation(etcd, api::kSuspendEtcdSpecReconcileAnnotation)) return false;
         annotations_of(etcd).erase(api::kSuspendEtcdSpecReconcileAnnotation);
         return true;
       }});
}

}  // namespace druid::druidctl
