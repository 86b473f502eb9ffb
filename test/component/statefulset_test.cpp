// The StatefulSet component against a real (test) API server: create, zero
// churn, drift, the pre-sync snapshot, every special case of the sync and deletion (upstream's
// internal/component/statefulset/statefulset.go), and the error codes of each step. The
// test API server has no StatefulSet controller, so tests set the status the
// controller would write through the status subresource.

#include "component/statefulset.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "api/annotations.hpp"
#include "api/image_vector.hpp"
#include "api/labels.hpp"
#include "api/names.hpp"
#include "api/resources.hpp"
#include "component/configmap.hpp"
#include "component/create_or_patch.hpp"
#include "component/error_codes.hpp"
#include "component/registry.hpp"
#include "component/statefulset_builder.hpp"
#include "component/statefulset_presync.hpp"
#include "component/statefulset_tls.hpp"
#include "kube/resource.hpp"
#include "support/component_env.hpp"
#include "support/fixtures.hpp"
#include "support/golden.hpp"
#include "util/base64.hpp"
#include "util/json_access.hpp"

namespace druid::component {
namespace {

using nlohmann::json;
using test::kTestEtcdName;
using test::kTestNamespace;

constexpr const char* kChecksum =
    "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";
constexpr const char* kHibernation0 = "etcd-main-presync-snapshot-hibernation-0";

// ---------------------------------------------------------------------------
// Pure parts: the pre-sync task, the TLS rules, the lease rule.

api::Etcd plain_etcd(int replicas = 3) {
  return test::decode(test::base_etcd_json(replicas));
}

TEST(PresyncSnapshotTask, GoldenHibernationTask) {
  EXPECT_TRUE(test::matches_golden(
      build_presync_snapshot_task(plain_etcd(0), api::kPresyncHibernationSnapshotTaskPrefix, 0),
      "statefulset/presync-snapshot-hibernation-0.json"));
}

TEST(PresyncSnapshotTask, NamesCarryPrefixAndIndex) {
  const auto task =
      build_presync_snapshot_task(plain_etcd(), api::kPresyncUpgradeSnapshotTaskPrefix, 2);
  EXPECT_EQ(task["metadata"]["name"], "etcd-main-presync-snapshot-upgrade-2");
}

json sts_with_etcd_image(const std::string& image, int replicas = 3) {
  return {{"spec",
           {{"replicas", replicas},
            {"template",
             {{"spec", {{"containers", json::array({{{"name", "etcd"}, {"image", image}}})}}}}}}}};
}

TEST(PresyncSnapshotPrefix, HibernationWinsOverUpgrade) {
  EXPECT_EQ(presync_snapshot_prefix(plain_etcd(0), sts_with_etcd_image("old"), true, "new"),
            api::kPresyncHibernationSnapshotTaskPrefix);
}

TEST(PresyncSnapshotPrefix, UpgradeOnlyWithGateAndImageChange) {
  const auto etcd = plain_etcd(3);
  EXPECT_EQ(presync_snapshot_prefix(etcd, sts_with_etcd_image("old"), true, "new"),
            api::kPresyncUpgradeSnapshotTaskPrefix);
  EXPECT_EQ(presync_snapshot_prefix(etcd, sts_with_etcd_image("old"), false, "new"), "");
  EXPECT_EQ(presync_snapshot_prefix(etcd, sts_with_etcd_image("new"), true, "new"), "");
}

json sts_with_mounts(const json& etcd_mounts, const json& backup_mounts = json::array(),
                     int replicas = 3, int ready = 3) {
  const json containers =
      json::array({{{"name", "etcd"}, {"volumeMounts", etcd_mounts}},
                   {{"name", "backup-restore"}, {"volumeMounts", backup_mounts}}});
  json sts;
  sts["spec"]["replicas"] = replicas;
  sts["spec"]["template"]["spec"]["containers"] = containers;
  sts["status"]["readyReplicas"] = ready;
  return sts;
}

json mount(const std::string& name, const std::string& path) {
  return {{"name", name}, {"mountPath", path}};
}

const json kPeerMounts = json::array({mount("etcd-peer-ca", "/var/etcd/ssl/peer/ca"),
                                      mount("etcd-peer-server-tls", "/var/etcd/ssl/peer/server")});
const json kLegacyPeerMounts =
    json::array({mount("peer-url-ca-etcd", "/var/etcd/ssl/peer/ca"),
                 mount("peer-url-etcd-server-tls", "/var/etcd/ssl/peer/server")});

TEST(StatefulSetTls, OnlyTlsMountsOfEachContainerCount) {
  const auto sts = sts_with_mounts(
      json::array({mount("etcd-data", "/var/etcd/data"), mount("etcd-ca", "/var/etcd/ssl/ca")}),
      json::array({mount("etcd-config-file", "/var/etcd/config/"),
                   mount("etcd-client-tls", "/var/etcd/ssl/client"),
                   mount("etcd-server-tls", "/var/etcd/ssl/server")}));
  EXPECT_EQ(tls_volume_mounts(sts, "etcd"),
            (std::vector<VolumeMountRef>{{"etcd-ca", "/var/etcd/ssl/ca"}}));
  // etcd-server-tls is a TLS volume of the etcd container only.
  EXPECT_EQ(tls_volume_mounts(sts, "backup-restore"),
            (std::vector<VolumeMountRef>{{"etcd-client-tls", "/var/etcd/ssl/client"}}));
  EXPECT_TRUE(tls_volume_mounts(sts, "no-such-container").empty());
}

TEST(StatefulSetTls, InSyncComparesNamesAndPathsInAnyOrder) {
  const auto desired = sts_with_mounts(kPeerMounts);
  json reversed = kPeerMounts;
  std::swap(reversed[0], reversed[1]);
  EXPECT_TRUE(is_tls_config_in_sync(desired, sts_with_mounts(reversed)));
  EXPECT_FALSE(is_tls_config_in_sync(desired, sts_with_mounts(json::array())));
  json moved = kPeerMounts;
  moved[0]["mountPath"] = "/elsewhere";
  EXPECT_FALSE(is_tls_config_in_sync(desired, sts_with_mounts(moved)));
  EXPECT_FALSE(is_tls_config_in_sync(
      desired, sts_with_mounts(kPeerMounts, json::array({mount("etcd-ca", "/var/etcd/ssl/ca")}))));
}

TEST(StatefulSetTls, LegacyPeerNamesCountAsPeerTlsButAreNotInSync) {
  const auto desired = sts_with_mounts(kPeerMounts);
  const auto legacy = sts_with_mounts(kLegacyPeerMounts);
  EXPECT_EQ(peer_tls_volume_mounts(legacy).size(), 2u);
  EXPECT_TRUE(has_same_peer_tls_mount_count(desired, legacy));
  EXPECT_FALSE(is_tls_config_in_sync(desired, legacy));
  EXPECT_FALSE(has_same_peer_tls_mount_count(desired, sts_with_mounts(json::array())));
}

TEST(StatefulSetTls, PartiallyReadyOnlyForMultiMemberClusters) {
  EXPECT_TRUE(has_partially_ready_members(sts_with_mounts(json::array(), {}, 3, 1)));
  EXPECT_TRUE(has_partially_ready_members(sts_with_mounts(json::array(), {}, 3, 2)));
  EXPECT_FALSE(has_partially_ready_members(sts_with_mounts(json::array(), {}, 3, 0)));
  EXPECT_FALSE(has_partially_ready_members(sts_with_mounts(json::array(), {}, 3, 3)));
  EXPECT_FALSE(has_partially_ready_members(sts_with_mounts(json::array(), {}, 1, 0)));
  EXPECT_EQ(statefulset_replicas(json::object()), 1);  // the Kubernetes default
}

json lease(const std::string& name, std::optional<std::string> tls_enabled) {
  json object = {{"metadata", {{"name", name}, {"namespace", kTestNamespace}}}};
  if (tls_enabled) object["metadata"]["annotations"][api::kTlsEnabledAnnotation] = *tls_enabled;
  return object;
}

TEST(StatefulSetTls, LeaseAnnotationFollowsGoParseBool) {
  EXPECT_TRUE(*lease_peer_tls_enabled(lease("a", "true")));
  EXPECT_TRUE(*lease_peer_tls_enabled(lease("a", "T")));
  EXPECT_FALSE(*lease_peer_tls_enabled(lease("a", "0")));
  EXPECT_FALSE(*lease_peer_tls_enabled(lease("a", std::nullopt)));
  const auto bad = lease_peer_tls_enabled(lease("a", "yes"));
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("parsing \"yes\": invalid syntax"), std::string::npos);
}

TEST(StatefulSetTls, OnlyTheFirstReplicasLeasesAreAsked) {
  const auto on = lease("m-0", "true");
  const auto off = lease("m-1", std::nullopt);
  const std::vector<const json*> leases{&on, &off};
  EXPECT_TRUE(*member_leases_match_peer_tls(leases, 1, true));
  EXPECT_FALSE(*member_leases_match_peer_tls(leases, 2, true));
  EXPECT_FALSE(*member_leases_match_peer_tls(leases, 2, false));
  EXPECT_TRUE(*member_leases_match_peer_tls({&off}, 5, false));
  EXPECT_TRUE(*member_leases_match_peer_tls({}, 3, true));
}

TEST(StatefulSetPatch, ForbiddenFieldsAreLeftOut) {
  const json desired = {{"spec",
                         {{"replicas", 3},
                          {"selector", json::object()},
                          {"serviceName", "x"},
                          {"volumeClaimTemplates", json::array()},
                          {"podManagementPolicy", "Parallel"},
                          {"updateStrategy", json::object()},
                          {"template", json::object()}}}};
  EXPECT_EQ(without_forbidden_fields(desired),
            (json{{"spec", {{"replicas", 3}, {"template", json::object()}}}}));
}

// ---------------------------------------------------------------------------
// The component against the test API server.

class StatefulSetComponentTest : public ::testing::Test {
 protected:
  void create(json etcd_json) {
    etcd_ = env_.create_etcd(std::move(etcd_json));
    ctx_.emplace(env_.context(etcd_));
    ctx_->configmap_checksum = kChecksum;
  }

  Context& ctx() { return *ctx_; }
  api::Etcd& etcd() { return etcd_; }
  test::InMemoryCluster& client() { return env_.cluster(); }

  // The Etcd as reconciled before (observedGeneration set) with `members`.
  void mark_reconciled(int members) {
    api::EtcdStatus status;
    status.observed_generation = 1;
    for (int i = 0; i < members; ++i) {
      api::EtcdMemberStatus member;
      member.name = api::member_name(etcd_, i);
      member.status = api::member::kStatusReady;
      member.reason = "LeaseSucceeded";
      member.last_transition_time = "2024-01-01T00:00:00Z";
      status.members.push_back(member);
    }
    etcd_.status = status;
  }

  DruidResult<> sync() { return component_->sync(ctx()); }
  DruidResult<> pre_sync() { return component_->pre_sync(ctx()); }

  std::optional<json> sts() {
    auto got = client().get(kube::resources::kStatefulSets, kTestNamespace, kTestEtcdName);
    if (!got) return std::nullopt;
    return *got;
  }

  void set_sts_status(const json& status) {
    ASSERT_TRUE(client().patch(kube::resources::kStatefulSets, kTestNamespace, kTestEtcdName,
                               kube::PatchType::kMerge, {{"status", status}}, "status"));
  }

  json built(int replicas, const json* existing = nullptr) {
    StatefulSetInputs inputs;
    inputs.images = *api::resolve_etcd_images(etcd_, api::embedded_image_vector(),
                                              env_.settings().feature_gates.upgrade_etcd_version);
    inputs.configmap_checksum = kChecksum;
    inputs.replicas = replicas;
    inputs.existing = existing;
    auto object = build_statefulset(etcd_, inputs);
    EXPECT_TRUE(object) << (object ? "" : object.error());
    return object ? *object : json();
  }

  std::optional<json> task(const std::string& name) {
    auto got = client().get(api::resources::kEtcdOpsTasks, kTestNamespace, name);
    if (!got) return std::nullopt;
    return *got;
  }

  void set_task_state(const std::string& name, const std::string& state) {
    ASSERT_TRUE(client().patch(api::resources::kEtcdOpsTasks, kTestNamespace, name,
                               kube::PatchType::kMerge, {{"status", {{"state", state}}}},
                               "status"));
  }

  std::int64_t count(const std::string& verb, const std::string& resource) {
    return env_.cluster().controls().request_count(verb, resource);
  }

  void create_object(const util::ResourceType& type, json object) {
    auto created = client().create(type, kTestNamespace, object);
    ASSERT_TRUE(created) << created.error().what();
  }

  json owner_reference() { return api::encode(api::etcd_owner_reference(etcd_)); }

  void create_member_lease(int ordinal, std::optional<std::string> tls_enabled) {
    json object = {
        {"apiVersion", "coordination.k8s.io/v1"},
        {"kind", "Lease"},
        {"metadata",
         {{"name", api::member_lease_name(etcd_, ordinal)},
          {"namespace", kTestNamespace},
          {"labels", api::member_lease_labels(etcd_, api::member_lease_name(etcd_, ordinal))},
          {"ownerReferences", json::array({owner_reference()})}}},
        {"spec", json::object()}};
    if (tls_enabled) object["metadata"]["annotations"][api::kTlsEnabledAnnotation] = *tls_enabled;
    create_object(kube::resources::kLeases, object);
  }

  void create_pod(int ordinal, const json& owner_references = json::array()) {
    json metadata = {{"name", api::pod_name(etcd_, ordinal)},
                     {"namespace", kTestNamespace},
                     {"labels", api::statefulset_labels(etcd_)}};
    if (!owner_references.empty()) metadata["ownerReferences"] = owner_references;
    create_object(kube::resources::kPods,
                  {{"apiVersion", "v1"},
                   {"kind", "Pod"},
                   {"metadata", metadata},
                   {"spec", {{"containers", json::array({{{"name", "etcd"}, {"image", "x"}}})}}}});
  }

  static void expect_error(const DruidResult<>& outcome, const char* code, Operation operation) {
    ASSERT_FALSE(outcome) << "expected " << code;
    EXPECT_EQ(outcome.error().code, code) << outcome.error().description();
    EXPECT_EQ(outcome.error().operation, operation) << outcome.error().description();
  }

  static void expect_requeue(const DruidResult<>& outcome, Operation operation,
                             const std::string& message_part) {
    expect_error(outcome, error_code::kRequeueAfter, operation);
    if (!outcome) {
      EXPECT_NE(outcome.error().message.find(message_part), std::string::npos)
          << outcome.error().message;
    }
  }

  test::ComponentEnv env_;
  ComponentPtr component_ = make_statefulset_component();
  api::Etcd etcd_;
  std::optional<Context> ctx_;
};

json with_store(json etcd, const std::string& provider = "aws") {
  test::add_store(etcd, provider);
  return etcd;
}

json with_peer_tls(json etcd) {
  test::add_peer_tls(etcd);
  return etcd;
}

// --- create, zero churn, drift ----------------------------------------------

TEST_F(StatefulSetComponentTest, KindIsStatefulSet) {
  EXPECT_EQ(component_->kind(), "StatefulSet");
}

TEST_F(StatefulSetComponentTest, CreatesTheDesiredStatefulSetOnFirstSync) {
  create(test::base_etcd_json(3));
  ASSERT_TRUE(sync()) << sync().error().description();
  const auto created = sts();
  ASSERT_TRUE(created);
  EXPECT_TRUE(is_satisfied_by(built(3), *created));
  EXPECT_EQ((*created)["spec"]["replicas"], 3);
  EXPECT_EQ((*created)["spec"]["template"]["metadata"]["annotations"]["checksum/etcd-configmap"],
            kChecksum);
  EXPECT_TRUE(util::is_controlled_by(*created, etcd().metadata.uid));
}

TEST_F(StatefulSetComponentTest, SecondSyncWritesNothing) {
  create(with_peer_tls(with_store(test::base_etcd_json(3))));
  ASSERT_TRUE(sync());
  env_.cluster().controls().reset_counts();
  ASSERT_TRUE(sync()) << sync().error().description();
  EXPECT_EQ(env_.cluster().controls().write_count(), 0);
}

TEST_F(StatefulSetComponentTest, DriftIsRepairedWithOnePatch) {
  create(test::base_etcd_json(3));
  ASSERT_TRUE(sync());
  ASSERT_TRUE(client().patch(
      kube::resources::kStatefulSets, kTestNamespace, kTestEtcdName, kube::PatchType::kMerge,
      {{"metadata", {{"labels", {{"foreign", "label"}}}}},
       {"spec",
        {{"replicas", 5},
         {"template", {{"metadata", {{"annotations", {{"foreign", "annotation"}}}}}}}}}}));
  env_.cluster().controls().reset_counts();
  ASSERT_TRUE(sync()) << sync().error().description();
  EXPECT_EQ(count("patch", "statefulsets"), 1);
  const auto repaired = *sts();
  EXPECT_FALSE(repaired["metadata"]["labels"].contains("foreign"));
  EXPECT_FALSE(repaired["spec"]["template"]["metadata"]["annotations"].contains("foreign"));
  EXPECT_EQ(repaired["spec"]["replicas"], 3);
}

// --- update strategy (QuorumAwareUpdatesWithOnDelete) ------------------------

TEST_F(StatefulSetComponentTest, GateSwitchesTheUpdateStrategyWithoutANewRevision) {
  create(test::base_etcd_json(3));
  ASSERT_TRUE(sync());
  // What Kubernetes defaults under RollingUpdate (the test server does not).
  ASSERT_TRUE(client().patch(
      kube::resources::kStatefulSets, kTestNamespace, kTestEtcdName, kube::PatchType::kMerge,
      {{"spec", {{"updateStrategy", {{"rollingUpdate", {{"partition", 0}}}}}}}}));
  const json before = *sts();

  env_.settings().feature_gates.quorum_aware_updates_with_on_delete = true;
  env_.cluster().controls().reset_counts();
  ASSERT_TRUE(sync()) << sync().error().description();
  EXPECT_EQ(count("patch", "statefulsets"), 1);
  const json on_delete = *sts();
  // rollingUpdate removed: Kubernetes rejects it next to OnDelete.
  EXPECT_EQ(on_delete["spec"]["updateStrategy"], json({{"type", "OnDelete"}}));
  // The pod template is untouched, so no new revision and no pod replaced.
  EXPECT_EQ(on_delete["spec"]["template"], before["spec"]["template"]);

  env_.cluster().controls().reset_counts();
  ASSERT_TRUE(sync());
  EXPECT_EQ(env_.cluster().controls().write_count(), 0);

  env_.settings().feature_gates.quorum_aware_updates_with_on_delete = false;
  ASSERT_TRUE(sync());
  const json rolling = *sts();
  EXPECT_EQ(rolling["spec"]["updateStrategy"]["type"], "RollingUpdate");
  EXPECT_EQ(rolling["spec"]["template"], before["spec"]["template"]);
}

TEST_F(StatefulSetComponentTest, CreatedWithOnDeleteWhenTheGateIsOn) {
  env_.settings().feature_gates.quorum_aware_updates_with_on_delete = true;
  create(test::base_etcd_json(3));
  ASSERT_TRUE(sync()) << sync().error().description();
  EXPECT_EQ((*sts())["spec"]["updateStrategy"], json({{"type", "OnDelete"}}));
}

TEST_F(StatefulSetComponentTest, ScalesToZeroWhenRuntimeComponentCreationIsDisabled) {
  auto etcd_json = test::base_etcd_json(3);
  etcd_json["metadata"]["annotations"][api::kDisableEtcdRuntimeComponentCreationAnnotation] = "";
  create(etcd_json);
  ASSERT_TRUE(sync()) << sync().error().description();
  EXPECT_EQ((*sts())["spec"]["replicas"], 0);
}

TEST_F(StatefulSetComponentTest, ChecksumIsComputedFromTheConfigMapWhenNotHandedOver) {
  create(test::base_etcd_json(1));
  ctx().configmap_checksum.reset();
  const json data = {{api::kEtcdConfigFileName, "name: etcd-main\n"}};
  create_object(
      kube::resources::kConfigMaps,
      {{"apiVersion", "v1"},
       {"kind", "ConfigMap"},
       {"metadata", {{"name", api::configmap_name(etcd())}, {"namespace", kTestNamespace}}},
       {"data", data}});
  ASSERT_TRUE(sync()) << sync().error().description();
  EXPECT_EQ((*sts())["spec"]["template"]["metadata"]["annotations"]["checksum/etcd-configmap"],
            configmap_checksum(data));
}

TEST_F(StatefulSetComponentTest, MissingConfigMapIsASyncError) {
  create(test::base_etcd_json(1));
  ctx().configmap_checksum.reset();
  expect_error(sync(), error_code::kSyncStatefulSet, Operation::kSync);
  EXPECT_FALSE(sts());
}

TEST_F(StatefulSetComponentTest, LocalStoreHostPathComesFromTheStoreSecret) {
  create(with_store(test::base_etcd_json(1), "Local"));
  create_object(kube::resources::kSecrets,
                {{"apiVersion", "v1"},
                 {"kind", "Secret"},
                 {"metadata", {{"name", "etcd-backup"}, {"namespace", kTestNamespace}}},
                 {"data", {{"hostPath", util::base64_encode("/data/buckets")}}}});
  ASSERT_TRUE(sync()) << sync().error().description();
  bool found = false;
  const auto created = *sts();
  for (const auto& volume : created["spec"]["template"]["spec"]["volumes"]) {
    if (volume["name"] == "local-backup") {
      found = true;
      EXPECT_EQ(volume["hostPath"]["path"], "/data/buckets/etcd-bucket");
    }
  }
  EXPECT_TRUE(found) << created["spec"]["template"]["spec"]["volumes"].dump();
}

TEST_F(StatefulSetComponentTest, MissingLocalStoreSecretIsASyncError) {
  create(with_store(test::base_etcd_json(1), "Local"));
  expect_error(sync(), error_code::kSyncStatefulSet, Operation::kSync);
  EXPECT_FALSE(sts());
}

// --- existing names and deletion --------------------------------------------

TEST_F(StatefulSetComponentTest, ExistingNamesListOnlyAStatefulSetControlledByTheEtcd) {
  create(test::base_etcd_json(1));
  auto names = component_->existing_names(ctx());
  ASSERT_TRUE(names);
  EXPECT_TRUE(names->empty());

  auto foreign = built(1);
  foreign["metadata"]["ownerReferences"][0]["uid"] = "11111111-2222-3333-4444-555555555555";
  create_object(kube::resources::kStatefulSets, without_nulls(foreign));
  names = component_->existing_names(ctx());
  ASSERT_TRUE(names);
  EXPECT_TRUE(names->empty());

  ASSERT_TRUE(client().remove(kube::resources::kStatefulSets, kTestNamespace, kTestEtcdName));
  ASSERT_TRUE(sync());
  names = component_->existing_names(ctx());
  ASSERT_TRUE(names);
  EXPECT_EQ(*names, std::vector<std::string>{kTestEtcdName});
}

TEST_F(StatefulSetComponentTest, TriggerDeleteRemovesItAndToleratesNotFound) {
  create(test::base_etcd_json(3));
  ASSERT_TRUE(sync());
  ASSERT_TRUE(component_->trigger_delete(ctx()));
  EXPECT_FALSE(sts());
  EXPECT_TRUE(component_->trigger_delete(ctx()));
}

// --- pre-sync (upstream's PreSync) ---------------------------------------------

class StatefulSetPresyncTest : public StatefulSetComponentTest {
 protected:
  // A running 3-member cluster with a backup store, about to hibernate.
  void hibernating_cluster() {
    create(with_store(test::base_etcd_json(3)));
    ASSERT_TRUE(sync());
    etcd().spec.replicas = 0;
  }
};

TEST_F(StatefulSetPresyncTest, HibernationCreatesASnapshotTaskOwnedByTheEtcdAndWaits) {
  hibernating_cluster();
  expect_requeue(pre_sync(), Operation::kPreSync, kHibernation0);
  const auto created = task(kHibernation0);
  ASSERT_TRUE(created);
  EXPECT_TRUE(util::is_controlled_by(*created, etcd().metadata.uid));
  const auto field = [&](const char* pointer) {
    return created->value(json::json_pointer(pointer), json());
  };
  EXPECT_EQ(field("/spec/etcdName"), kTestEtcdName) << created->dump();
  EXPECT_EQ(field("/spec/config/onDemandSnapshot/type"), "full") << created->dump();

  // Still waiting: nothing new is created while the task has not finished.
  env_.cluster().controls().reset_counts();
  expect_requeue(pre_sync(), Operation::kPreSync, kHibernation0);
  set_task_state(kHibernation0, "InProgress");
  expect_requeue(pre_sync(), Operation::kPreSync, "InProgress");
  EXPECT_EQ(count("create", "etcdopstasks"), 0);
}

TEST_F(StatefulSetPresyncTest, SucceededSnapshotLetsTheStatefulSetScaleToZero) {
  hibernating_cluster();
  ASSERT_FALSE(pre_sync());
  set_task_state(kHibernation0, "Succeeded");
  ASSERT_TRUE(pre_sync()) << pre_sync().error().description();
  EXPECT_FALSE(ctx().presync_snapshot_failed);
  ASSERT_TRUE(sync()) << sync().error().description();
  EXPECT_EQ((*sts())["spec"]["replicas"], 0);
}

TEST_F(StatefulSetPresyncTest, ProceedsAfterThreeFailedAttempts) {
  hibernating_cluster();
  ASSERT_FALSE(pre_sync());
  set_task_state(kHibernation0, "Failed");
  expect_requeue(pre_sync(), Operation::kPreSync, "etcd-main-presync-snapshot-hibernation-1");
  ASSERT_TRUE(task("etcd-main-presync-snapshot-hibernation-1"));
  set_task_state("etcd-main-presync-snapshot-hibernation-1", "Rejected");
  expect_requeue(pre_sync(), Operation::kPreSync, "etcd-main-presync-snapshot-hibernation-2");
  set_task_state("etcd-main-presync-snapshot-hibernation-2", "Failed");
  env_.cluster().controls().reset_counts();
  ASSERT_TRUE(pre_sync()) << pre_sync().error().description();
  EXPECT_TRUE(ctx().presync_snapshot_failed);
  EXPECT_EQ(count("create", "etcdopstasks"), 0);
  EXPECT_FALSE(task("etcd-main-presync-snapshot-hibernation-3"));
}

TEST_F(StatefulSetPresyncTest, NothingWithoutBackupStore) {
  create(test::base_etcd_json(3));
  ASSERT_TRUE(sync());
  etcd().spec.replicas = 0;
  ASSERT_TRUE(pre_sync());
  EXPECT_FALSE(task(kHibernation0));
}

TEST_F(StatefulSetPresyncTest, NothingWhenTheStatefulSetIsAlreadyAtZeroOrAbsent) {
  create(with_store(test::base_etcd_json(0)));
  ASSERT_TRUE(pre_sync());  // no StatefulSet yet
  ASSERT_TRUE(sync());
  ASSERT_EQ((*sts())["spec"]["replicas"], 0);
  ASSERT_TRUE(pre_sync());
  EXPECT_FALSE(task(kHibernation0));
  EXPECT_EQ(count("create", "etcdopstasks"), 0);
}

TEST_F(StatefulSetPresyncTest, UpgradeSnapshotOnlyWithTheGateAndANewImage) {
  create(with_store(test::base_etcd_json(3)));
  ASSERT_TRUE(sync());  // etcd-wrapper (gate off)
  ASSERT_TRUE(pre_sync());
  env_.settings().feature_gates.upgrade_etcd_version = true;  // now etcd-wrapper-next
  expect_requeue(pre_sync(), Operation::kPreSync, "etcd-main-presync-snapshot-upgrade-0");
  ASSERT_TRUE(task("etcd-main-presync-snapshot-upgrade-0"));
  set_task_state("etcd-main-presync-snapshot-upgrade-0", "Succeeded");
  ASSERT_TRUE(pre_sync());
  ASSERT_TRUE(sync());
  // The StatefulSet runs the new image: no further snapshot.
  ASSERT_TRUE(client().remove(api::resources::kEtcdOpsTasks, kTestNamespace,
                              "etcd-main-presync-snapshot-upgrade-0"));
  ASSERT_TRUE(pre_sync());
  EXPECT_FALSE(task("etcd-main-presync-snapshot-upgrade-0"));
}

TEST_F(StatefulSetPresyncTest, ListErrorIsErrGetEtcdOpsTask) {
  hibernating_cluster();
  env_.cluster().controls().fail_next("list", "etcdopstasks", 500);
  expect_error(pre_sync(), error_code::kGetEtcdOpsTask, Operation::kPreSync);
}

TEST_F(StatefulSetPresyncTest, CreateErrorIsErrCreateEtcdOpsTask) {
  hibernating_cluster();
  env_.cluster().controls().fail_next("create", "etcdopstasks", 500);
  expect_error(pre_sync(), error_code::kCreateEtcdOpsTask, Operation::kPreSync);
  EXPECT_FALSE(task(kHibernation0));
}

TEST_F(StatefulSetPresyncTest, StatefulSetReadErrorIsErrGetStatefulSet) {
  hibernating_cluster();
  env_.cluster().controls().fail_next("get", "statefulsets", 500);
  expect_error(pre_sync(), error_code::kGetStatefulSet, Operation::kPreSync);
}

// --- orphan adoption and selector change (upstream's Sync) --------------------

TEST_F(StatefulSetComponentTest, OrphanedPodsAreAdoptedAtTheSizeOfTheMembers) {
  create(test::base_etcd_json(3));
  mark_reconciled(2);
  create_pod(0);
  create_pod(1);
  expect_requeue(sync(), Operation::kSync, "previous replicas");
  ASSERT_TRUE(sts());
  EXPECT_EQ((*sts())["spec"]["replicas"], 2);
}

TEST_F(StatefulSetComponentTest, ReconciledBeforeWithoutPodsCreatesNormally) {
  create(test::base_etcd_json(3));
  mark_reconciled(3);
  ASSERT_TRUE(sync()) << sync().error().description();
  EXPECT_EQ((*sts())["spec"]["replicas"], 3);
}

TEST_F(StatefulSetComponentTest, PodListErrorIsErrSyncStatefulSet) {
  create(test::base_etcd_json(3));
  mark_reconciled(3);
  env_.cluster().controls().fail_next("list", "pods", 500);
  expect_error(sync(), error_code::kSyncStatefulSet, Operation::kSync);
}

TEST_F(StatefulSetComponentTest, OutdatedSelectorOrphanDeletesTheStatefulSet) {
  create(test::base_etcd_json(3));
  auto old = built(3);
  old["spec"]["selector"]["matchLabels"][api::kComponentLabelKey] =
      api::component_label::kStatefulSet;
  create_object(kube::resources::kStatefulSets, without_nulls(old));
  const auto sts_uid = (*sts())["metadata"]["uid"];
  create_pod(0, json::array({{{"apiVersion", "apps/v1"},
                              {"kind", "StatefulSet"},
                              {"name", kTestEtcdName},
                              {"uid", sts_uid},
                              {"controller", true}}}));

  expect_requeue(sync(), Operation::kSync, "orphan deleted");
  EXPECT_FALSE(sts());
  // Orphan propagation: the pod stays, freed of its owner.
  auto pod = client().get(kube::resources::kPods, kTestNamespace, api::pod_name(etcd(), 0));
  ASSERT_TRUE(pod);
  EXPECT_FALSE((*pod)["metadata"].contains("ownerReferences") &&
               !(*pod)["metadata"]["ownerReferences"].empty());

  // The next sync recreates it and adopts the pod.
  mark_reconciled(3);
  expect_requeue(sync(), Operation::kSync, "previous replicas");
  EXPECT_EQ((*sts())["spec"]["selector"]["matchLabels"], json(api::default_labels(etcd())));
}

TEST_F(StatefulSetComponentTest, OrphanDeleteErrorIsErrSyncStatefulSet) {
  create(test::base_etcd_json(1));
  auto old = built(1);
  old["spec"]["selector"]["matchLabels"]["instance"] = kTestEtcdName;
  old["spec"]["template"]["metadata"]["labels"]["instance"] = kTestEtcdName;
  create_object(kube::resources::kStatefulSets, without_nulls(old));
  env_.cluster().controls().fail_next("delete", "statefulsets", 500);
  expect_error(sync(), error_code::kSyncStatefulSet, Operation::kSync);
  EXPECT_TRUE(sts());
}

// --- TLS changes (upstream's handleTLSChanges) --------------------------------

TEST_F(StatefulSetComponentTest, PeerTlsChangeWithPartlyReadyMembersWaitsWithoutWriting) {
  create(test::base_etcd_json(3));
  ASSERT_TRUE(sync());
  set_sts_status({{"replicas", 3}, {"readyReplicas", 1}});
  auto changed = with_peer_tls(test::base_etcd_json(3));
  etcd().spec.etcd.peer_url_tls = test::decode(changed).spec.etcd.peer_url_tls;
  env_.cluster().controls().reset_counts();
  expect_requeue(sync(), Operation::kSync, "Not all etcd cluster members are ready");
  EXPECT_EQ(env_.cluster().controls().write_count(), 0);
  EXPECT_TRUE(peer_tls_volume_mounts(*sts()).empty());
}

TEST_F(StatefulSetComponentTest, SafeTlsChangePatchesTheTemplateKeepingReplicasAndImmutables) {
  create(test::base_etcd_json(3));
  ASSERT_TRUE(sync());
  set_sts_status({{"replicas", 3}, {"readyReplicas", 3}});
  const auto before = *sts();
  // Peer TLS, a scale-out and a bigger volume at once: only the template may
  // change now (volumeClaimTemplates is immutable; the server would refuse).
  etcd().spec.etcd.peer_url_tls =
      test::decode(with_peer_tls(test::base_etcd_json(3))).spec.etcd.peer_url_tls;
  etcd().spec.replicas = 5;
  etcd().spec.storage_capacity = api::IntOrString("32Gi");
  env_.cluster().controls().reset_counts();
  expect_requeue(sync(), Operation::kSync, "Updated TLS config");
  EXPECT_EQ(count("patch", "statefulsets"), 1);
  const auto after = *sts();
  EXPECT_EQ(after["spec"]["replicas"], 3);
  EXPECT_EQ(peer_tls_volume_mounts(after).size(), 2u);
  EXPECT_EQ(after["spec"]["volumeClaimTemplates"], before["spec"]["volumeClaimTemplates"]);
  EXPECT_EQ(after["spec"]["selector"], before["spec"]["selector"]);
}

TEST_F(StatefulSetComponentTest, TlsChangeOfASingleMemberIsAlwaysPatched) {
  create(test::base_etcd_json(1));
  ASSERT_TRUE(sync());
  set_sts_status({{"replicas", 1}, {"readyReplicas", 0}});
  auto changed = test::base_etcd_json(1);
  test::add_client_tls(changed);
  etcd().spec.etcd.client_url_tls = test::decode(changed).spec.etcd.client_url_tls;
  expect_requeue(sync(), Operation::kSync, "Updated TLS config");
  EXPECT_FALSE(tls_volume_mounts(*sts(), "etcd").empty());
}

TEST_F(StatefulSetComponentTest, TlsPatchErrorIsErrSyncStatefulSet) {
  create(test::base_etcd_json(3));
  ASSERT_TRUE(sync());
  etcd().spec.etcd.peer_url_tls =
      test::decode(with_peer_tls(test::base_etcd_json(3))).spec.etcd.peer_url_tls;
  env_.cluster().controls().fail_next("patch", "statefulsets", 500);
  expect_error(sync(), error_code::kSyncStatefulSet, Operation::kSync);
}

TEST_F(StatefulSetComponentTest, PeerTlsInSyncWaitsForEveryMemberLease) {
  create(with_peer_tls(test::base_etcd_json(3)));
  ASSERT_TRUE(sync());
  create_member_lease(0, "true");
  create_member_lease(1, std::nullopt);
  create_member_lease(2, "false");
  env_.cluster().controls().reset_counts();
  expect_requeue(sync(), Operation::kSync, "Peer URL TLS not enabled for #3 members");
  EXPECT_EQ(env_.cluster().controls().write_count(), 0);

  for (int i : {1, 2}) {
    ASSERT_TRUE(
        client().patch(kube::resources::kLeases, kTestNamespace, api::member_lease_name(etcd(), i),
                       kube::PatchType::kMerge,
                       {{"metadata", {{"annotations", {{api::kTlsEnabledAnnotation, "true"}}}}}}));
  }
  EXPECT_TRUE(sync()) << sync().error().description();
}

TEST_F(StatefulSetComponentTest, LeasesOfOtherOwnersAreNotAsked) {
  create(with_peer_tls(test::base_etcd_json(1)));
  ASSERT_TRUE(sync());
  create_object(
      kube::resources::kLeases,
      {{"apiVersion", "coordination.k8s.io/v1"},
       {"kind", "Lease"},
       {"metadata", {{"name", api::member_lease_name(etcd(), 0)}, {"namespace", kTestNamespace}}},
       {"spec", json::object()}});
  EXPECT_TRUE(sync()) << sync().error().description();
}

TEST_F(StatefulSetComponentTest, WithoutPeerTlsLeasesMustNotReportTls) {
  create(test::base_etcd_json(3));
  ASSERT_TRUE(sync());
  create_member_lease(0, "true");
  expect_requeue(sync(), Operation::kSync, "Peer URL TLS not enabled");
}

TEST_F(StatefulSetComponentTest, UnparsableLeaseAnnotationIsErrSyncStatefulSet) {
  create(with_peer_tls(test::base_etcd_json(1)));
  ASSERT_TRUE(sync());
  create_member_lease(0, "maybe");
  expect_error(sync(), error_code::kSyncStatefulSet, Operation::kSync);
}

TEST_F(StatefulSetComponentTest, LeaseListErrorIsErrSyncStatefulSet) {
  create(test::base_etcd_json(1));
  ASSERT_TRUE(sync());
  env_.cluster().controls().fail_next("list", "leases", 500);
  expect_error(sync(), error_code::kSyncStatefulSet, Operation::kSync);
}

TEST_F(StatefulSetComponentTest, HibernatedClusterSkipsTheTlsChecks) {
  create(with_peer_tls(test::base_etcd_json(3)));
  ASSERT_TRUE(sync());
  create_member_lease(0, std::nullopt);
  etcd().spec.replicas = 0;
  ASSERT_TRUE(sync()) << sync().error().description();
  EXPECT_EQ((*sts())["spec"]["replicas"], 0);
}

// --- injected API errors ------------------------------------------------------

TEST_F(StatefulSetComponentTest, GetErrorInExistingNamesIsErrGetStatefulSet) {
  create(test::base_etcd_json(1));
  env_.cluster().controls().fail_next("get", "statefulsets", 500);
  auto names = component_->existing_names(ctx());
  ASSERT_FALSE(names);
  EXPECT_EQ(names.error().code, error_code::kGetStatefulSet);
  EXPECT_EQ(names.error().operation, Operation::kGetExistingResourceNames);
}

TEST_F(StatefulSetComponentTest, GetErrorInSyncIsErrSyncStatefulSet) {
  create(test::base_etcd_json(1));
  env_.cluster().controls().fail_next("get", "statefulsets", 500);
  expect_error(sync(), error_code::kSyncStatefulSet, Operation::kSync);
}

TEST_F(StatefulSetComponentTest, CreateErrorIsErrSyncStatefulSet) {
  create(test::base_etcd_json(1));
  env_.cluster().controls().fail_next("create", "statefulsets", 500);
  const auto outcome = sync();
  expect_error(outcome, error_code::kSyncStatefulSet, Operation::kSync);
  EXPECT_NE(outcome.error().message.find("shoot--dev--test/etcd-main"), std::string::npos);
  EXPECT_FALSE(sts());
}

TEST_F(StatefulSetComponentTest, PatchErrorIsErrSyncStatefulSet) {
  create(test::base_etcd_json(1));
  ASSERT_TRUE(sync());
  etcd().spec.labels["new"] = "label";
  env_.cluster().controls().fail_next("patch", "statefulsets", 500);
  expect_error(sync(), error_code::kSyncStatefulSet, Operation::kSync);
}

TEST_F(StatefulSetComponentTest, DeleteErrorIsErrDeleteStatefulSet) {
  create(test::base_etcd_json(1));
  ASSERT_TRUE(sync());
  env_.cluster().controls().fail_next("delete", "statefulsets", 500);
  expect_error(component_->trigger_delete(ctx()), error_code::kDeleteStatefulSet,
               Operation::kTriggerDelete);
  EXPECT_TRUE(sts());
}

TEST_F(StatefulSetComponentTest, MissingImageIsErrGetEtcdWrapperImage) {
  create(test::base_etcd_json(1));
  const api::ImageVector empty;
  Context without_images{client(), env_.reader(), env_.settings(), empty, etcd()};
  without_images.configmap_checksum = kChecksum;
  expect_error(component_->sync(without_images), error_code::kGetEtcdWrapperImage,
               Operation::kSync);
  EXPECT_FALSE(sts());
}

}  // namespace
}  // namespace druid::component
