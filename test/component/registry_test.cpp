// The registry's components and the codes they report: users and alerts match
// on the lastErrors codes, so each component's delete code is its
// error_codes.hpp constant, spelled as upstream spells it.

#include "component/registry.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "component/error_codes.hpp"

namespace druid::component {
namespace {

TEST(Registry, ListsTheTenComponentsInSyncOrder) {
  const Registry registry;
  std::vector<std::string> kinds;
  for (const auto& component : registry.all()) kinds.emplace_back(component->kind());
  EXPECT_EQ(kinds,
            (std::vector<std::string>{"ServiceAccount", "Role", "RoleBinding", "MemberLease",
                                      "SnapshotLease", "PodDisruptionBudget", "ClientService",
                                      "PeerService", "ConfigMap", "StatefulSet"}));
}

TEST(Registry, EveryComponentDeclaresItsDeleteErrorConstant) {
  const std::map<std::string, std::string> expected = {
      {"ServiceAccount", error_code::kDeleteServiceAccount},
      {"Role", error_code::kDeleteRole},
      {"RoleBinding", error_code::kDeleteRoleBinding},
      {"MemberLease", error_code::kDeleteMemberLease},
      {"SnapshotLease", error_code::kDeleteSnapshotLease},
      {"PodDisruptionBudget", error_code::kDeletePodDisruptionBudget},
      {"ClientService", error_code::kDeleteClientService},
      {"PeerService", error_code::kDeletePeerService},
      {"ConfigMap", error_code::kDeleteConfigMap},
      {"StatefulSet", error_code::kDeleteStatefulSet},
  };
  const Registry registry;
  std::map<std::string, std::string> actual;
  for (const auto& component : registry.all()) {
    ASSERT_NE(component->delete_error_code(), nullptr) << component->kind();
    actual.emplace(component->kind(), component->delete_error_code());
  }
  EXPECT_EQ(actual, expected);
}

// Upstream's spelling, which alerts match: the constants themselves are pinned
// so that a rename there shows up here.
TEST(Registry, DeleteErrorCodesAreUpstreamsSpelling) {
  EXPECT_STREQ(error_code::kDeleteServiceAccount, "ERR_DELETE_SERVICE_ACCOUNT");
  EXPECT_STREQ(error_code::kDeleteRole, "ERR_DELETE_ROLE");
  EXPECT_STREQ(error_code::kDeleteRoleBinding, "ERR_DELETE_ROLE_BINDING");
  EXPECT_STREQ(error_code::kDeleteMemberLease, "ERR_DELETE_MEMBER_LEASE");
  EXPECT_STREQ(error_code::kDeleteSnapshotLease, "ERR_DELETE_SNAPSHOT_LEASE");
  EXPECT_STREQ(error_code::kDeletePodDisruptionBudget, "ERR_DELETE_POD_DISRUPTION_BUDGET");
  EXPECT_STREQ(error_code::kDeleteClientService, "ERR_DELETE_CLIENT_SERVICE");
  EXPECT_STREQ(error_code::kDeletePeerService, "ERR_DELETE_PEER_SERVICE");
  EXPECT_STREQ(error_code::kDeleteConfigMap, "ERR_DELETE_CONFIGMAP");
  EXPECT_STREQ(error_code::kDeleteStatefulSet, "ERR_DELETE_STATEFULSET");
}

}  // namespace
}  // namespace druid::component
