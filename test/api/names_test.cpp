#include "api/names.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

namespace druid::api {
namespace {

Etcd make_etcd(std::int32_t replicas = 3) {
  Etcd etcd;
  etcd.metadata.name = "etcd-main";
  etcd.metadata.namespace_ = "shoot--dev";
  etcd.metadata.uid = "8f6c1a2e-uid";
  etcd.spec.replicas = replicas;
  return etcd;
}

Etcd with_prefix(Etcd etcd, std::string prefix) {
  etcd.spec.member_name_prefix = std::move(prefix);
  return etcd;
}

struct NameCase {
  const char* what;
  std::function<std::string(const Etcd&)> name_of;
  const char* expected;
};

TEST(Names, PerComponentNames) {
  const std::vector<NameCase> cases = {
      {"statefulset", statefulset_name, "etcd-main"},
      {"service account", service_account_name, "etcd-main"},
      {"role", role_name, "druid.gardener.cloud:etcd:etcd-main"},
      {"role binding", role_binding_name, "druid.gardener.cloud:etcd:etcd-main"},
      {"client service", client_service_name, "etcd-main-client"},
      {"peer service", peer_service_name, "etcd-main-peer"},
      {"configmap", configmap_name, "etcd-main-config"},
      {"pdb", pod_disruption_budget_name, "etcd-main"},
      {"full snapshot lease", [](const Etcd& e) { return full_snapshot_lease_name(e); },
       "etcd-main-full-snap"},
      {"delta snapshot lease", [](const Etcd& e) { return delta_snapshot_lease_name(e); },
       "etcd-main-delta-snap"},
      {"compaction job", [](const Etcd& e) { return compaction_job_name(e); },
       "etcd-main-compactor"},
      {"volume claim template", volume_claim_template_name, "etcd-main"},
  };
  const Etcd etcd = make_etcd();
  for (const auto& c : cases) EXPECT_EQ(c.name_of(etcd), c.expected) << c.what;
}

TEST(Names, BareEtcdNameOverloadsMatch) {
  EXPECT_EQ(full_snapshot_lease_name("e"), "e-full-snap");
  EXPECT_EQ(delta_snapshot_lease_name("e"), "e-delta-snap");
  EXPECT_EQ(compaction_job_name("e"), "e-compactor");
  EXPECT_EQ(pod_name("e", 7), "e-7");
}

TEST(Names, ConfigFileKey) {
  EXPECT_STREQ(kEtcdConfigFileName, "etcd.conf.yaml");
}

TEST(Names, PodAndMemberNamesWithoutPrefix) {
  const Etcd etcd = make_etcd();
  EXPECT_EQ(pod_name(etcd, 0), "etcd-main-0");
  EXPECT_EQ(member_name(etcd, 2), "etcd-main-2");
  EXPECT_EQ(member_lease_name(etcd, 1), "etcd-main-1");
  EXPECT_EQ(pod_names(etcd),
            (std::vector<std::string>{"etcd-main-0", "etcd-main-1", "etcd-main-2"}));
  EXPECT_EQ(member_lease_names(etcd),
            (std::vector<std::string>{"etcd-main-0", "etcd-main-1", "etcd-main-2"}));
}

TEST(Names, MemberNamesCarryThePrefix) {
  const Etcd etcd = with_prefix(make_etcd(2), "garden");
  EXPECT_EQ(pod_name(etcd, 1), "etcd-main-1");  // pods are never prefixed
  EXPECT_EQ(member_name(etcd, 1), "garden-etcd-main-1");
  EXPECT_EQ(member_lease_names(etcd),
            (std::vector<std::string>{"garden-etcd-main-0", "garden-etcd-main-1"}));
}

TEST(Names, EmptyPrefixIsNoPrefix) {
  EXPECT_EQ(member_name(with_prefix(make_etcd(), ""), 0), "etcd-main-0");
  EXPECT_EQ(member_name_for_pod(std::string(""), "p-0"), "p-0");
  EXPECT_EQ(member_name_for_pod(std::nullopt, "p-0"), "p-0");
  EXPECT_EQ(member_name_for_pod(std::string("x"), "p-0"), "x-p-0");
}

TEST(Names, ZeroReplicasHaveNoMembersPodsOrClaims) {
  const Etcd etcd = make_etcd(0);
  EXPECT_TRUE(pod_names(etcd).empty());
  EXPECT_TRUE(member_lease_names(etcd).empty());
  EXPECT_TRUE(persistent_volume_claim_names(etcd).empty());
}

TEST(Names, NegativeReplicasDoNotCrash) {
  EXPECT_TRUE(member_lease_names(make_etcd(-1)).empty());
}

TEST(Names, PodNameFromMemberLeaseName) {
  EXPECT_EQ(pod_name_from_member_lease_name("garden-etcd-main-1", std::string("garden")),
            "etcd-main-1");
  EXPECT_EQ(pod_name_from_member_lease_name("etcd-main-1", std::nullopt), "etcd-main-1");
  EXPECT_EQ(pod_name_from_member_lease_name("etcd-main-1", std::string("")), "etcd-main-1");
  // A lease without the prefix is left alone; a prefix is only stripped with its dash.
  EXPECT_EQ(pod_name_from_member_lease_name("etcd-main-1", std::string("garden")), "etcd-main-1");
  EXPECT_EQ(pod_name_from_member_lease_name("gardenetcd-0", std::string("garden")), "gardenetcd-0");
}

TEST(Names, MemberLeaseNameRoundTripsToPodName) {
  const Etcd etcd = with_prefix(make_etcd(), "garden");
  for (int i = 0; i < etcd.spec.replicas; ++i) {
    EXPECT_EQ(
        pod_name_from_member_lease_name(member_lease_name(etcd, i), etcd.spec.member_name_prefix),
        pod_name(etcd, i));
  }
}

TEST(Names, VolumeClaimTemplateAndClaims) {
  Etcd etcd = make_etcd(2);
  EXPECT_EQ(persistent_volume_claim_names(etcd),
            (std::vector<std::string>{"etcd-main-etcd-main-0", "etcd-main-etcd-main-1"}));
  etcd.spec.volume_claim_template = "main-etcd";
  EXPECT_EQ(volume_claim_template_name(etcd), "main-etcd");
  EXPECT_EQ(persistent_volume_claim_name(etcd, 1), "main-etcd-etcd-main-1");
  etcd.spec.volume_claim_template = "";
  EXPECT_EQ(volume_claim_template_name(etcd), "etcd-main");
}

TEST(Names, PresyncSnapshotTasks) {
  EXPECT_EQ(presync_snapshot_task_name("etcd-main", kPresyncHibernationSnapshotTaskPrefix, 0),
            "etcd-main-presync-snapshot-hibernation-0");
  EXPECT_EQ(presync_snapshot_task_name("etcd-events", kPresyncUpgradeSnapshotTaskPrefix, 2),
            "etcd-events-presync-snapshot-upgrade-2");
}

TEST(Names, PresyncSnapshotTaskIndex) {
  const std::string_view prefix = kPresyncHibernationSnapshotTaskPrefix;
  EXPECT_EQ(
      presync_snapshot_task_index("etcd-main-presync-snapshot-hibernation-0", "etcd-main", prefix),
      0);
  EXPECT_EQ(
      presync_snapshot_task_index("etcd-main-presync-snapshot-hibernation-12", "etcd-main", prefix),
      12);
  EXPECT_EQ(
      presync_snapshot_task_index("etcd-main-presync-snapshot-upgrade-1", "etcd-main", prefix),
      std::nullopt);
  EXPECT_EQ(
      presync_snapshot_task_index("etcd-main-presync-snapshot-hibernation-", "etcd-main", prefix),
      std::nullopt);
  EXPECT_EQ(
      presync_snapshot_task_index("etcd-main-presync-snapshot-hibernation-x1", "etcd-main", prefix),
      std::nullopt);
  EXPECT_EQ(
      presync_snapshot_task_index("etcd-main-presync-snapshot-hibernation-1x", "etcd-main", prefix),
      std::nullopt);
  EXPECT_EQ(
      presync_snapshot_task_index("etcd-main-presync-snapshot-hibernation--1", "etcd-main", prefix),
      std::nullopt);
  EXPECT_EQ(presync_snapshot_task_index("etcd-main-presync-snapshot-hibernation-99999999999",
                                        "etcd-main", prefix),
            std::nullopt);
  // Another Etcd's task, even one whose name extends this Etcd's.
  EXPECT_EQ(presync_snapshot_task_index("etcd-presync-snapshot-hibernation-0", "etcd-main", prefix),
            std::nullopt);
  EXPECT_EQ(presync_snapshot_task_index("etcd-main-2-presync-snapshot-hibernation-0", "etcd-main",
                                        prefix),
            std::nullopt);
  EXPECT_EQ(presync_snapshot_task_index("etcd-main-presync-snapshot-hibernation-0", "etcd", prefix),
            std::nullopt);
}

TEST(Names, CopyBackupsJob) {
  EXPECT_EQ(copy_backups_job_name("copy-1"), "copy-1-worker");
}

TEST(Names, OwnerReferenceIsControllerReference) {
  const OwnerReference reference = etcd_owner_reference(make_etcd());
  EXPECT_EQ(reference.api_version, "druid.gardener.cloud/v1alpha1");
  EXPECT_EQ(reference.kind, "Etcd");
  EXPECT_EQ(reference.name, "etcd-main");
  EXPECT_EQ(reference.uid, "8f6c1a2e-uid");
  EXPECT_EQ(reference.controller, true);
  EXPECT_EQ(reference.block_owner_deletion, true);
  EXPECT_EQ(encode(reference), nlohmann::json::parse(R"({
    "apiVersion": "druid.gardener.cloud/v1alpha1", "kind": "Etcd", "name": "etcd-main",
    "uid": "8f6c1a2e-uid", "controller": true, "blockOwnerDeletion": true})"));
}

}  // namespace
}  // namespace druid::api
