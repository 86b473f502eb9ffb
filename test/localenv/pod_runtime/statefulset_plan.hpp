#pragma once
// The StatefulSet controller's decisions as pure functions of (StatefulSet,
// its pods): which pods and claims to create, which pod to delete (scale-down
// or rolling update), and the status to report, with Kubernetes' semantics
// (pkg/controller/statefulset) for podManagementPolicy Parallel and
// OrderedReady, RollingUpdate with partition, and OnDelete.

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "localenv/pod_runtime/revision.hpp"

namespace druid::localenv {

inline constexpr const char* kRevisionLabel = "controller-revision-hash";
inline constexpr const char* kPodNameLabel = "statefulset.kubernetes.io/pod-name";
inline constexpr const char* kPodIndexLabel = "apps.kubernetes.io/pod-index";

// The ordinal of `pod_name` when it is "<sts>-<n>", else -1.
inline int ordinal_of(const std::string& sts_name, const std::string& pod_name) {
  if (pod_name.size() <= sts_name.size() + 1 ||
      pod_name.compare(0, sts_name.size(), sts_name) != 0 || pod_name[sts_name.size()] != '-') {
    return -1;
  }
  const auto digits = pod_name.substr(sts_name.size() + 1);
  if (digits.empty() || digits.size() > 6 ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      (digits.size() > 1 && digits[0] == '0')) {
    return -1;
  }
  return std::stoi(digits);
}

inline bool pod_terminating(const nlohmann::json& pod) {
  return pod.contains("metadata") && pod["metadata"].contains("deletionTimestamp") &&
         !pod["metadata"]["deletionTimestamp"].is_null();
}

inline bool pod_ready(const nlohmann::json& pod) {
  const auto conditions =
      pod.value(nlohmann::json::json_pointer("/status/conditions"), nlohmann::json::array());
  for (const auto& c : conditions) {
    if (c.value("type", "") == "Ready") return c.value("status", "") == "True";
  }
  return false;
}

// Kubernetes' isRunningAndReady.
inline bool pod_running_and_ready(const nlohmann::json& pod) {
  return pod.value(nlohmann::json::json_pointer("/status/phase"), std::string()) == "Running" &&
         pod_ready(pod);
}

inline std::string pod_revision(const nlohmann::json& pod) {
  return pod.value(nlohmann::json::json_pointer(std::string("/metadata/labels/") + kRevisionLabel),
                   std::string());
}

inline int desired_replicas(const nlohmann::json& sts) {
  return sts.value(nlohmann::json::json_pointer("/spec/replicas"), 1);
}

// The pod the controller creates for `ordinal` at `revision`.
inline nlohmann::json desired_pod(const nlohmann::json& sts, int ordinal,
                                  const std::string& revision) {
  const auto& meta = sts.at("metadata");
  const std::string sts_name = meta.value("name", "");
  const std::string name = sts_name + "-" + std::to_string(ordinal);
  const auto tmpl =
      sts.value(nlohmann::json::json_pointer("/spec/template"), nlohmann::json::object());
  nlohmann::json pod_meta = {{"name", name}, {"namespace", meta.value("namespace", "")}};
  auto labels =
      tmpl.value(nlohmann::json::json_pointer("/metadata/labels"), nlohmann::json::object());
  labels[kRevisionLabel] = revision;
  labels[kPodNameLabel] = name;
  labels[kPodIndexLabel] = std::to_string(ordinal);
  pod_meta["labels"] = labels;
  const auto annotations =
      tmpl.value(nlohmann::json::json_pointer("/metadata/annotations"), nlohmann::json::object());
  if (!annotations.empty()) pod_meta["annotations"] = annotations;
  pod_meta["ownerReferences"] = nlohmann::json::array({{{"apiVersion", "apps/v1"},
                                                        {"kind", "StatefulSet"},
                                                        {"name", sts_name},
                                                        {"uid", meta.value("uid", "")},
                                                        {"controller", true},
                                                        {"blockOwnerDeletion", true}}});
  auto spec = tmpl.value("spec", nlohmann::json::object());
  spec["hostname"] = name;
  const auto service = sts.value(nlohmann::json::json_pointer("/spec/serviceName"), std::string());
  if (!service.empty()) spec["subdomain"] = service;
  // Each claim template becomes a volume referring to this pod's claim.
  auto volumes = spec.value("volumes", nlohmann::json::array());
  for (const auto& claim : sts.value(nlohmann::json::json_pointer("/spec/volumeClaimTemplates"),
                                     nlohmann::json::array())) {
    const std::string volume = claim.value(nlohmann::json::json_pointer("/metadata/name"), "");
    volumes.erase(std::remove_if(volumes.begin(), volumes.end(),
                                 [&](const auto& v) { return v.value("name", "") == volume; }),
                  volumes.end());
    volumes.push_back(
        {{"name", volume}, {"persistentVolumeClaim", {{"claimName", volume + "-" + name}}}});
  }
  if (!volumes.empty()) spec["volumes"] = volumes;
  return {{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", pod_meta}, {"spec", spec}};
}

// The claim of `claim_template` for `ordinal`: "<template>-<sts>-<ordinal>",
// labelled with the template's labels and the StatefulSet's selector.
inline nlohmann::json desired_claim(const nlohmann::json& sts, const nlohmann::json& claim_template,
                                    int ordinal) {
  const auto& meta = sts.at("metadata");
  const std::string template_name =
      claim_template.value(nlohmann::json::json_pointer("/metadata/name"), "");
  auto labels = claim_template.value(nlohmann::json::json_pointer("/metadata/labels"),
                                     nlohmann::json::object());
  const auto match_labels = sts.value(nlohmann::json::json_pointer("/spec/selector/matchLabels"),
                                      nlohmann::json::object());
  for (const auto& [k, v] : match_labels.items()) {
    labels[k] = v;
  }
  nlohmann::json claim_meta = {
      {"name", template_name + "-" + meta.value("name", "") + "-" + std::to_string(ordinal)},
      {"namespace", meta.value("namespace", "")}};
  if (!labels.empty()) claim_meta["labels"] = labels;
  return {{"apiVersion", "v1"},
          {"kind", "PersistentVolumeClaim"},
          {"metadata", claim_meta},
          {"spec", claim_template.value("spec", nlohmann::json::object())}};
}

struct StatefulSetPlan {
  std::vector<int> create;               // ordinals to create (claims first)
  std::vector<std::string> delete_pods;  // pod names, in order
  bool rolling_update_delete = false;    // delete_pods holds the one outdated pod
  nlohmann::json status;                 // the status to report
};

// `pods` are the StatefulSet's pods (owned by it, any ordinal).
inline StatefulSetPlan plan_statefulset(const nlohmann::json& sts,
                                        const std::vector<nlohmann::json>& pods) {
  StatefulSetPlan plan;
  const std::string sts_name = sts.at("metadata").value("name", "");
  const int replicas = desired_replicas(sts);
  const std::string update_rev = update_revision(sts);
  const auto spec = sts.value("spec", nlohmann::json::object());
  const bool parallel = spec.value("podManagementPolicy", "OrderedReady") == "Parallel";
  const auto strategy = spec.value("updateStrategy", nlohmann::json::object());
  const bool on_delete = strategy.value("type", "RollingUpdate") == "OnDelete";
  const int partition = strategy.value(nlohmann::json::json_pointer("/rollingUpdate/partition"), 0);

  std::map<int, const nlohmann::json*> by_ordinal;
  for (const auto& pod : pods) {
    const int ordinal = ordinal_of(sts_name, pod.at("metadata").value("name", ""));
    if (ordinal >= 0) by_ordinal[ordinal] = &pod;
  }

  // Status (computeReplicaStatus + completeRollingUpdate).
  std::string current_rev =
      sts.value(nlohmann::json::json_pointer("/status/currentRevision"), std::string());
  if (current_rev.empty()) current_rev = update_rev;
  int created = 0, ready = 0, current = 0, updated = 0;
  for (const auto& [ordinal, pod] : by_ordinal) {
    ++created;
    if (pod_running_and_ready(*pod)) ++ready;
    if (!pod_terminating(*pod)) {
      if (pod_revision(*pod) == current_rev) ++current;
      if (pod_revision(*pod) == update_rev) ++updated;
    }
  }
  if (!on_delete && updated == created && ready == created && created == replicas) {
    current_rev = update_rev;
    current = updated;
  }
  plan.status = {
      {"replicas", created},
      {"readyReplicas", ready},
      {"availableReplicas", ready},
      {"currentReplicas", current},
      {"updatedReplicas", updated},
      {"currentRevision", current_rev},
      {"updateRevision", update_rev},
      {"observedGeneration", sts.value(nlohmann::json::json_pointer("/metadata/generation"), 0)}};

  // Creation of missing pods (OrderedReady: one at a time, predecessors Running and Ready).
  bool predecessors_ready = true;
  for (int ordinal = 0; ordinal < replicas; ++ordinal) {
    const auto it = by_ordinal.find(ordinal);
    if (it == by_ordinal.end()) {
      if (parallel || predecessors_ready) plan.create.push_back(ordinal);
      if (!parallel) break;
      continue;
    }
    if (!pod_running_and_ready(*it->second) || pod_terminating(*it->second)) {
      predecessors_ready = false;
    }
  }
  // Scale down, highest ordinal first (OrderedReady: one at a time).
  for (auto it = by_ordinal.rbegin(); it != by_ordinal.rend(); ++it) {
    if (it->first < replicas) break;
    if (pod_terminating(*it->second)) {
      if (!parallel) break;
      continue;
    }
    plan.delete_pods.push_back(it->second->at("metadata").value("name", ""));
    if (!parallel) break;
  }
  if (!plan.create.empty() || !plan.delete_pods.empty() || on_delete) return plan;

  // Rolling update as Kubernetes' StatefulSet controller does it: from the
  // highest ordinal down to the partition, delete the first outdated pod that
  // is not terminating, but stop at the first pod on the way that is not
  // healthy (Running, Ready, not terminating). Unhealthy pods below the one
  // deleted are not waited for: with a lower member down this deletes a
  // healthy one and loses quorum (etcd-druid#588, docs/quorum-aware-updates.md).
  for (int ordinal = replicas - 1; ordinal >= std::max(partition, 0); --ordinal) {
    const auto it = by_ordinal.find(ordinal);
    if (it == by_ordinal.end()) break;  // being created
    const auto& pod = *it->second;
    if (pod_revision(pod) != update_rev && !pod_terminating(pod)) {
      plan.delete_pods.push_back(pod.at("metadata").value("name", ""));
      plan.rolling_update_delete = true;
      break;
    }
    if (pod_terminating(pod) || !pod_running_and_ready(pod)) break;
  }
  return plan;
}

}  // namespace druid::localenv
