#include "localenv/member_agent/member_leases.hpp"

#include <charconv>

#include "kube/resource.hpp"

namespace druid::localenv::backup {

std::string member_holder_identity(const etcd::MemberStatus& status) {
  const bool leader = status.leader != 0 && status.leader == status.member_id;
  return etcd::id_to_hex(status.member_id) + ":" + etcd::id_to_hex(status.cluster_id) + ":" +
         (leader ? "Leader" : "Member");
}

nlohmann::json member_lease_patch(const etcd::MemberStatus& status, bool peer_tls_enabled,
                                  util::Time now) {
  return {{"metadata",
           {{"annotations", {{kTlsEnabledAnnotation, peer_tls_enabled ? "true" : "false"}}}}},
          {"spec",
           {{"holderIdentity", member_holder_identity(status)},
            {"renewTime", util::format_rfc3339_micro(now)}}}};
}

util::Expected<bool, kube::ApiError> renew_member_lease(kube::Client& client, const std::string& ns,
                                                        const std::string& name,
                                                        const etcd::MemberStatus& status,
                                                        bool peer_tls_enabled, util::Time now) {
  auto patched = client.patch(kube::resources::kLeases, ns, name, kube::PatchType::kMerge,
                              member_lease_patch(status, peer_tls_enabled, now));
  if (!patched) return util::unexpected(patched.error());
  return true;
}

util::Expected<bool, kube::ApiError> renew_snapshot_lease(kube::Client& client,
                                                          const std::string& ns,
                                                          const std::string& name,
                                                          std::int64_t revision,
                                                          util::Time renew_time) {
  constexpr int kAttempts = 5;
  for (int attempt = 1;; ++attempt) {
    auto lease = client.get(kube::resources::kLeases, ns, name);
    if (!lease) return util::unexpected(lease.error());
    std::int64_t held = 0;
    bool has_holder = false;
    const auto spec = lease->find("spec");
    if (spec != lease->end() && spec->contains("holderIdentity") &&
        (*spec)["holderIdentity"].is_string()) {
      const auto text = (*spec)["holderIdentity"].get<std::string>();
      has_holder = true;
      std::from_chars(text.data(), text.data() + text.size(), held);
    }
    nlohmann::json patch_spec = {{"renewTime", util::format_rfc3339_micro(renew_time)}};
    if (!has_holder || revision > held) patch_spec["holderIdentity"] = std::to_string(revision);
    const nlohmann::json patch = {
        {"metadata", {{"resourceVersion", (*lease)["metadata"].value("resourceVersion", "")}}},
        {"spec", patch_spec}};
    auto patched = client.patch(kube::resources::kLeases, ns, name, kube::PatchType::kMerge, patch);
    if (patched) return true;
    if (patched.error().reason != kube::ApiErrorReason::kConflict || attempt == kAttempts) {
      return util::unexpected(patched.error());
    }
  }
}

}  // namespace druid::localenv::backup
