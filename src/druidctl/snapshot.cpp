#include "druidctl/snapshot.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <ostream>
#include <thread>

#include "api/etcd.hpp"
#include "api/etcd_ops_task.hpp"
#include "api/resources.hpp"
#include "druidctl/output.hpp"
#include "druidctl/resource_selection.hpp"
#include "kube/api_error.hpp"
#include "util/json_access.hpp"

namespace druid::druidctl {

using nlohmann::json;

namespace {

struct CreatedTask {
  std::string namespace_, name, etcd;
};

bool is_final_state(std::string_view state) {
  return state == api::ops_task_state::kSucceeded || state == api::ops_task_state::kFailed ||
         state == api::ops_task_state::kRejected;
}

// "ERR_X: why; ERR_Y: why" from status.lastErrors, else lastOperation's description.
std::string failure_reason(const json& status) {
  std::string reason;
  for (const auto& error : status.value("lastErrors", json::array())) {
    if (!reason.empty()) reason += "; ";
    reason += util::string_field(error, "code") + ": " + util::string_field(error, "description");
  }
  if (reason.empty()) {
    reason = util::string_field(status.value("lastOperation", json::object()), "description");
  }
  return reason.empty() ? "no reason reported" : reason;
}

// Follows one task until it ends, printing each state it passes through; an error unless it
// Succeeded.
util::Expected<void, std::string> follow(kube::Client& client, const CreatedTask& task,
                                         const SnapshotOptions& options, const Logger& log,
                                         std::chrono::steady_clock::time_point deadline) {
  std::string last_state;
  while (true) {
    auto object = client.get(api::resources::kEtcdOpsTasks, task.namespace_, task.name);
    if (!object) {
      if (kube::is_not_found(object.error())) {
        return util::unexpected(fmt::format("EtcdOpsTask {}/{} was deleted before it finished",
                                            task.namespace_, task.name));
      }
      return util::unexpected(fmt::format("failed to get EtcdOpsTask {}/{}: {}", task.namespace_,
                                          task.name, object.error().message));
    }
    const json status = object->value("status", json::object());
    const std::string state = util::string_field(status, "state");
    if (!state.empty() && state != last_state) {
      last_state = state;
      log.info(fmt::format("[{}/{}] {}", task.namespace_, task.name, state));
    }
    if (state == api::ops_task_state::kSucceeded) {
      log.info(fmt::format(
          "[{}/{}] {}", task.namespace_, task.name,
          util::string_field(status.value("lastOperation", json::object()), "description")));
      return {};
    }
    if (is_final_state(state)) {
      return util::unexpected(
          fmt::format("snapshot of etcd {}/{} {}: {}", task.namespace_, task.etcd,
                      state == api::ops_task_state::kRejected ? "was rejected" : "failed",
                      failure_reason(status)));
    }
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      return util::unexpected(
          fmt::format("timed out after {} waiting for EtcdOpsTask {}/{} (state {})",
                      rounded_seconds(options.timeout), task.namespace_, task.name,
                      state.empty() ? "not set yet" : state));
    }
    std::this_thread::sleep_until(
        std::min(deadline, now + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                     options.poll_interval)));
  }
}

}  // namespace

std::optional<std::string> validate_snapshot(const SnapshotOptions& options) {
  if (options.full && options.delta) return "cannot specify both --full and --delta";
  if (options.timeout_given && !options.wait)
    return "cannot specify --timeout/-t without --wait/-w";
  if (options.timeout.count() <= 0) return "--timeout must be positive";
  return std::nullopt;
}

CommandResult run_snapshot(const CommandContext& ctx, const std::vector<std::string>& args,
                           const SnapshotOptions& options) {
  if (auto invalid = validate_selection(ctx.global, args)) return util::unexpected(*invalid);
  if (auto invalid = validate_snapshot(options)) return util::unexpected(*invalid);
  const Logger log(ctx.out, ctx.global.verbose);
  auto selection = confirm_and_select(ctx, args, "snapshot", log);
  if (!selection) return util::unexpected(selection.error());
  if (selection->etcds.empty()) return {};
  const auto& client = selection->client;
  const auto& etcds = selection->etcds;
  const auto deadline =
      std::chrono::steady_clock::now() +
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(options.timeout);
  const std::string type = options.delta ? api::kSnapshotTypeDelta : api::kSnapshotTypeFull;

  // Every Etcd is checked before any task is created, so a refusal leaves nothing behind.
  for (const auto& etcd_object : etcds) {
    auto etcd = api::decode_etcd(etcd_object);
    const auto& meta = util::metadata_of(etcd_object);
    const std::string key =
        util::string_field(meta, "namespace") + "/" + util::string_field(meta, "name");
    if (!etcd) {
      return util::unexpected(
          fmt::format("etcd {} cannot be read: {}", key, api::to_string(etcd.error())));
    }
    if (!api::is_backup_store_enabled(*etcd)) {
      return util::unexpected(fmt::format(
          "etcd {} has no backup store (spec.backup.store): on-demand snapshots need one", key));
    }
  }

  std::vector<CreatedTask> created;
  for (const auto& etcd_object : etcds) {
    const auto& meta = util::metadata_of(etcd_object);
    const std::string ns = util::string_field(meta, "namespace");
    const std::string name = util::string_field(meta, "name");
    api::EtcdOpsTask task;
    task.metadata.generate_name = name + "-snapshot-";
    task.metadata.namespace_ = ns;
    task.spec.etcd_name = name;
    task.spec.config.on_demand_snapshot = api::OnDemandSnapshotConfig{};
    task.spec.config.on_demand_snapshot->type = type;
    auto written =
        client->create(api::resources::kEtcdOpsTasks, ns, api::encode_etcd_ops_task(task));
    if (!written) {
      return util::unexpected(fmt::format("failed to create an EtcdOpsTask for etcd {}/{}: {}", ns,
                                          name, written.error().message));
    }
    CreatedTask entry{ns, util::string_field(util::metadata_of(*written), "name"), name};
    log.info(fmt::format("etcdopstask.druid.gardener.cloud/{} created ({} snapshot of etcd {}/{})",
                         entry.name, type, ns, name));
    created.push_back(std::move(entry));
  }
  if (!options.wait) return {};

  std::vector<std::string> failures;
  for (const auto& task : created) {
    auto followed = follow(*client, task, options, log, deadline);
    if (!followed) failures.push_back(followed.error());
  }
  if (failures.empty()) return {};
  if (failures.size() == 1) return util::unexpected(failures.front());
  std::string message = "snapshots failed for some etcd resources:";
  for (const auto& failure : failures) message += "\n  " + failure;
  return util::unexpected(message);
}

}  // namespace druid::druidctl
