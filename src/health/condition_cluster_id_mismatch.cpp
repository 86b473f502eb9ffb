#include "health/condition_cluster_id_mismatch.hpp"

#include <algorithm>
#include <map>

#include "api/names.hpp"

namespace druid::health {
namespace {

CheckResult result(const char* status, const char* reason, std::string message) {
  return {api::condition::kClusterIdMismatch, status, reason, std::move(message)};
}

}  // namespace

CheckResult check_cluster_id_mismatch(const api::Etcd& etcd,
                                      const std::vector<api::EtcdMemberStatus>& members,
                                      const std::vector<ObjectPtr>& member_leases,
                                      const std::optional<std::string>& leases_read_error) {
  std::map<std::string, std::string> cluster_id_by_lease;
  for (const std::string& lease_name : api::member_lease_names(etcd)) {
    if (leases_read_error) {
      return result(api::kConditionUnknown, "UnableToFetchLease",
                    "Unable to fetch Lease " + lease_name + ": " + *leases_read_error);
    }
    const nlohmann::json* lease = find_object(member_leases, lease_name);
    if (lease == nullptr) continue;  // not created yet
    auto identity = parse_holder_identity(*lease);
    if (!identity) {
      return result(
          api::kConditionUnknown, "UnableToParseLeaseHolderIdentity",
          "Unable to parse Lease " + lease_name + " holder identity: " + identity.error());
    }
    if (identity->cluster_id) cluster_id_by_lease[lease_name] = *identity->cluster_id;
  }

  std::vector<std::string> distinct;
  for (const auto& member : members) {
    if (member.status == api::member::kStatusUnknown) continue;
    const auto id = cluster_id_by_lease.find(member.name);  // member name = lease name
    if (id == cluster_id_by_lease.end()) continue;
    if (std::find(distinct.begin(), distinct.end(), id->second) == distinct.end()) {
      distinct.push_back(id->second);
    }
  }

  if (distinct.empty()) {
    return result(api::kConditionUnknown, "NoClusterIDDetected",
                  "No cluster ID could be detected from known ETCD members");
  }
  if (distinct.size() == 1) {
    return result(api::kConditionFalse, "NoClusterIDMismatchDetected",
                  "No cluster ID mismatch detected among ETCD members");
  }
  return result(api::kConditionTrue, "MultipleClusterIDsDetected",
                "Multiple cluster IDs detected among ETCD members");
}

}  // namespace druid::health
