// The pure parts of druid-pod-runtime: revisions, the StatefulSet controller's
// decisions and status, hosts files, volume mapping, IP allocation, back-off.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "localenv/pod_runtime/hosts_file.hpp"
#include "localenv/pod_runtime/ip_allocator.hpp"
#include "localenv/pod_runtime/pod_status.hpp"
#include "localenv/pod_runtime/restart_backoff.hpp"
#include "localenv/pod_runtime/revision.hpp"
#include "localenv/pod_runtime/statefulset_plan.hpp"
#include "localenv/pod_runtime/volume_plan.hpp"

namespace druid::localenv {
namespace {

using nlohmann::json;

json statefulset(int replicas, const std::string& image = "img:1") {
  return {{"metadata", {{"name", "etcd"}, {"namespace", "ns"}, {"uid", "u1"}, {"generation", 3}}},
          {"spec",
           {{"replicas", replicas},
            {"serviceName", "etcd-peer"},
            {"podManagementPolicy", "Parallel"},
            {"selector", {{"matchLabels", {{"app", "etcd"}}}}},
            {"updateStrategy", {{"type", "RollingUpdate"}}},
            {"template",
             {{"metadata", {{"labels", {{"app", "etcd"}}}, {"annotations", {{"a", "b"}}}}},
              {"spec", {{"containers", json::array({{{"name", "etcd"}, {"image", image}}})}}}}},
            {"volumeClaimTemplates",
             json::array({{{"metadata", {{"name", "data"}}},
                           {"spec", {{"accessModes", json::array({"ReadWriteOnce"})}}}}})}}}};
}

json pod(const json& sts, int ordinal, const std::string& revision, bool ready,
         bool terminating = false) {
  auto p = desired_pod(sts, ordinal, revision);
  p["status"] = {
      {"phase", "Running"},
      {"conditions", json::array({{{"type", "Ready"}, {"status", ready ? "True" : "False"}}})}};
  if (terminating) p["metadata"]["deletionTimestamp"] = "2024-01-01T00:00:00Z";
  return p;
}

TEST(PodRuntimeRevision, StableForTheSameTemplateAndDifferentOtherwise) {
  const auto a = statefulset(3);
  auto b = statefulset(5);  // replicas are not part of the template
  EXPECT_EQ(update_revision(a), update_revision(b));
  EXPECT_EQ(update_revision(a), update_revision(json::parse(a.dump())));
  EXPECT_NE(update_revision(a), update_revision(statefulset(3, "img:2")));
  EXPECT_EQ(update_revision(a).rfind("etcd-", 0), 0u);
  EXPECT_EQ(update_revision(a).size(), std::string("etcd-").size() + 10);
}

TEST(PodRuntimeStatefulSet, DesiredPodCarriesLabelsOwnerHostnameAndClaims) {
  const auto sts = statefulset(3);
  const auto p = desired_pod(sts, 2, "etcd-rev");
  EXPECT_EQ(p["metadata"]["name"], "etcd-2");
  EXPECT_EQ(p["metadata"]["labels"]["app"], "etcd");
  EXPECT_EQ(p["metadata"]["labels"]["controller-revision-hash"], "etcd-rev");
  EXPECT_EQ(p["metadata"]["labels"]["statefulset.kubernetes.io/pod-name"], "etcd-2");
  EXPECT_EQ(p["metadata"]["labels"]["apps.kubernetes.io/pod-index"], "2");
  EXPECT_EQ(p["metadata"]["annotations"]["a"], "b");
  EXPECT_EQ(p["metadata"]["ownerReferences"][0]["uid"], "u1");
  EXPECT_EQ(p["metadata"]["ownerReferences"][0]["controller"], true);
  EXPECT_EQ(p["metadata"]["ownerReferences"][0]["blockOwnerDeletion"], true);
  EXPECT_EQ(p["spec"]["hostname"], "etcd-2");
  EXPECT_EQ(p["spec"]["subdomain"], "etcd-peer");
  EXPECT_EQ(p["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"], "data-etcd-2");
  const auto claim = desired_claim(sts, sts["spec"]["volumeClaimTemplates"][0], 2);
  EXPECT_EQ(claim["metadata"]["name"], "data-etcd-2");
  EXPECT_EQ(claim["metadata"]["labels"]["app"], "etcd");
}

TEST(PodRuntimeStatefulSet, ParallelCreatesEveryMissingPodAndReportsStatus) {
  const auto sts = statefulset(3);
  const auto rev = update_revision(sts);
  const auto plan = plan_statefulset(sts, {pod(sts, 1, rev, true)});
  EXPECT_EQ(plan.create, (std::vector<int>{0, 2}));
  EXPECT_TRUE(plan.delete_pods.empty());
  EXPECT_EQ(plan.status["replicas"], 1);
  EXPECT_EQ(plan.status["readyReplicas"], 1);
  EXPECT_EQ(plan.status["availableReplicas"], 1);
  EXPECT_EQ(plan.status["updatedReplicas"], 1);
  EXPECT_EQ(plan.status["currentReplicas"], 1);
  EXPECT_EQ(plan.status["currentRevision"], rev);
  EXPECT_EQ(plan.status["updateRevision"], rev);
  EXPECT_EQ(plan.status["observedGeneration"], 3);
}

TEST(PodRuntimeStatefulSet, OrderedReadyCreatesOneAtATime) {
  auto sts = statefulset(3);
  sts["spec"]["podManagementPolicy"] = "OrderedReady";
  const auto rev = update_revision(sts);
  EXPECT_EQ(plan_statefulset(sts, {}).create, (std::vector<int>{0}));
  EXPECT_TRUE(plan_statefulset(sts, {pod(sts, 0, rev, false)}).create.empty());
  EXPECT_EQ(plan_statefulset(sts, {pod(sts, 0, rev, true)}).create, (std::vector<int>{1}));
}

TEST(PodRuntimeStatefulSet, ScaleDownDeletesHighestOrdinalsFirst) {
  const auto sts = statefulset(1);
  const auto rev = update_revision(sts);
  const auto plan = plan_statefulset(
      sts, {pod(sts, 0, rev, true), pod(sts, 1, rev, true), pod(sts, 2, rev, true)});
  EXPECT_EQ(plan.delete_pods, (std::vector<std::string>{"etcd-2", "etcd-1"}));
  EXPECT_FALSE(plan.rolling_update_delete);
}

TEST(PodRuntimeStatefulSet, RollingUpdateDeletesHighestOutdatedAsKubernetesDoes) {
  const auto old_sts = statefulset(3, "img:1");
  const auto sts = statefulset(3, "img:2");
  const auto old_rev = update_revision(old_sts), new_rev = update_revision(sts);
  auto with_status = sts;
  with_status["status"]["currentRevision"] = old_rev;
  // All old and ready: the highest ordinal goes first.
  auto plan = plan_statefulset(with_status, {pod(sts, 0, old_rev, true), pod(sts, 1, old_rev, true),
                                             pod(sts, 2, old_rev, true)});
  EXPECT_EQ(plan.delete_pods, (std::vector<std::string>{"etcd-2"}));
  EXPECT_TRUE(plan.rolling_update_delete);
  EXPECT_EQ(plan.status["currentRevision"], old_rev);
  EXPECT_EQ(plan.status["currentReplicas"], 3);
  EXPECT_EQ(plan.status["updatedReplicas"], 0);
  // The updated pod is not ready yet: nothing is deleted.
  plan = plan_statefulset(with_status, {pod(sts, 0, old_rev, true), pod(sts, 1, old_rev, true),
                                        pod(sts, 2, new_rev, false)});
  EXPECT_TRUE(plan.delete_pods.empty());
  // A terminating pod blocks as well.
  plan = plan_statefulset(with_status, {pod(sts, 0, old_rev, true), pod(sts, 1, old_rev, true),
                                        pod(sts, 2, old_rev, true, true)});
  EXPECT_TRUE(plan.delete_pods.empty());
  // Next: ordinal 1.
  plan = plan_statefulset(with_status, {pod(sts, 0, old_rev, true), pod(sts, 1, old_rev, true),
                                        pod(sts, 2, new_rev, true)});
  EXPECT_EQ(plan.delete_pods, (std::vector<std::string>{"etcd-1"}));
  // Blind to lower ordinals, as Kubernetes: with etcd-0 not ready the highest
  // outdated pod is deleted all the same (etcd-druid#588).
  plan = plan_statefulset(with_status, {pod(sts, 0, old_rev, false), pod(sts, 1, old_rev, true),
                                        pod(sts, 2, old_rev, true)});
  EXPECT_EQ(plan.delete_pods, (std::vector<std::string>{"etcd-2"}));
  // ... and an unhealthy outdated pod at the top is replaced too.
  plan = plan_statefulset(with_status, {pod(sts, 0, new_rev, true), pod(sts, 1, new_rev, true),
                                        pod(sts, 2, old_rev, false)});
  EXPECT_EQ(plan.delete_pods, (std::vector<std::string>{"etcd-2"}));
  // Done: the current revision is promoted.
  plan = plan_statefulset(with_status, {pod(sts, 0, new_rev, true), pod(sts, 1, new_rev, true),
                                        pod(sts, 2, new_rev, true)});
  EXPECT_TRUE(plan.delete_pods.empty());
  EXPECT_EQ(plan.status["currentRevision"], new_rev);
  EXPECT_EQ(plan.status["currentReplicas"], 3);
}

TEST(PodRuntimeStatefulSet, PartitionKeepsLowerOrdinals) {
  auto sts = statefulset(3, "img:2");
  sts["spec"]["updateStrategy"]["rollingUpdate"]["partition"] = 2;
  const auto old_rev = update_revision(statefulset(3, "img:1"));
  const auto new_rev = update_revision(sts);
  auto plan = plan_statefulset(
      sts, {pod(sts, 0, old_rev, true), pod(sts, 1, old_rev, true), pod(sts, 2, old_rev, true)});
  EXPECT_EQ(plan.delete_pods, (std::vector<std::string>{"etcd-2"}));
  plan = plan_statefulset(
      sts, {pod(sts, 0, old_rev, true), pod(sts, 1, old_rev, true), pod(sts, 2, new_rev, true)});
  EXPECT_TRUE(plan.delete_pods.empty());
}

TEST(PodRuntimeStatefulSet, OnDeleteNeverDeletesAndNeverPromotesCurrentRevision) {
  auto sts = statefulset(2, "img:2");
  sts["spec"]["updateStrategy"] = {{"type", "OnDelete"}};
  const auto old_rev = update_revision(statefulset(2, "img:1"));
  const auto new_rev = update_revision(sts);
  sts["status"]["currentRevision"] = old_rev;
  auto plan = plan_statefulset(sts, {pod(sts, 0, old_rev, true), pod(sts, 1, old_rev, true)});
  EXPECT_TRUE(plan.delete_pods.empty());
  plan = plan_statefulset(sts, {pod(sts, 0, new_rev, true), pod(sts, 1, new_rev, true)});
  EXPECT_TRUE(plan.delete_pods.empty());
  EXPECT_EQ(plan.status["currentRevision"], old_rev);
  EXPECT_EQ(plan.status["currentReplicas"], 0);
  EXPECT_EQ(plan.status["updatedReplicas"], 2);
}

TEST(PodRuntimeStatefulSet, OrdinalsParseOnlyTheStatefulSetsPods) {
  EXPECT_EQ(ordinal_of("etcd", "etcd-0"), 0);
  EXPECT_EQ(ordinal_of("etcd", "etcd-12"), 12);
  EXPECT_EQ(ordinal_of("etcd", "etcd-main-0"), -1);
  EXPECT_EQ(ordinal_of("etcd", "etcd-01"), -1);
  EXPECT_EQ(ordinal_of("etcd", "etcd-"), -1);
}

TEST(PodRuntimeHosts, ServicesPointAtTheLowestReadyPod) {
  std::vector<HostsPod> pods = {
      {"etcd-0", "ns", "etcd-peer", "10.0.0.2", false, 0, {{"app", "etcd"}}},
      {"etcd-1", "ns", "etcd-peer", "10.0.0.3", true, 1, {{"app", "etcd"}}},
      {"etcd-2", "ns", "etcd-peer", "10.0.0.4", true, 2, {{"app", "etcd"}}}};
  const std::vector<HostsService> services = {{"etcd-client", "ns", {{"app", "etcd"}}},
                                              {"other", "ns", {{"app", "none"}}},
                                              {"headless", "ns", {}}};
  const auto aliases = json::array({{{"ip", "127.0.0.1"}, {"hostnames", {"etcd-local"}}}});
  const auto text = pod_hosts_file(pods[1], pods, services, aliases);
  EXPECT_NE(text.find("127.0.0.1\tlocalhost\n"), std::string::npos);
  EXPECT_NE(text.find("10.0.0.3\tetcd-1\n"), std::string::npos);
  EXPECT_NE(text.find("10.0.0.2\tetcd-0.etcd-peer.ns.svc etcd-0.etcd-peer.ns.svc.cluster.local\n"),
            std::string::npos);
  EXPECT_NE(
      text.find("10.0.0.3\tetcd-client.ns.svc etcd-client.ns.svc.cluster.local etcd-client.ns\n"),
      std::string::npos);
  EXPECT_NE(text.find("10.0.0.3\tetcd-client\n"), std::string::npos);
  EXPECT_EQ(text.find("other"), std::string::npos);
  EXPECT_EQ(text.find("headless"), std::string::npos);
  EXPECT_NE(text.find("127.0.0.1\tetcd-local\n"), std::string::npos);
  // No ready pod: the name is left out.
  for (auto& p : pods) p.ready = false;
  EXPECT_EQ(host_hosts_file(pods, services).find("etcd-client"), std::string::npos);
  EXPECT_NE(host_hosts_file(pods, services).find("etcd-2.etcd-peer.ns.svc"), std::string::npos);
}

TEST(PodRuntimeVolumes, EachSourceMapsToItsHostDirectory) {
  const json p = {
      {"metadata", {{"name", "etcd-0"}, {"namespace", "ns"}}},
      {"spec",
       {{"volumes",
         json::array({{{"name", "data"}, {"persistentVolumeClaim", {{"claimName", "data-etcd-0"}}}},
                      {{"name", "backup"}, {"hostPath", {{"path", "/etc/gardener/b"}}}},
                      {{"name", "scratch"}, {"emptyDir", json::object()}},
                      {{"name", "config"},
                       {"configMap",
                        {{"name", "cm"},
                         {"defaultMode", 0640},
                         {"items", json::array({{{"key", "etcd.conf.yaml"},
                                                 {"path", "etcd.conf.yaml"}}})}}}},
                      {{"name", "tls"}, {"secret", {{"secretName", "s"}}}}})}}}};
  const auto lookup = [](const std::string& kind, const std::string& name) -> std::optional<json> {
    if (kind == "ConfigMap" && name == "cm") {
      return json{{"data", {{"etcd.conf.yaml", "name: x\n"}, {"other", "y"}}}};
    }
    if (kind == "Secret" && name == "s") return json{{"data", {{"tls.crt", "Y2VydA=="}}}};
    return std::nullopt;
  };
  const auto layout = pod_layout("/state", "ns", "etcd-0");
  const auto volumes = resolve_volumes(p, layout, lookup);
  ASSERT_TRUE(volumes) << volumes.error();
  EXPECT_EQ(volumes->at("data").host_path, "/state/pvcs/ns/data-etcd-0");
  EXPECT_FALSE(volumes->at("data").fresh);
  EXPECT_EQ(volumes->at("backup").host_path, "/state/node/etc/gardener/b");
  EXPECT_EQ(volumes->at("scratch").host_path, "/state/pods/ns/etcd-0/volumes/scratch");
  EXPECT_TRUE(volumes->at("scratch").fresh);
  ASSERT_EQ(volumes->at("config").files.size(), 1u);
  EXPECT_EQ(volumes->at("config").files[0].path, "etcd.conf.yaml");
  EXPECT_EQ(volumes->at("config").files[0].content, "name: x\n");
  EXPECT_EQ(volumes->at("config").files[0].mode, 0640);
  ASSERT_EQ(volumes->at("tls").files.size(), 1u);
  EXPECT_EQ(volumes->at("tls").files[0].content, "cert");

  const json container = {
      {"volumeMounts", json::array({{{"name", "data"}, {"mountPath", "/var/etcd/data"}},
                                    {{"name", "config"}, {"mountPath", "/var/etcd/config"}}})}};
  const auto mounts = container_mounts(container, *volumes);
  ASSERT_TRUE(mounts) << mounts.error();
  ASSERT_EQ(mounts->size(), 2u);
  EXPECT_EQ((*mounts)[0].container_path, "/var/etcd/data");
  EXPECT_FALSE((*mounts)[0].read_only);
  EXPECT_TRUE((*mounts)[1].read_only);

  auto missing = p;
  missing["spec"]["volumes"][4]["secret"]["secretName"] = "nope";
  const auto failed = resolve_volumes(missing, layout, lookup);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error(), "volume \"tls\": secret \"nope\" not found");
  const auto bad_mount = container_mounts(
      json{{"volumeMounts", json::array({{{"name", "x"}, {"mountPath", "/x"}}})}}, *volumes);
  ASSERT_FALSE(bad_mount);
  EXPECT_EQ(bad_mount.error(), "volumeMount \"x\": no such volume");
}

TEST(PodRuntimeNetwork, AllocatesAfterTheBridgeAndReusesReleasedAddresses) {
  const auto cidr = parse_ipv4_cidr("10.213.0.7/24");
  ASSERT_TRUE(cidr);
  IpAllocator allocator(*cidr);
  EXPECT_EQ(allocator.bridge_ip(), "10.213.0.1");
  EXPECT_EQ(allocator.allocate(), "10.213.0.2");
  EXPECT_EQ(allocator.allocate(), "10.213.0.3");
  allocator.release("10.213.0.2");
  EXPECT_EQ(allocator.allocate(), "10.213.0.2");
  EXPECT_FALSE(allocator.reserve("10.213.0.3"));
  EXPECT_FALSE(allocator.reserve("10.213.0.255"));

  IpAllocator tiny(*parse_ipv4_cidr("10.0.0.0/30"));  // .1 bridge, .2 the only pod
  EXPECT_EQ(tiny.allocate(), "10.0.0.2");
  EXPECT_EQ(tiny.allocate(), std::nullopt);

  EXPECT_FALSE(parse_ipv4_cidr("10.0.0.0"));
  EXPECT_FALSE(parse_ipv4_cidr("10.0.0.300/24"));
  EXPECT_FALSE(parse_ipv4_cidr("10.0.0.0/31"));
  EXPECT_EQ(parse_ipv4_cidr("10.0.0.0/x").error(),
            "invalid CIDR \"10.0.0.0/x\": bad prefix length");
}

TEST(PodRuntimeRestarts, BackOffDoublesFromTenSecondsToFiveMinutes) {
  std::vector<long> seconds;
  for (int restart = 1; restart <= 8; ++restart)
    seconds.push_back(restart_backoff(restart).count());
  EXPECT_EQ(seconds, (std::vector<long>{10, 20, 40, 80, 160, 300, 300, 300}));
}

TEST(PodRuntimeStatus, PhaseConditionsAndContainerStates) {
  ConditionClock clock;
  PodObservation o;
  ObservedContainer container;
  container.name = "etcd";
  container.image = "img";
  o.containers.push_back(container);
  auto status = pod_status(o, clock, "t1");
  EXPECT_EQ(status["phase"], "Pending");
  EXPECT_EQ(status["containerStatuses"][0]["state"]["waiting"]["reason"], "ContainerCreating");
  o.initialized = true;
  o.pod_ip = "10.0.0.2";
  o.containers[0].state = ObservedContainer::State::kRunning;
  o.containers[0].started_at = "t2";
  o.containers[0].ready = true;
  status = pod_status(o, clock, "t2");
  EXPECT_EQ(status["phase"], "Running");
  EXPECT_EQ(status["podIP"], "10.0.0.2");
  EXPECT_EQ(status["conditions"][0]["lastTransitionTime"], "t1");  // PodScheduled unchanged
  EXPECT_EQ(status["conditions"][3]["type"], "Ready");
  EXPECT_EQ(status["conditions"][3]["status"], "True");
  EXPECT_EQ(status["conditions"][3]["lastTransitionTime"], "t2");
  EXPECT_EQ(status["containerStatuses"][0]["state"]["running"]["startedAt"], "t2");
  EXPECT_EQ(status["containerStatuses"][0]["started"], true);

  ReadinessTracker readiness(1, 3);
  EXPECT_TRUE(readiness.record(true));
  EXPECT_TRUE(readiness.record(false));
  EXPECT_TRUE(readiness.record(false));
  EXPECT_FALSE(readiness.record(false));
  EXPECT_TRUE(readiness.record(true));
}

}  // namespace
}  // namespace druid::localenv
