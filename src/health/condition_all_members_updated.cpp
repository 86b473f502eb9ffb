#include "health/condition_all_members_updated.hpp"

#include "health/statefulset_status.hpp"

namespace druid::health {

CheckResult check_all_members_updated(const api::Etcd& etcd, const nlohmann::json* controlled_sts,
                                      const std::optional<std::string>& read_error,
                                      const std::vector<ObjectPtr>* pods) {
  const char* type = api::condition::kAllMembersUpdated;
  if (read_error) {
    return {type, api::kConditionUnknown, "UnableToFetchStatefulSet",
            "Unable to fetch StatefulSet for etcd: " + *read_error};
  }
  if (controlled_sts == nullptr) {
    return {type, api::kConditionUnknown, "StatefulSetNotFound",
            "StatefulSet " + etcd.metadata.name + " not found for etcd"};
  }
  const StatefulSetFacts sts = read_statefulset(*controlled_sts, pods);
  // Under OnDelete currentRevision stays old below Kubernetes 1.37
  // (docs/quorum-aware-updates.md the pods' revisions decide instead.
  const bool revision_reached =
      sts.on_delete ? sts.pods_at_update_revision : sts.update_revision == sts.current_revision;
  if (sts.observed_generation == sts.generation && sts.updated_replicas == sts.spec_replicas &&
      revision_reached) {
    return {type, api::kConditionTrue, "AllMembersUpdated",
            "All members reflect latest desired spec"};
  }
  return {type, api::kConditionFalse, "NotAllMembersUpdated",
          "At least one member is not yet updated"};
}

}  // namespace druid::health
