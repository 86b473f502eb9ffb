#include "controller/ondelete/reconciler.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "api/names.hpp"
#include "api/resources.hpp"
#include "health/statefulset_status.hpp"
#include "kube/api_error.hpp"
#include "kube/resource.hpp"
#include "util/json_access.hpp"

namespace druid::controller::ondelete {
namespace {

using nlohmann::json;

const json& object_at(const json& object, const char* pointer) {
  static const json kEmpty = json::object();
  const json::json_pointer p(pointer);
  if (!object.contains(p) || !object.at(p).is_object()) return kEmpty;
  return object.at(p);
}

bool is_on_delete(const json& sts) {
  return util::string_field(object_at(sts, "/spec/updateStrategy"), "type") == "OnDelete";
}

std::int32_t spec_replicas(const json& sts) {
  const json& spec = object_at(sts, "/spec");
  auto it = spec.find("replicas");
  return it != spec.end() && it->is_number_integer() ? it->get<std::int32_t>() : 1;
}

// The controller owner reference of kind Etcd: (name, uid).
std::optional<std::pair<std::string, std::string>> etcd_owner(const json& sts) {
  const json* ref = util::controller_reference_of(sts);
  if (ref == nullptr || util::string_field(*ref, "kind") != "Etcd") return std::nullopt;
  return std::make_pair(util::string_field(*ref, "name"), util::string_field(*ref, "uid"));
}

util::Labels selector_labels(const json& sts) {
  util::Labels labels;
  for (const auto& [key, value] : object_at(sts, "/spec/selector/matchLabels").items()) {
    if (value.is_string()) labels[key] = value.get<std::string>();
  }
  return labels;
}

kube::ReconcileOutcome error(std::string message) {
  return util::unexpected(kube::ReconcileError{std::move(message)});
}

}  // namespace

std::optional<DeletedPod> OnDeleteReconciler::last_deleted(const std::string& key) const {
  const std::lock_guard lock(mutex_);
  auto it = last_deleted_.find(key);
  if (it == last_deleted_.end()) return std::nullopt;
  return it->second;
}

void OnDeleteReconciler::remember(const std::string& key, std::optional<DeletedPod> pod) {
  const std::lock_guard lock(mutex_);
  if (pod) {
    last_deleted_[key] = std::move(*pod);
  } else {
    last_deleted_.erase(key);
  }
}

kube::ReconcileOutcome OnDeleteReconciler::reconcile(const kube::Request& request) {
  const std::string key = request.key();
  const kube::ReconcileResult done{};
  const kube::ReconcileResult later{false, config_.requeue_interval};

  auto sts_read =
      deps_.reader.get(kube::resources::kStatefulSets, request.namespace_, request.name);
  if (!sts_read) return error("reading StatefulSet " + key + ": " + sts_read.error().what());
  const kube::ObjectPtr sts = *sts_read;
  // Gone, or RollingUpdate: Kubernetes rolls (or nothing is left to roll).
  if (!sts || !is_on_delete(*sts)) {
    remember(key, std::nullopt);
    return done;
  }
  const auto owner = etcd_owner(*sts);
  if (!owner) return done;  // not an Etcd's StatefulSet
  auto etcd_read = deps_.reader.get(api::resources::kEtcds, request.namespace_, owner->first);
  if (!etcd_read)
    return error("reading Etcd of StatefulSet " + key + ": " + etcd_read.error().what());
  const kube::ObjectPtr etcd_json = *etcd_read;
  if (!etcd_json || util::string_field(util::metadata_of(*etcd_json), "uid") != owner->second) {
    return done;
  }
  if (util::metadata_of(*etcd_json).contains("deletionTimestamp")) return done;
  auto etcd = api::decode_etcd(*etcd_json);
  if (!etcd) return error("Etcd of StatefulSet " + key + " does not decode");

  auto pods_read =
      deps_.reader.list(kube::resources::kPods, request.namespace_, selector_labels(*sts));
  if (!pods_read)
    return error("listing pods of StatefulSet " + key + ": " + pods_read.error().what());

  RolloutFacts facts;
  facts.replicas = spec_replicas(*sts);
  facts.update_revision = util::string_field(object_at(*sts, "/status"), "updateRevision");
  facts.last_deleted = last_deleted(key);
  for (const auto& pod : *pods_read) {
    if (!pod || !health::is_owned_by_statefulset(*pod, *sts)) continue;
    PodFacts pod_facts = read_pod(request.name, *pod);
    const std::string lease_name =
        api::member_name_for_pod(etcd->spec.member_name_prefix, pod_facts.name);
    auto lease = deps_.reader.get(kube::resources::kLeases, request.namespace_, lease_name);
    if (lease && !*lease && lease_name != pod_facts.name) {
      lease = deps_.reader.get(kube::resources::kLeases, request.namespace_, pod_facts.name);
    }
    apply_member_lease(pod_facts, lease && *lease ? lease->get() : nullptr);
    facts.pods.push_back(std::move(pod_facts));
  }

  const Decision decision = decide(facts);
  if (decision.reason != Reason::kDeletionNotObserved) remember(key, std::nullopt);
  if (decision.action == Action::kDone) return done;
  if (decision.action == Action::kWait) {
    spdlog::debug("StatefulSet {}: OnDelete update waits: {}", key, decision.explanation);
    return later;
  }

  const PodFacts& pod = *decision.pod;
  const std::string& ns = request.namespace_;
  const std::string old_revision = pod.revision.empty() ? "<none>" : pod.revision;
  std::string why = decision.explanation;
  const char* result = outcome::kDeleted;

  if (decision.reason == Reason::kLeader && facts.replicas > 1) {
    std::optional<std::string> failure;
    if (!decision.transfer_target) {
      failure = "no updated, participating follower with a known member ID";
    } else if (deps_.leader_transfer == nullptr) {
      failure = "leader transfer is not available";
    } else {
      const auto& target = *decision.transfer_target;
      auto moved = deps_.leader_transfer->transfer(
          LeaderTransferRequest{*etcd, pod.name, target.name, *target.member_id});
      if (!moved) failure = moved.error().message;
    }
    if (failure) {
      result = outcome::kDeletedWithoutLeaderTransfer;
      const std::string message = fmt::format(
          "Could not move leadership away from pod {} before deleting it for an update: {}; "
          "deleting it anyway (etcd hands leadership over on shutdown, an election may follow)",
          pod.name, *failure);
      spdlog::warn("StatefulSet {}: {}", key, message);
      if (deps_.events != nullptr)
        deps_.events->warning(*etcd_json, kLeaderTransferFailedReason, message);
      why += "; leadership transfer failed";
    } else {
      result = outcome::kDeletedAfterLeaderTransfer;
      why += fmt::format("; leadership moved to {} first", decision.transfer_target->name);
    }
  }

  kube::DeleteOptions options;
  options.precondition_uid = pod.uid;
  auto removed = deps_.writer.remove(kube::resources::kPods, ns, pod.name, options);
  if (!removed && !kube::is_not_found(removed.error())) {
    if (deps_.metrics != nullptr) deps_.metrics->count(ns, outcome::kDeleteFailed);
    const std::string message =
        fmt::format("Deleting pod {} for an update from revision {} to {} failed: {}", pod.name,
                    old_revision, facts.update_revision, removed.error().what());
    if (deps_.events != nullptr)
      deps_.events->warning(*etcd_json, kPodDeleteForUpdateFailedReason, message);
    return error(message);
  }
  if (!removed) return later;  // already gone: the next cycle sees its replacement
  remember(key, DeletedPod{pod.name, pod.uid});
  if (deps_.metrics != nullptr) deps_.metrics->count(ns, result);
  const std::string message =
      fmt::format("Deleted pod {} (role {}) to update it from revision {} to {}: {}", pod.name,
                  to_string(pod.role), old_revision, facts.update_revision, why);
  spdlog::info("StatefulSet {}: {}", key, message);
  if (deps_.events != nullptr)
    deps_.events->normal(*etcd_json, kPodDeletedForUpdateReason, message);
  return later;
}

}  // namespace druid::controller::ondelete
