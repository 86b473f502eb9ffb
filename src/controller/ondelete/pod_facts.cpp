#include "controller/ondelete/pod_facts.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <string_view>

#include "health/statefulset_status.hpp"
#include "util/json_access.hpp"

namespace druid::controller::ondelete {
namespace {

using nlohmann::json;

constexpr const char* kEtcdContainer = "etcd";

// Waiting reasons after which the container does not come up by itself.
constexpr std::array<std::string_view, 7> kFailureReasons = {
    "CrashLoopBackOff",           "RunContainerError",    "ImagePullBackOff", "ErrImagePull",
    "CreateContainerConfigError", "CreateContainerError", "InvalidImageName"};
constexpr std::array<std::string_view, 2> kStartingReasons = {"ContainerCreating",
                                                              "PodInitializing"};

const json* etcd_container_status(const json& pod) {
  const json* statuses = nullptr;
  if (pod.contains(json::json_pointer("/status/containerStatuses"))) {
    statuses = &pod.at(json::json_pointer("/status/containerStatuses"));
  }
  if (statuses == nullptr || !statuses->is_array()) return nullptr;
  for (const auto& status : *statuses) {
    if (status.is_object() && util::string_field(status, "name") == kEtcdContainer) return &status;
  }
  return nullptr;
}

bool contains(const auto& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

std::optional<std::uint64_t> parse_hex(std::string_view text) {
  std::uint64_t value = 0;
  if (text.empty()) return std::nullopt;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

const char* to_string(ContainerState state) {
  switch (state) {
    case ContainerState::kDead:
      return "dead";
    case ContainerState::kTransient:
      return "starting";
    case ContainerState::kAlive:
      return "alive";
    case ContainerState::kUnknown:
      break;
  }
  return "unknown";
}

const char* to_string(Role role) {
  switch (role) {
    case Role::kLeader:
      return "Leader";
    case Role::kMember:
      return "Member";
    case Role::kUnknown:
      break;
  }
  return "unknown";
}

std::optional<int> pod_ordinal(std::string_view statefulset_name, std::string_view pod_name) {
  if (pod_name.size() <= statefulset_name.size() + 1 || !pod_name.starts_with(statefulset_name) ||
      pod_name[statefulset_name.size()] != '-') {
    return std::nullopt;
  }
  const std::string_view digits = pod_name.substr(statefulset_name.size() + 1);
  if (digits.size() > 1 && digits.front() == '0') return std::nullopt;
  int ordinal = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), ordinal);
  if (error != std::errc() || end != digits.data() + digits.size() || ordinal < 0) {
    return std::nullopt;
  }
  return ordinal;
}

ContainerState etcd_container_state(const json& pod) {
  const json* status = etcd_container_status(pod);
  if (status == nullptr) return ContainerState::kUnknown;
  const json& state = status->contains("state") && status->at("state").is_object()
                          ? status->at("state")
                          : json::object();
  if (state.contains("terminated") && state.at("terminated").is_object()) {
    return ContainerState::kDead;
  }
  if (state.contains("waiting") && state.at("waiting").is_object()) {
    const std::string reason = util::string_field(state.at("waiting"), "reason");
    if (contains(kFailureReasons, reason)) return ContainerState::kDead;
    if (contains(kStartingReasons, reason)) return ContainerState::kTransient;
    return ContainerState::kUnknown;
  }
  if (state.contains("running") && state.at("running").is_object()) return ContainerState::kAlive;
  return ContainerState::kUnknown;
}

bool etcd_container_ready(const json& pod) {
  const json* status = etcd_container_status(pod);
  if (status == nullptr) return false;
  auto ready = status->find("ready");
  return ready != status->end() && ready->is_boolean() && ready->get<bool>();
}

void apply_member_lease(PodFacts& facts, const json* lease) {
  facts.role = Role::kUnknown;
  facts.member_id.reset();
  if (lease == nullptr) return;
  auto identity = health::parse_holder_identity(*lease);
  if (!identity) return;
  if (identity->role == std::optional<std::string>("Leader")) facts.role = Role::kLeader;
  if (identity->role == std::optional<std::string>("Member")) facts.role = Role::kMember;
  facts.member_id = parse_hex(identity->member_id);
}

PodFacts read_pod(std::string_view statefulset_name, const json& pod) {
  const json& metadata = util::metadata_of(pod);
  PodFacts facts;
  facts.name = util::string_field(metadata, "name");
  facts.uid = util::string_field(metadata, "uid");
  facts.ordinal = pod_ordinal(statefulset_name, facts.name).value_or(-1);
  if (auto labels = metadata.find("labels"); labels != metadata.end() && labels->is_object()) {
    facts.revision = util::string_field(*labels, health::kControllerRevisionHashLabel);
  }
  auto deletion = metadata.find("deletionTimestamp");
  facts.terminating = deletion != metadata.end() && !deletion->is_null();
  facts.participating = etcd_container_ready(pod);
  facts.state = etcd_container_state(pod);
  return facts;
}

}  // namespace druid::controller::ondelete
