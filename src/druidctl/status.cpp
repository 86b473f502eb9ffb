#include "druidctl/status.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <ostream>

#include "api/annotations.hpp"
#include "api/labels.hpp"
#include "api/names.hpp"
#include "druidctl/output.hpp"
#include "druidctl/resource_selection.hpp"
#include "health/statefulset_status.hpp"
#include "kube/api_error.hpp"
#include "kube/resource.hpp"
#include "util/json_access.hpp"
#include "util/label_selector.hpp"
#include "util/time.hpp"

namespace druid::druidctl {

using nlohmann::json;
using nlohmann::ordered_json;

namespace {

// The conditions in the order a reader wants them: the verdict first, then its parts.
constexpr std::array<const char*, 8> kConditionOrder = {
    api::condition::kReady,
    api::condition::kAllMembersReady,
    api::condition::kAllMembersUpdated,
    api::condition::kDataVolumesReady,
    api::condition::kBackupReady,
    api::condition::kLastSnapshotCompactionSucceeded,
    api::condition::kClusterIdMismatch,
    api::condition::kBootstrappedWithExistingCluster,
};

// Whole seconds from an RFC 3339 time to `now`; null when the time is absent or unreadable.
ordered_json age_seconds(std::string_view time, std::chrono::system_clock::time_point now) {
  if (time.empty()) return nullptr;
  auto parsed = util::parse_rfc3339(time);
  if (!parsed) return nullptr;
  return std::chrono::duration_cast<std::chrono::seconds>(now - *parsed).count();
}

std::string age_text(const ordered_json& seconds) {
  if (!seconds.is_number_integer()) return "-";
  return short_duration(std::chrono::seconds(seconds.get<std::int64_t>()));
}

std::string text_or_dash(const ordered_json& value) {
  if (value.is_string() && !value.get<std::string>().empty()) return value.get<std::string>();
  if (value.is_number_integer()) return std::to_string(value.get<std::int64_t>());
  return "-";
}

util::Expected<json, std::string> list_in(kube::Client& client, const util::ResourceType& type,
                                          const std::string& ns, const util::Labels& labels,
                                          const std::string& etcd_key) {
  kube::ListOptions options;
  options.label_selector = util::Selector::from_labels(labels).to_string();
  auto listed = client.list(type, ns, options);
  if (!listed) {
    return util::unexpected(fmt::format("failed to list {} for etcd {}: {}", type.resource,
                                        etcd_key, listed.error().message));
  }
  return listed->value("items", json::array());
}

const json* find_named(const json& items, std::string_view name) {
  for (const auto& item : items) {
    if (util::string_field(util::metadata_of(item), "name") == name) return &item;
  }
  return nullptr;
}

ordered_json member_rows(const api::Etcd& etcd, const json& member_leases,
                         std::chrono::system_clock::time_point now) {
  // Members as the status reports them, joined with the lease each one renews; a lease without
  // a status entry (a member not yet reported) still gets a row.
  std::map<std::string, ordered_json> rows;
  if (etcd.status) {
    for (const auto& member : etcd.status->members) {
      ordered_json row;
      row["name"] = member.name;
      row["id"] = member.id.value_or("");
      row["role"] = member.role.value_or("");
      row["status"] = member.status;
      row["reason"] = member.reason;
      row["leaseHolder"] = nullptr;
      row["leaseAgeSeconds"] = nullptr;
      rows[member.name] = std::move(row);
    }
  }
  for (const auto& lease : member_leases) {
    const std::string name = util::string_field(util::metadata_of(lease), "name");
    auto& row = rows[name];
    if (row.is_null()) {
      row["name"] = name;
      row["id"] = "";
      row["role"] = "";
      row["status"] = "";
      row["reason"] = "";
    }
    const json spec = lease.value("spec", json::object());
    row["leaseHolder"] = util::string_field(spec, "holderIdentity");
    row["leaseAgeSeconds"] = age_seconds(util::string_field(spec, "renewTime"), now);
  }
  ordered_json out = ordered_json::array();
  for (auto& [name, row] : rows) out.push_back(std::move(row));
  return out;
}

ordered_json condition_rows(const api::Etcd& etcd, std::chrono::system_clock::time_point now) {
  ordered_json out = ordered_json::array();
  if (!etcd.status) return out;
  std::vector<const api::Condition*> ordered;
  for (const auto& condition : etcd.status->conditions) ordered.push_back(&condition);
  const auto rank = [](const std::string& type) {
    const auto* const it = std::find_if(kConditionOrder.begin(), kConditionOrder.end(),
                                        [&](const char* known) { return type == known; });
    return static_cast<std::size_t>(it - kConditionOrder.begin());
  };
  std::stable_sort(ordered.begin(), ordered.end(),
                   [&](const auto* a, const auto* b) { return rank(a->type) < rank(b->type); });
  for (const auto* condition : ordered) {
    out.push_back({{"type", condition->type},
                   {"status", condition->status},
                   {"reason", condition->reason},
                   {"message", condition->message},
                   {"ageSeconds", age_seconds(condition->last_transition_time, now)}});
  }
  return out;
}

ordered_json snapshot_entry(const json& leases, const std::string& name,
                            std::chrono::system_clock::time_point now) {
  const json* lease = find_named(leases, name);
  ordered_json entry;
  entry["lease"] = name;
  if (lease == nullptr) {
    entry["found"] = false;
    entry["revision"] = nullptr;
    entry["ageSeconds"] = nullptr;
    return entry;
  }
  const json spec = lease->value("spec", json::object());
  entry["found"] = true;
  // etcd-backup-restore writes the snapshot's last revision as the holder identity and the
  // snapshot's time as renewTime (etcd-backup-restore's pkg/health/heartbeat/heartbeat.go);
  // no holder = none taken yet.
  const std::string holder = util::string_field(spec, "holderIdentity");
  entry["revision"] = holder.empty() ? ordered_json(nullptr) : ordered_json(holder);
  entry["ageSeconds"] = age_seconds(util::string_field(spec, "renewTime"), now);
  return entry;
}

std::string ready_containers(const json& pod) {
  const json statuses =
      pod.value("status", json::object()).value("containerStatuses", json::array());
  std::size_t total = pod.value("spec", json::object()).value("containers", json::array()).size();
  total = std::max(total, statuses.size());
  const auto ready = std::count_if(statuses.begin(), statuses.end(),
                                   [](const json& s) { return s.value("ready", false); });
  return fmt::format("{}/{}", ready, total);
}

ordered_json pod_rows(const json& pods, const std::string& update_revision,
                      std::chrono::system_clock::time_point now) {
  std::vector<const json*> sorted;
  for (const auto& pod : pods) sorted.push_back(&pod);
  std::sort(sorted.begin(), sorted.end(), [](const json* a, const json* b) {
    return util::string_field(util::metadata_of(*a), "name") <
           util::string_field(util::metadata_of(*b), "name");
  });
  ordered_json out = ordered_json::array();
  for (const json* pod : sorted) {
    const auto& meta = util::metadata_of(*pod);
    const std::string revision = util::string_field(meta.value("labels", json::object()),
                                                    health::kControllerRevisionHashLabel);
    ordered_json row;
    row["name"] = util::string_field(meta, "name");
    row["phase"] = util::string_field(pod->value("status", json::object()), "phase");
    row["ready"] = ready_containers(*pod);
    row["revision"] = revision;
    row["upToDate"] = !update_revision.empty() && revision == update_revision;
    row["terminating"] = meta.contains("deletionTimestamp");
    row["ageSeconds"] = age_seconds(util::string_field(meta, "creationTimestamp"), now);
    out.push_back(std::move(row));
  }
  return out;
}

std::string section(std::string_view title) {
  return fmt::format("\n{}:\n", title);
}

}  // namespace

util::Expected<ordered_json, std::string> collect_etcd_status(
    kube::Client& client, const json& etcd_object, std::chrono::system_clock::time_point now) {
  const auto& meta = util::metadata_of(etcd_object);
  const std::string ns = util::string_field(meta, "namespace");
  const std::string key = ns + "/" + util::string_field(meta, "name");
  auto decoded = api::decode_etcd(etcd_object);
  if (!decoded) {
    return util::unexpected(
        fmt::format("etcd {} cannot be read: {}", key, api::to_string(decoded.error())));
  }
  const api::Etcd& etcd = *decoded;

  auto member_leases =
      list_in(client, kube::resources::kLeases, ns, api::member_lease_selector_labels(etcd), key);
  if (!member_leases) return util::unexpected(member_leases.error());
  auto snapshot_leases =
      list_in(client, kube::resources::kLeases, ns, api::snapshot_lease_selector_labels(etcd), key);
  if (!snapshot_leases) return util::unexpected(snapshot_leases.error());
  auto pods = list_in(client, kube::resources::kPods, ns, api::etcd_pod_selector_labels(etcd), key);
  if (!pods) return util::unexpected(pods.error());
  std::string update_revision;
  auto statefulset = client.get(kube::resources::kStatefulSets, ns, api::statefulset_name(etcd));
  if (statefulset) {
    update_revision =
        util::string_field(statefulset->value("status", json::object()), "updateRevision");
  } else if (!kube::is_not_found(statefulset.error())) {
    return util::unexpected(fmt::format("failed to get the statefulset of etcd {}: {}", key,
                                        statefulset.error().message));
  }

  ordered_json report;
  report["etcd"] = {{"namespace", ns}, {"name", etcd.metadata.name}};
  report["replicas"] = etcd.spec.replicas;
  report["readyReplicas"] = etcd.status ? etcd.status->ready_replicas : 0;
  report["ready"] = etcd.status && etcd.status->ready.value_or(false);
  report["generation"] = etcd.metadata.generation;
  report["observedGeneration"] = etcd.status && etcd.status->observed_generation
                                     ? ordered_json(*etcd.status->observed_generation)
                                     : ordered_json(nullptr);
  report["reconcileSuspended"] = api::is_spec_reconcile_suspended(etcd.metadata);
  report["componentProtectionDisabled"] = api::is_component_protection_disabled(etcd.metadata);
  report["deleting"] = etcd.metadata.is_being_deleted();
  if (etcd.status && etcd.status->last_operation) {
    const auto& op = *etcd.status->last_operation;
    report["lastOperation"] = {{"type", op.type},
                               {"state", op.state},
                               {"description", op.description},
                               {"runID", op.run_id},
                               {"ageSeconds", age_seconds(op.last_update_time, now)}};
  } else {
    report["lastOperation"] = nullptr;
  }
  report["lastErrors"] = ordered_json::array();
  if (etcd.status) {
    for (const auto& error : etcd.status->last_errors) {
      report["lastErrors"].push_back({{"code", error.code},
                                      {"description", error.description},
                                      {"ageSeconds", age_seconds(error.observed_at, now)}});
    }
  }
  report["members"] = member_rows(etcd, *member_leases, now);
  report["conditions"] = condition_rows(etcd, now);
  ordered_json backup;
  backup["enabled"] = api::is_backup_store_enabled(etcd);
  if (api::is_backup_store_enabled(etcd)) {
    backup["fullSnapshot"] =
        snapshot_entry(*snapshot_leases, api::full_snapshot_lease_name(etcd), now);
    backup["deltaSnapshot"] =
        snapshot_entry(*snapshot_leases, api::delta_snapshot_lease_name(etcd), now);
  }
  report["backup"] = std::move(backup);
  report["updateRevision"] = update_revision;
  report["pods"] = pod_rows(*pods, update_revision, now);
  return report;
}

std::string render_etcd_status(const ordered_json& report) {
  const auto& id = report["etcd"];
  std::string out = fmt::format("Etcd {}/{}\n", id["namespace"].get<std::string>(),
                                id["name"].get<std::string>());
  std::vector<std::string> notes;
  if (report["deleting"].get<bool>()) notes.emplace_back("being deleted");
  if (report["reconcileSuspended"].get<bool>()) notes.emplace_back("spec reconcile suspended");
  if (report["componentProtectionDisabled"].get<bool>()) {
    notes.emplace_back("component protection disabled");
  }
  out += fmt::format(
      "  Ready: {} ({}/{} replicas ready), generation {}, observed {}\n",
      report["ready"].get<bool>() ? "true" : "false", report["readyReplicas"].get<std::int64_t>(),
      report["replicas"].get<std::int64_t>(), report["generation"].get<std::int64_t>(),
      text_or_dash(report["observedGeneration"]));
  for (const auto& note : notes) out += fmt::format("  Note: {}\n", note);
  const auto& op = report["lastOperation"];
  if (op.is_null()) {
    out += "  Last operation: none yet\n";
  } else {
    out += fmt::format("  Last operation: {} {} ({} ago): {}\n", op["type"].get<std::string>(),
                       op["state"].get<std::string>(), age_text(op["ageSeconds"]),
                       op["description"].get<std::string>());
  }
  for (const auto& error : report["lastErrors"]) {
    out += fmt::format("  Last error: {} ({} ago): {}\n", error["code"].get<std::string>(),
                       age_text(error["ageSeconds"]), error["description"].get<std::string>());
  }

  out += section("Members");
  if (report["members"].empty()) {
    out += "  none reported yet\n";
  } else {
    std::vector<std::vector<std::string>> rows;
    for (const auto& member : report["members"]) {
      rows.push_back({member["name"].get<std::string>(), text_or_dash(member["id"]),
                      text_or_dash(member["role"]), text_or_dash(member["status"]),
                      text_or_dash(member["reason"]), age_text(member["leaseAgeSeconds"])});
    }
    out += render_table({"Name", "ID", "Role", "Status", "Reason", "Lease Age"}, rows);
  }

  out += section("Conditions");
  if (report["conditions"].empty()) {
    out += "  none reported yet\n";
  } else {
    std::vector<std::vector<std::string>> rows;
    for (const auto& condition : report["conditions"]) {
      rows.push_back({condition["type"].get<std::string>(), condition["status"].get<std::string>(),
                      text_or_dash(condition["reason"]), age_text(condition["ageSeconds"]),
                      condition["message"].get<std::string>()});
    }
    out += render_table({"Type", "Status", "Reason", "Since", "Message"}, rows);
  }

  out += section("Backups");
  const auto& backup = report["backup"];
  if (!backup["enabled"].get<bool>()) {
    out += "  not configured (spec.backup.store is not set)\n";
  } else {
    std::vector<std::vector<std::string>> rows;
    for (const char* kind : {"fullSnapshot", "deltaSnapshot"}) {
      const auto& entry = backup[kind];
      const std::string label = std::string_view(kind) == "fullSnapshot" ? "full" : "delta";
      if (!entry["found"].get<bool>()) {
        rows.push_back({label, entry["lease"].get<std::string>(), "lease missing", "-"});
      } else if (entry["revision"].is_null()) {
        rows.push_back({label, entry["lease"].get<std::string>(), "none taken yet", "-"});
      } else {
        rows.push_back({label, entry["lease"].get<std::string>(),
                        entry["revision"].get<std::string>(), age_text(entry["ageSeconds"])});
      }
    }
    out += render_table({"Snapshot", "Lease", "Revision", "Taken"}, rows);
  }

  out += section("Pods");
  if (report["pods"].empty()) {
    out += "  none\n";
  } else {
    std::vector<std::vector<std::string>> rows;
    for (const auto& pod : report["pods"]) {
      std::string phase = pod["phase"].get<std::string>();
      if (pod["terminating"].get<bool>()) phase = "Terminating";
      rows.push_back({pod["name"].get<std::string>(), phase.empty() ? "-" : phase,
                      pod["ready"].get<std::string>(), text_or_dash(pod["revision"]),
                      pod["upToDate"].get<bool>() ? "yes" : "no", age_text(pod["ageSeconds"])});
    }
    out += render_table({"Pod", "Phase", "Ready", "Revision", "Up To Date", "Age"}, rows);
    out +=
        fmt::format("  StatefulSet update revision: {}\n", text_or_dash(report["updateRevision"]));
  }
  return out;
}

CommandResult run_status(const CommandContext& ctx, const std::vector<std::string>& args,
                         const StatusOptions& options) {
  if (auto invalid = validate_selection(ctx.global, args)) return util::unexpected(*invalid);
  if (!options.output.empty() && options.output != "json" && options.output != "yaml") {
    return util::unexpected(
        fmt::format("invalid output format: {} (must be one of json, yaml)", options.output));
  }
  auto client = ctx.client();
  if (!client) return util::unexpected(client.error());
  auto etcds = select_etcds(**client, ctx.global, args);
  if (!etcds) return util::unexpected(etcds.error());
  const Logger log(options.output.empty() ? ctx.out : ctx.err, ctx.global.verbose);
  if (etcds->empty() && options.output.empty()) {
    log.info("No Etcd resources found");
    return {};
  }
  const auto now = std::chrono::system_clock::now();
  ordered_json document;
  document["kind"] = "EtcdStatusList";
  document["etcds"] = ordered_json::array();
  for (const auto& etcd : *etcds) {
    auto report = collect_etcd_status(**client, etcd, now);
    if (!report) return util::unexpected(report.error());
    document["etcds"].push_back(std::move(*report));
  }
  if (options.output.empty()) {
    bool first = true;
    for (const auto& report : document["etcds"]) {
      if (!first) ctx.out << "\n";
      first = false;
      ctx.out << render_etcd_status(report);
    }
    ctx.out << std::flush;
    return {};
  }
  return write_document(ctx.out, document, options.output, "the status");
}

}  // namespace druid::druidctl
