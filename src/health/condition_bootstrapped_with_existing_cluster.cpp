#include "health/condition_bootstrapped_with_existing_cluster.hpp"

#include <algorithm>

namespace druid::health {
namespace {

CheckResult succeeded() {
  return {api::condition::kBootstrappedWithExistingCluster, api::kConditionTrue,
          "BootstrapSucceeded", "All members have successfully joined the existing cluster"};
}

CheckResult in_progress(const char* message) {
  return {api::condition::kBootstrappedWithExistingCluster, api::kConditionFalse,
          "BootstrapInProgress", message};
}

}  // namespace

std::optional<CheckResult> check_bootstrapped_with_existing_cluster(
    const api::Etcd& etcd, const std::vector<api::EtcdMemberStatus>& members) {
  if (etcd.status && etcd.status->bootstrap_with_existing_cluster) return succeeded();
  const auto& spec = etcd.spec.etcd.bootstrap_with_existing_cluster;
  if (!spec || spec->members.empty()) return std::nullopt;
  if (static_cast<std::int64_t>(members.size()) < etcd.spec.replicas) {
    return in_progress("Not all members have joined the cluster yet");
  }
  const bool all_ready = std::all_of(members.begin(), members.end(), [](const auto& m) {
    return m.status == api::member::kStatusReady;
  });
  if (!all_ready) return in_progress("Not all members are ready");
  return succeeded();
}

}  // namespace druid::health
