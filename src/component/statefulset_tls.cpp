#include "component/statefulset_tls.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "api/annotations.hpp"
#include "component/statefulset_pod_names.hpp"
#include "util/json_access.hpp"

namespace druid::component {
namespace {

// Peer TLS volume names of druid before v0.23.
constexpr const char* kLegacyEtcdPeerCa = "peer-url-ca-etcd";
constexpr const char* kLegacyEtcdPeerServerTls = "peer-url-etcd-server-tls";

constexpr std::array<const char*, 6> kEtcdTlsMounts{
    pod::kEtcdCaVolume,     pod::kEtcdServerTlsVolume,     pod::kEtcdClientTlsVolume,
    pod::kEtcdPeerCaVolume, pod::kEtcdPeerServerTlsVolume, pod::kBackupRestoreCaVolume};
constexpr std::array<const char*, 3> kBackupRestoreTlsMounts{
    pod::kBackupRestoreServerTlsVolume, pod::kEtcdCaVolume, pod::kEtcdClientTlsVolume};
constexpr std::array<const char*, 4> kPeerTlsMounts{pod::kEtcdPeerCaVolume, kLegacyEtcdPeerCa,
                                                    pod::kEtcdPeerServerTlsVolume,
                                                    kLegacyEtcdPeerServerTls};

template <std::size_t N>
bool is_one_of(const std::string& name, const std::array<const char*, N>& names) {
  return std::any_of(names.begin(), names.end(), [&](const char* n) { return name == n; });
}

const nlohmann::json* find_container(const nlohmann::json& statefulset,
                                     std::string_view container) {
  const nlohmann::json::json_pointer pointer("/spec/template/spec/containers");
  if (!statefulset.contains(pointer) || !statefulset.at(pointer).is_array()) return nullptr;
  for (const auto& candidate : statefulset.at(pointer)) {
    if (util::string_field(candidate, "name") == container) return &candidate;
  }
  return nullptr;
}

template <std::size_t N>
std::vector<VolumeMountRef> mounts_named(const nlohmann::json& statefulset,
                                         std::string_view container,
                                         const std::array<const char*, N>& names) {
  std::vector<VolumeMountRef> mounts;
  const nlohmann::json* found = find_container(statefulset, container);
  if (found == nullptr) return mounts;
  const auto list = found->find("volumeMounts");
  if (list == found->end() || !list->is_array()) return mounts;
  for (const auto& mount : *list) {
    std::string name = util::string_field(mount, "name");
    if (is_one_of(name, names)) {
      mounts.push_back({std::move(name), util::string_field(mount, "mountPath")});
    }
  }
  return mounts;
}

bool same_mounts(const std::vector<VolumeMountRef>& existing,
                 const std::vector<VolumeMountRef>& desired) {
  if (existing.size() != desired.size()) return false;
  return std::all_of(desired.begin(), desired.end(), [&](const VolumeMountRef& mount) {
    return std::find(existing.begin(), existing.end(), mount) != existing.end();
  });
}

std::int32_t int_field(const nlohmann::json& object, const char* pointer, std::int32_t fallback) {
  const nlohmann::json::json_pointer ptr(pointer);
  if (!object.contains(ptr)) return fallback;
  const auto& value = object.at(ptr);
  return value.is_number_integer() ? value.get<std::int32_t>() : fallback;
}

}  // namespace

std::vector<VolumeMountRef> tls_volume_mounts(const nlohmann::json& statefulset,
                                              std::string_view container) {
  if (container == pod::kEtcdContainer) {
    return mounts_named(statefulset, container, kEtcdTlsMounts);
  }
  return mounts_named(statefulset, container, kBackupRestoreTlsMounts);
}

std::vector<VolumeMountRef> peer_tls_volume_mounts(const nlohmann::json& statefulset) {
  return mounts_named(statefulset, pod::kEtcdContainer, kPeerTlsMounts);
}

bool is_tls_config_in_sync(const nlohmann::json& desired, const nlohmann::json& existing) {
  for (const char* container : {pod::kEtcdContainer, pod::kBackupRestoreContainer}) {
    if (!same_mounts(tls_volume_mounts(existing, container),
                     tls_volume_mounts(desired, container))) {
      return false;
    }
  }
  return true;
}

bool has_same_peer_tls_mount_count(const nlohmann::json& desired, const nlohmann::json& existing) {
  return peer_tls_volume_mounts(desired).size() == peer_tls_volume_mounts(existing).size();
}

std::int32_t statefulset_replicas(const nlohmann::json& statefulset) {
  return int_field(statefulset, "/spec/replicas", 1);
}

std::int32_t statefulset_ready_replicas(const nlohmann::json& statefulset) {
  return int_field(statefulset, "/status/readyReplicas", 0);
}

bool has_partially_ready_members(const nlohmann::json& statefulset) {
  const std::int32_t replicas = statefulset_replicas(statefulset);
  const std::int32_t ready = statefulset_ready_replicas(statefulset);
  return replicas > 1 && ready > 0 && ready < replicas;
}

util::Expected<bool, std::string> lease_peer_tls_enabled(const nlohmann::json& lease) {
  const auto& annotations = util::metadata_of(lease).value("annotations", nlohmann::json::object());
  if (!annotations.is_object() || !annotations.contains(api::kTlsEnabledAnnotation)) return false;
  const auto& value = annotations.at(api::kTlsEnabledAnnotation);
  const std::string text = value.is_string() ? value.get<std::string>() : value.dump();
  for (const char* yes : {"1", "t", "T", "TRUE", "true", "True"}) {
    if (text == yes) return true;
  }
  for (const char* no : {"0", "f", "F", "FALSE", "false", "False"}) {
    if (text == no) return false;
  }
  return util::unexpected(fmt::format(
      "lease {}/{}: annotation {}: strconv.ParseBool: parsing "
      "\"{}\": invalid syntax",
      util::string_field(util::metadata_of(lease), "namespace"),
      util::string_field(util::metadata_of(lease), "name"), api::kTlsEnabledAnnotation, text));
}

util::Expected<bool, std::string> member_leases_match_peer_tls(
    const std::vector<const nlohmann::json*>& leases, std::int32_t replicas,
    bool peer_tls_configured) {
  // During a scale-in the StatefulSet may still count members whose leases
  // are already gone: only the members that exist are asked.
  const std::size_t count =
      std::min(static_cast<std::size_t>(std::max(replicas, 0)), leases.size());
  bool all_match = true;
  for (std::size_t i = 0; i < count; ++i) {
    auto enabled = lease_peer_tls_enabled(*leases[i]);
    if (!enabled) return util::unexpected(enabled.error());
    all_match = all_match && (*enabled == peer_tls_configured);
  }
  return all_match;
}

}  // namespace druid::component
