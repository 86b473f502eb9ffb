// druid-pod-runtime against the in-process test API server: a StatefulSet
// whose container is a small Python HTTP server becomes a Running, Ready pod
// in its own network namespace; scaling, pod deletion, a crashed container and
// the runtime's shutdown behave as with a kubelet. Needs root and network
// namespaces; skipped otherwise.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "kube/http_transport.hpp"
#include "localenv/pod_runtime/system_command.hpp"
#include "operator/child_process.hpp"
#include "support/eventually.hpp"
#include "support/live_server.hpp"

namespace druid::localenv {
namespace {

namespace fs = std::filesystem;
using kube::test::eventually;
using nlohmann::json;
using operator_::test::ChildProcess;
using operator_::test::TempDir;
using namespace std::chrono_literals;

std::string skip_reason() {
  if (geteuid() != 0) return "needs root (network namespaces, mounts, chroot)";
  if (!fs::exists("/usr/bin/python3")) return "needs /usr/bin/python3 for the pod's server";
  const std::string probe = "prtprobe" + std::to_string(getpid() % 100000);
  const auto added = run_command({"ip", "netns", "add", probe});
  run_command({"ip", "netns", "del", probe});
  if (!added.ok()) return "ip netns add fails here: " + added.output;
  return {};
}

json statefulset(int replicas) {
  const std::string script =
      "echo started >> /data/starts; exec python3 -m http.server 8080 --directory /data";
  return {
      {"apiVersion", "apps/v1"},
      {"kind", "StatefulSet"},
      {"metadata",
       {{"name", "web"},
        {"namespace", "default"},
        {"labels", {{"app.kubernetes.io/managed-by", "etcd-druid"}}}}},
      {"spec",
       {{"replicas", replicas},
        {"serviceName", "web-peer"},
        {"podManagementPolicy", "Parallel"},
        {"selector", {{"matchLabels", {{"app", "web"}}}}},
        {"updateStrategy", {{"type", "RollingUpdate"}}},
        {"template",
         {{"metadata", {{"labels", {{"app", "web"}}}}},
          {"spec",
           {{"terminationGracePeriodSeconds", 2},
            {"initContainers",
             json::array(
                 {{{"name", "init"},
                   {"image", "europe-docker.pkg.dev/gardener-project/public/3rd/alpine"},
                   {"command", {"sh", "-c", "echo $POD_NAME > /data/name"}},
                   {"env", json::array({{{"name", "POD_NAME"},
                                         {"valueFrom",
                                          {{"fieldRef", {{"fieldPath", "metadata.name"}}}}}}})},
                   {"volumeMounts", json::array({{{"name", "data"}, {"mountPath", "/data"}}})}}})},
            {"containers",
             json::array({{{"name", "server"},
                           {"image", "busybox"},
                           {"command", {"sh", "-c", script}},
                           {"readinessProbe",
                            {{"httpGet", {{"path", "/name"}, {"port", 8080}}},
                             {"initialDelaySeconds", 15},
                             {"periodSeconds", 1}}},
                           {"volumeMounts",
                            json::array({{{"name", "data"}, {"mountPath", "/data"}}})}}})}}}}},
        {"volumeClaimTemplates",
         json::array({{{"metadata", {{"name", "data"}}},
                       {"spec",
                        {{"accessModes", {"ReadWriteOnce"}},
                         {"resources", {{"requests", {{"storage", "1Gi"}}}}}}}}})}}}};
}

class PodRuntimeIntegration : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto reason = skip_reason();
    if (!reason.empty()) GTEST_SKIP() << reason;
    binary_ = fs::read_symlink("/proc/self/exe").parent_path() / "druid-pod-runtime";
    if (!fs::exists(binary_)) GTEST_SKIP() << "druid-pod-runtime is not built next to the tests";
    prefix_ = "prt" + std::to_string(getpid() % 100000);
    live_.server().write_kubeconfig(dir_.path() / "kubeconfig");
  }
  void TearDown() override {
    if (!prefix_.empty()) {
      run_command({binary_.string(), "--once-cleanup", "--name-prefix", prefix_, "--state-dir",
                   state_dir().string()});
    }
  }

  fs::path state_dir() const { return dir_.path() / "state"; }
  std::unique_ptr<ChildProcess> start_runtime() {
    // A CIDR of its own per test process, so parallel runs do not collide.
    const int subnet = 100 + getpid() % 150;
    return std::make_unique<ChildProcess>(
        binary_.string(),
        std::vector<std::string>{"--kubeconfig", (dir_.path() / "kubeconfig").string(),
                                 "--state-dir", state_dir().string(), "--name-prefix", prefix_,
                                 "--pod-cidr", "10.216." + std::to_string(subnet) + ".0/24",
                                 "--probe-initial-delay-cap", "0s", "--termination-grace-cap",
                                 "3s"},
        std::map<std::string, std::string>{}, dir_.path());
  }
  std::optional<json> get(const util::ResourceType& type, const std::string& name) {
    auto got = live_.client().get(type, "default", name);
    if (!got) return std::nullopt;
    return *got;
  }
  bool owned_leftovers() {
    const auto netns = run_command({"ip", "netns", "list"}).output;
    const auto links = run_command({"ip", "-o", "link", "show"}).output;
    return netns.find(prefix_ + "-") != std::string::npos ||
           links.find(prefix_ + "-") != std::string::npos;
  }

  kube::test::LiveServer live_;
  TempDir dir_;
  fs::path binary_;
  std::string prefix_;
};

bool ready(const std::optional<json>& pod) {
  if (!pod) return false;
  for (const auto& c : pod->value(json::json_pointer("/status/conditions"), json::array())) {
    if (c.value("type", "") == "Ready") return c.value("status", "") == "True";
  }
  return false;
}

TEST_F(PodRuntimeIntegration, RunsScalesRecreatesRestartsAndCleansUp) {
  auto runtime = start_runtime();
  ASSERT_TRUE(live_.client().create(kube::resources::kStatefulSets, "default", statefulset(1)));

  // Running and Ready, PVC Bound, IP set, StatefulSet status.
  ASSERT_TRUE(eventually([&] { return ready(get(kube::resources::kPods, "web-0")); }, 60s))
      << runtime->stdout_text() << runtime->stderr_text();
  const auto pod = *get(kube::resources::kPods, "web-0");
  EXPECT_EQ(pod["status"]["phase"], "Running");
  const std::string ip = pod["status"]["podIP"];
  EXPECT_FALSE(ip.empty());
  EXPECT_EQ(pod["status"]["containerStatuses"][0]["restartCount"], 0);
  EXPECT_EQ(pod["status"]["initContainerStatuses"][0]["state"]["terminated"]["reason"],
            "Completed");
  EXPECT_EQ(pod["spec"]["hostname"], "web-0");
  EXPECT_EQ(pod["spec"]["subdomain"], "web-peer");
  ASSERT_TRUE(eventually(
      [&] {
        const auto claim = get(kube::resources::kPersistentVolumeClaims, "data-web-0");
        return claim && claim->value(json::json_pointer("/status/phase"), "") == "Bound";
      },
      10s));
  ASSERT_TRUE(eventually(
      [&] {
        const auto sts = get(kube::resources::kStatefulSets, "web");
        return sts && sts->value(json::json_pointer("/status/readyReplicas"), 0) == 1;
      },
      10s));
  const auto sts = *get(kube::resources::kStatefulSets, "web");
  EXPECT_EQ(sts["status"]["replicas"], 1);
  EXPECT_EQ(sts["status"]["updatedReplicas"], 1);
  EXPECT_EQ(sts["status"]["currentReplicas"], 1);
  EXPECT_EQ(sts["status"]["currentRevision"], sts["status"]["updateRevision"]);
  EXPECT_EQ(pod["metadata"]["labels"]["controller-revision-hash"], sts["status"]["updateRevision"]);

  // The pod answers from the host, over the bridge.
  kube::HttpTransport http(kube::TlsConfig{}, 5s, "test");
  const auto answer = http.perform({"GET", "http://" + ip + ":8080/name", {}, {}, 5s, nullptr, {}});
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(answer->body, "web-0\n");
  const fs::path claim_dir = state_dir() / "pvcs" / "default" / "data-web-0";
  EXPECT_TRUE(fs::exists(claim_dir / "name"));

  // Scale to 2.
  ASSERT_TRUE(live_.client().patch(kube::resources::kStatefulSets, "default", "web",
                                   kube::PatchType::kMerge, {{"spec", {{"replicas", 2}}}}));
  ASSERT_TRUE(eventually([&] { return ready(get(kube::resources::kPods, "web-1")); }, 60s));

  // Delete a pod: recreated (new uid), same claim directory.
  const std::string old_uid = get(kube::resources::kPods, "web-0")->at("metadata").at("uid");
  ASSERT_TRUE(live_.client().remove(kube::resources::kPods, "default", "web-0"));
  ASSERT_TRUE(eventually(
      [&] {
        const auto p = get(kube::resources::kPods, "web-0");
        return p && p->at("metadata").value("uid", "") != old_uid && ready(p);
      },
      60s));
  std::ifstream starts(claim_dir / "starts");
  int lines = 0;
  for (std::string line; std::getline(starts, line);) ++lines;
  EXPECT_EQ(lines, 2);  // the same directory saw both pods

  // Kill the container's process: restarted, restartCount 1.
  std::ifstream pid_file(state_dir() / "pods" / "default" / "web-1" / "server.pid");
  pid_t pid = 0;
  pid_file >> pid;
  ASSERT_GT(pid, 1);
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  ASSERT_TRUE(eventually(
      [&] {
        const auto p = get(kube::resources::kPods, "web-1");
        return p &&
               p->value(json::json_pointer("/status/containerStatuses/0/restartCount"), 0) == 1;
      },
      20s));
  EXPECT_TRUE(eventually([&] { return ready(get(kube::resources::kPods, "web-1")); }, 30s));

  // SIGTERM: everything goes away.
  runtime->signal(SIGTERM);
  ASSERT_EQ(runtime->wait(30s), 0) << runtime->stdout_text() << runtime->stderr_text();
  EXPECT_FALSE(owned_leftovers());
  EXPECT_NE(runtime->stdout_text().find("pod default/web-0 ready"), std::string::npos);
}

TEST_F(PodRuntimeIntegration, RemovesLeftoversOfAKilledInstance) {
  auto runtime = start_runtime();
  ASSERT_TRUE(live_.client().create(kube::resources::kStatefulSets, "default", statefulset(1)));
  ASSERT_TRUE(eventually([&] { return ready(get(kube::resources::kPods, "web-0")); }, 60s));
  runtime->signal(SIGKILL);
  runtime->wait(10s);
  EXPECT_TRUE(owned_leftovers());
  const auto cleanup = run_command({binary_.string(), "--once-cleanup", "--name-prefix", prefix_,
                                    "--state-dir", state_dir().string()});
  EXPECT_TRUE(cleanup.ok()) << cleanup.output;
  EXPECT_FALSE(owned_leftovers());
}

// A pod created for a StatefulSet that was deleted meanwhile (from a cache
// that still held it) is collected, as Kubernetes' garbage collector would;
// pods of other owners are not the runtime's business.
TEST_F(PodRuntimeIntegration, PodsOfAGoneStatefulSetAreCollected) {
  auto runtime = start_runtime();
  ASSERT_TRUE(live_.client().create(kube::resources::kStatefulSets, "default", statefulset(1)));
  ASSERT_TRUE(eventually([&] { return get(kube::resources::kPods, "web-0").has_value(); }, 30s));
  const std::string sts_uid = get(kube::resources::kStatefulSets, "web")->at("metadata").at("uid");

  const auto pod = [](const std::string& name, const std::string& owner, const std::string& uid,
                      bool managed) {
    json labels = json::object();
    if (managed) labels["app.kubernetes.io/managed-by"] = "etcd-druid";
    return json{{"apiVersion", "v1"},
                {"kind", "Pod"},
                {"metadata",
                 {{"name", name},
                  {"namespace", "default"},
                  {"labels", labels},
                  {"ownerReferences", json::array({{{"apiVersion", "apps/v1"},
                                                    {"kind", "StatefulSet"},
                                                    {"name", owner},
                                                    {"uid", uid},
                                                    {"controller", true}}})}}},
                {"spec", {{"containers", json::array({{{"name", "c"}, {"image", "busybox"}}})}}}};
  };
  // Owner never existed; owner's name exists with another UID; not druid's.
  ASSERT_TRUE(live_.client().create(kube::resources::kPods, "default",
                                    pod("stray-a", "web-old", "uid-of-a-gone-sts", true)));
  ASSERT_TRUE(live_.client().create(kube::resources::kPods, "default",
                                    pod("stray-b", "web", "uid-of-an-earlier-web", true)));
  ASSERT_TRUE(live_.client().create(kube::resources::kPods, "default",
                                    pod("foreign", "other", "uid-of-a-foreign-sts", false)));
  EXPECT_TRUE(eventually(
      [&] {
        return !get(kube::resources::kPods, "stray-a") && !get(kube::resources::kPods, "stray-b");
      },
      20s))
      << runtime->stdout_text();
  EXPECT_NE(runtime->stdout_text().find("pod default/stray-a deleted: its StatefulSet web-old"),
            std::string::npos)
      << runtime->stdout_text();
  EXPECT_TRUE(get(kube::resources::kPods, "foreign").has_value());
  const auto kept = get(kube::resources::kPods, "web-0");
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->at("metadata").at("ownerReferences")[0].value("uid", ""), sts_uid);
}

}  // namespace
}  // namespace druid::localenv
