#include "api/names.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace druid::api {

namespace {

template <class NameOf>
std::vector<std::string> for_each_ordinal(const Etcd& etcd, NameOf name_of) {
  std::vector<std::string> names;
  names.reserve(static_cast<std::size_t>(std::max(etcd.spec.replicas, 0)));
  for (int ordinal = 0; ordinal < etcd.spec.replicas; ++ordinal) {
    names.push_back(name_of(etcd, ordinal));
  }
  return names;
}

}  // namespace

std::string statefulset_name(const Etcd& etcd) {
  return etcd.metadata.name;
}

std::string pod_name(std::string_view etcd_name, int ordinal) {
  return fmt::format("{}-{}", etcd_name, ordinal);
}

std::string pod_name(const Etcd& etcd, int ordinal) {
  return pod_name(etcd.metadata.name, ordinal);
}

std::vector<std::string> pod_names(const Etcd& etcd) {
  return for_each_ordinal(etcd, [](const Etcd& e, int i) { return pod_name(e, i); });
}

std::string member_name_for_pod(const std::optional<std::string>& member_name_prefix,
                                std::string_view pod_name) {
  if (member_name_prefix && !member_name_prefix->empty()) {
    return fmt::format("{}-{}", *member_name_prefix, pod_name);
  }
  return std::string(pod_name);
}

std::string member_name(const Etcd& etcd, int ordinal) {
  return member_name_for_pod(etcd.spec.member_name_prefix, pod_name(etcd, ordinal));
}

std::string member_lease_name(const Etcd& etcd, int ordinal) {
  return member_name(etcd, ordinal);
}

std::vector<std::string> member_lease_names(const Etcd& etcd) {
  return for_each_ordinal(etcd, [](const Etcd& e, int i) { return member_lease_name(e, i); });
}

std::string pod_name_from_member_lease_name(std::string_view lease_name,
                                            const std::optional<std::string>& member_name_prefix) {
  if (member_name_prefix && !member_name_prefix->empty()) {
    const std::string prefix = *member_name_prefix + "-";
    if (lease_name.starts_with(prefix)) lease_name.remove_prefix(prefix.size());
  }
  return std::string(lease_name);
}

std::string service_account_name(const Etcd& etcd) {
  return etcd.metadata.name;
}

std::string role_name(const Etcd& etcd) {
  return fmt::format("{}:etcd:{}", kGroup, etcd.metadata.name);
}

std::string role_binding_name(const Etcd& etcd) {
  return role_name(etcd);
}

std::string client_service_name(const Etcd& etcd) {
  return etcd.metadata.name + "-client";
}

std::string peer_service_name(const Etcd& etcd) {
  return etcd.metadata.name + "-peer";
}

std::string configmap_name(const Etcd& etcd) {
  return etcd.metadata.name + "-config";
}

std::string pod_disruption_budget_name(const Etcd& etcd) {
  return etcd.metadata.name;
}

std::string full_snapshot_lease_name(std::string_view etcd_name) {
  return fmt::format("{}-full-snap", etcd_name);
}

std::string full_snapshot_lease_name(const Etcd& etcd) {
  return full_snapshot_lease_name(etcd.metadata.name);
}

std::string delta_snapshot_lease_name(std::string_view etcd_name) {
  return fmt::format("{}-delta-snap", etcd_name);
}

std::string delta_snapshot_lease_name(const Etcd& etcd) {
  return delta_snapshot_lease_name(etcd.metadata.name);
}

std::string compaction_job_name(std::string_view etcd_name) {
  return fmt::format("{}-compactor", etcd_name);
}

std::string compaction_job_name(const Etcd& etcd) {
  return compaction_job_name(etcd.metadata.name);
}

std::string volume_claim_template_name(const Etcd& etcd) {
  const auto& vct = etcd.spec.volume_claim_template;
  return vct && !vct->empty() ? *vct : etcd.metadata.name;
}

std::string persistent_volume_claim_name(const Etcd& etcd, int ordinal) {
  return fmt::format("{}-{}", volume_claim_template_name(etcd), pod_name(etcd, ordinal));
}

std::vector<std::string> persistent_volume_claim_names(const Etcd& etcd) {
  return for_each_ordinal(etcd,
                          [](const Etcd& e, int i) { return persistent_volume_claim_name(e, i); });
}

std::string presync_snapshot_task_name(std::string_view etcd_name, std::string_view prefix,
                                       int index) {
  return fmt::format("{}-{}{}", etcd_name, prefix, index);
}

std::optional<int> presync_snapshot_task_index(std::string_view task_name,
                                               std::string_view etcd_name,
                                               std::string_view prefix) {
  if (!task_name.starts_with(etcd_name)) return std::nullopt;
  std::string_view rest = task_name.substr(etcd_name.size());
  if (!rest.starts_with('-')) return std::nullopt;
  rest.remove_prefix(1);
  if (!rest.starts_with(prefix)) return std::nullopt;
  const std::string_view digits = rest.substr(prefix.size());
  // from_chars alone would accept a sign; only plain digits are an index.
  if (digits.empty() || digits.front() < '0' || digits.front() > '9') return std::nullopt;
  int index = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
  if (error != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return index;
}

std::string copy_backups_job_name(std::string_view task_name) {
  return fmt::format("{}-worker", task_name);
}

OwnerReference etcd_owner_reference(const Etcd& etcd) {
  OwnerReference reference;
  reference.api_version = kApiVersion;
  reference.kind = kEtcdKind;
  reference.name = etcd.metadata.name;
  reference.uid = etcd.metadata.uid;
  reference.controller = true;
  reference.block_owner_deletion = true;
  return reference;
}

}  // namespace druid::api
