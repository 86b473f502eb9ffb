#include "controller/cached_forms.hpp"

#include <array>
#include <string_view>

namespace druid::controller {
namespace {

using nlohmann::json;

// Moves the listed members of `from` into a new object (absent ones stay absent).
template <std::size_t N>
json keep_only(json& from, const std::array<std::string_view, N>& keys) {
  json kept = json::object();
  if (!from.is_object()) return kept;
  for (std::string_view key : keys) {
    if (auto it = from.find(key); it != from.end()) kept[std::string(key)] = std::move(*it);
  }
  return kept;
}

constexpr std::array<std::string_view, 3> kTopLevel = {"apiVersion", "kind", "metadata"};

void reduce_pod(json& pod) {
  json reduced = keep_only(pod, kTopLevel);
  if (auto status = pod.find("status"); status != pod.end() && status->is_object()) {
    json kept = keep_only(*status, std::array<std::string_view, 2>{"phase", "conditions"});
    if (auto containers = status->find("containerStatuses");
        containers != status->end() && containers->is_array()) {
      json statuses = json::array();
      for (auto& container : *containers) {
        statuses.push_back(
            keep_only(container, std::array<std::string_view, 3>{"name", "ready", "state"}));
      }
      kept["containerStatuses"] = std::move(statuses);
    }
    reduced["status"] = std::move(kept);
  }
  pod = std::move(reduced);
}

void reduce_claim(json& claim) {
  json reduced = keep_only(claim, kTopLevel);
  if (auto status = claim.find("status"); status != claim.end() && status->is_object()) {
    reduced["status"] = keep_only(*status, std::array<std::string_view, 1>{"phase"});
  }
  claim = std::move(reduced);
}

}  // namespace

kube::ObjectTransform pod_form() {
  return {"pod-form", reduce_pod};
}

kube::ObjectTransform persistent_volume_claim_form() {
  return {"pvc-form", reduce_claim};
}

kube::ObjectTransform cached_form(const util::ResourceType& type) {
  if (type == kube::resources::kPods) return pod_form();
  if (type == kube::resources::kPersistentVolumeClaims) return persistent_volume_claim_form();
  return {};
}

}  // namespace druid::controller
