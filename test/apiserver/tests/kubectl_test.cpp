// kubectl (v1.32) driving the test API server as a user would: acceptance
// tests of the server's fidelity. Each test starts a server, writes a
// kubeconfig into a temporary directory that is also kubectl's HOME (so the
// user's ~/.kube is never read), and runs kubectl with an explicit request
// timeout.

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>

#include "apiserver/tests/fixture.hpp"
#include "support/eventually.hpp"
#include "util/base64.hpp"

namespace druid::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

bool kubectl_available() {
  return std::system("command -v kubectl >/dev/null 2>&1") == 0;
}

class KubectlTest : public ApiServerTest {
 protected:
  void SetUp() override {
    if (!kubectl_available()) GTEST_SKIP() << "kubectl is not installed";
    ApiServerTest::SetUp();
    dir_ = fs::temp_directory_path() /
           ("druid-kubectl-" + std::to_string(::getpid()) + "-" + std::to_string(server_.port()));
    fs::create_directories(dir_);
    server_.write_kubeconfig(dir_ / "kubeconfig");
  }
  void TearDown() override {
    ApiServerTest::TearDown();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  CommandResult kubectl(const std::string& args, const std::string& env = {}) {
    const std::string command = "cd '" + std::string(DRUID_SOURCE_DIR) + "' && HOME='" +
                                dir_.string() + "' KUBECONFIG='" + (dir_ / "kubeconfig").string() +
                                "' " + env + " kubectl --request-timeout=20s " + args + " 2>&1";
    CommandResult result;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) return result;
    std::array<char, 4096> buffer{};
    std::size_t n;
    while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
      result.output.append(buffer.data(), n);
    }
    const int status = ::pclose(pipe);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
  }

  fs::path write_file(const std::string& name, const std::string& content) {
    fs::path p = dir_ / name;
    std::ofstream(p) << content;
    return p;
  }

  void apply_crds_and_examples() {
    auto crds = kubectl("apply -f config/crd/");
    ASSERT_EQ(crds.exit_code, 0) << crds.output;
    auto examples = kubectl("apply -f examples/");
    ASSERT_EQ(examples.exit_code, 0) << examples.output;
  }

  // `kubectl get <what> -o json`, parsed (null and a test failure when it fails).
  json get_json(const std::string& what) {
    auto r = kubectl("get " + what + " -o json");
    EXPECT_EQ(r.exit_code, 0) << r.output;
    json object = json::parse(r.output, nullptr, false);
    EXPECT_FALSE(object.is_discarded()) << r.output;
    return object.is_discarded() ? json() : object;
  }

  static std::string base64_decoded(const json& value) {
    auto decoded = util::base64_decode(value.is_string() ? value.get<std::string>() : "");
    return decoded ? *decoded : "<not base64: " + value.dump() + ">";
  }

  static bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
  }

  fs::path dir_;
};

TEST_F(KubectlTest, ApplyCrdsThenExamples) {
  auto crds = kubectl("apply -f config/crd/");
  ASSERT_EQ(crds.exit_code, 0) << crds.output;
  EXPECT_TRUE(contains(crds.output,
                       "customresourcedefinition.apiextensions.k8s.io/etcds.druid.gardener.cloud "
                       "created"))
      << crds.output;
  auto wait = kubectl(
      "wait --for=condition=established --timeout=20s "
      "crd/etcds.druid.gardener.cloud");
  EXPECT_EQ(wait.exit_code, 0) << wait.output;
  EXPECT_TRUE(contains(wait.output, "condition met")) << wait.output;

  auto examples = kubectl("apply -f examples/");
  ASSERT_EQ(examples.exit_code, 0) << examples.output;
  EXPECT_TRUE(contains(examples.output, "etcd.druid.gardener.cloud/etcd-test created"));
  EXPECT_TRUE(contains(examples.output, "etcd.druid.gardener.cloud/etcd-main created"));
  EXPECT_TRUE(contains(examples.output,
                       "etcdopstask.druid.gardener.cloud/etcd-main-full-snapshot created"));
  auto etcd = server_.get("etcds.druid.gardener.cloud", "default", "etcd-main");
  ASSERT_TRUE(etcd);
  EXPECT_EQ((*etcd)["spec"]["replicas"], 3);
  EXPECT_TRUE((*etcd)["metadata"]["annotations"].contains(
      "kubectl.kubernetes.io/last-applied-configuration"));

  auto again = kubectl("apply -f examples/etcd-minimal.yaml");
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_TRUE(contains(again.output, "etcd.druid.gardener.cloud/etcd-test unchanged"))
      << again.output;
}

TEST_F(KubectlTest, GetEtcdWideShowsThePrinterColumns) {
  apply_crds_and_examples();
  auto etcd = *server_.get("etcds.druid.gardener.cloud", "default", "etcd-main");
  etcd["status"] = {
      {"ready", true},
      {"currentReplicas", 3},
      {"readyReplicas", 2},
      {"conditions", json::array({{{"type", "Ready"}, {"status", "True"}},
                                  {{"type", "AllMembersReady"}, {"status", "False"}},
                                  {{"type", "BackupReady"}, {"status", "Unknown"}}})}};
  ASSERT_TRUE(server_.put(etcd));
  auto r = kubectl("get etcd -owide");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output,
                       "NAME        READY   QUORATE   ALL MEMBERS READY   BACKUP READY   "
                       "CLUSTER ID MISMATCH   AGE   CLUSTER SIZE   CURRENT REPLICAS   "
                       "READY REPLICAS"))
      << r.output;
  std::istringstream lines(r.output);
  std::string line;
  std::string main_row;
  while (std::getline(lines, line)) {
    if (line.starts_with("etcd-main")) main_row = line;
  }
  std::istringstream cells(main_row);
  std::vector<std::string> values;
  for (std::string v; cells >> v;) values.push_back(v);
  // NAME READY QUORATE ALL-MEMBERS BACKUP AGE SIZE CURRENT READY (mismatch is empty)
  ASSERT_EQ(values.size(), 9u) << r.output;
  EXPECT_EQ(values[1], "true");
  EXPECT_EQ(values[2], "True");
  EXPECT_EQ(values[3], "False");
  EXPECT_EQ(values[4], "Unknown");
  EXPECT_EQ(values[6], "3");
  EXPECT_EQ(values[7], "3");
  EXPECT_EQ(values[8], "2");
}

TEST_F(KubectlTest, GetAllWithDruidSelector) {
  install_druid_crds();
  const std::string labels =
      "  labels: {app.kubernetes.io/managed-by: etcd-druid, app.kubernetes.io/part-of: "
      "etcd-main}\n";
  const std::string other =
      "  labels: {app.kubernetes.io/managed-by: etcd-druid, app.kubernetes.io/part-of: "
      "etcd-other}\n";
  auto file = write_file(
      "objects.yaml",
      "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: etcd-main\n" + labels +
          "spec:\n  replicas: 3\n  serviceName: etcd-main-peer\n  selector: {matchLabels: {app: "
          "etcd}}\n  template:\n    metadata: {labels: {app: etcd}}\n    spec: {containers: "
          "[{name: etcd, image: etcd}]}\n---\n"
          "apiVersion: v1\nkind: Service\nmetadata:\n  name: etcd-main-client\n" +
          labels +
          "spec:\n  ports: [{port: 2379}]\n---\n"
          "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: etcd-bootstrap-main\n" +
          labels +
          "data: {a: b}\n---\n"
          "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: "
          "druid.gardener.cloud:etcd:etcd-main\n" +
          labels +
          "rules: []\n---\n"
          "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: "
          "druid.gardener.cloud:etcd:etcd-main\n" +
          labels +
          "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: "
          "druid.gardener.cloud:etcd:etcd-main}\nsubjects: [{kind: ServiceAccount, name: "
          "etcd-main, namespace: default}]\n---\n"
          "apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata:\n  name: etcd-main-0\n" +
          labels +
          "spec: {holderIdentity: member-0}\n---\n"
          "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: etcd-main\n" +
          labels +
          "---\n"
          "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: etcd-bootstrap-other\n" +
          other + "data: {a: b}\n");
  auto applied = kubectl("apply -f " + file.string());
  ASSERT_EQ(applied.exit_code, 0) << applied.output;
  auto r = kubectl(
      "get all,cm,role,rolebinding,lease,sa "
      "--selector=app.kubernetes.io/managed-by=etcd-druid,app.kubernetes.io/part-of=etcd-main");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* expected :
       {"statefulset.apps/etcd-main", "service/etcd-main-client", "configmap/etcd-bootstrap-main",
        "role.rbac.authorization.k8s.io/druid.gardener.cloud:etcd:etcd-main",
        "rolebinding.rbac.authorization.k8s.io/druid.gardener.cloud:etcd:etcd-main",
        "lease.coordination.k8s.io/etcd-main-0", "serviceaccount/etcd-main"}) {
    EXPECT_TRUE(contains(r.output, expected)) << expected << "\n" << r.output;
  }
  EXPECT_FALSE(contains(r.output, "etcd-bootstrap-other")) << r.output;
  EXPECT_TRUE(contains(r.output, "member-0")) << "the lease printer shows the holder\n" << r.output;
}

TEST_F(KubectlTest, AnnotateEtcd) {
  apply_crds_and_examples();
  auto r = kubectl("annotate etcd etcd-test gardener.cloud/operation=reconcile");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "etcd.druid.gardener.cloud/etcd-test annotated")) << r.output;
  auto etcd = server_.get("etcds.druid.gardener.cloud", "default", "etcd-test");
  EXPECT_EQ((*etcd)["metadata"]["annotations"]["gardener.cloud/operation"], "reconcile");
  EXPECT_EQ((*etcd)["metadata"]["generation"], 1) << "annotations are not spec";
}

TEST_F(KubectlTest, EditEtcdWithScriptedEditor) {
  apply_crds_and_examples();
  auto editor = write_file("editor.sh", "#!/bin/sh\nsed -i 's/quota: 8Gi/quota: 16Gi/' \"$1\"\n");
  fs::permissions(editor, fs::perms::owner_all);
  auto r = kubectl("edit etcd etcd-test", "EDITOR='" + editor.string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "etcd.druid.gardener.cloud/etcd-test edited")) << r.output;
  auto etcd = server_.get("etcds.druid.gardener.cloud", "default", "etcd-test");
  EXPECT_EQ((*etcd)["spec"]["etcd"]["quota"], "16Gi");
  EXPECT_EQ((*etcd)["metadata"]["generation"], 2);
}

TEST_F(KubectlTest, ScaleEtcd) {
  apply_crds_and_examples();
  auto r = kubectl("scale etcd etcd-test --replicas=5");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "etcd.druid.gardener.cloud/etcd-test scaled")) << r.output;
  EXPECT_EQ(
      (*server_.get("etcds.druid.gardener.cloud", "default", "etcd-test"))["spec"]["replicas"], 5);
  EXPECT_EQ(server_.controls().request_count("patch", "etcds/scale"), 1);
}

TEST_F(KubectlTest, DeleteEtcdWaitsUntilGone) {
  apply_crds_and_examples();
  auto etcd = *server_.get("etcds.druid.gardener.cloud", "default", "etcd-test");
  auto r = kubectl("delete etcd etcd-test");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "etcd.druid.gardener.cloud \"etcd-test\" deleted")) << r.output;
  EXPECT_FALSE(server_.get("etcds.druid.gardener.cloud", "default", "etcd-test"));
  auto missing = kubectl("get etcd etcd-test");
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_TRUE(contains(missing.output,
                       "Error from server (NotFound): etcds.druid.gardener.cloud \"etcd-test\" not "
                       "found"))
      << missing.output;
}

TEST_F(KubectlTest, InvalidEtcdIsRejectedWithTheFieldError) {
  apply_crds_and_examples();
  auto file =
      write_file("bad.yaml",
                 "apiVersion: druid.gardener.cloud/v1alpha1\nkind: Etcd\nmetadata:\n  name: "
                 "bad\nspec:\n  replicas: -1\n  labels: {app: x}\n  etcd: {}\n  backup: "
                 "{}\n");
  auto r = kubectl("apply -f " + file.string());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(contains(r.output, "The Etcd \"bad\" is invalid:")) << r.output;
  EXPECT_TRUE(contains(r.output, "spec.replicas")) << r.output;
  EXPECT_FALSE(server_.get("etcds.druid.gardener.cloud", "default", "bad"));
}

TEST_F(KubectlTest, UnauthorizedTokenIsRefused) {
  server_.write_kubeconfig(dir_ / "kubeconfig", "wrong-token");
  auto r = kubectl("get ns");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(contains(r.output, "error: You must be logged in to the server")) << r.output;
}

// kubectl sends Accept-Encoding: gzip; watch events must still arrive one by
// one (issue 15: `kubectl wait --for=delete` hung until its timeout).
TEST_F(KubectlTest, WaitForDeleteReturnsOnceTheObjectIsGone) {
  ASSERT_TRUE(server_.put(configmap("doomed")));
  auto waiting = std::async(std::launch::async, [this] {
    return kubectl("wait --for=delete configmap/doomed --timeout=30s");
  });
  // Delete once kubectl watches (its GET, then the watch request).
  ASSERT_TRUE(kube::test::eventually(
      [&] { return server_.controls().request_count("watch", "configmaps") > 0; },
      std::chrono::seconds(20)));
  ASSERT_EQ(kubectl("delete configmap doomed").exit_code, 0);
  const auto result = waiting.get();
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_TRUE(contains(result.output, "condition met")) << result.output;
}

TEST_F(KubectlTest, GetWatchShowsChangesAsTheyHappen) {
  ASSERT_TRUE(server_.put(configmap("watched")));
  // --watch-only prints the delete event and exits at the request timeout.
  auto watching = std::async(std::launch::async, [this] {
    return kubectl("get configmap watched --watch-only --output=name --request-timeout=8s");
  });
  ASSERT_TRUE(kube::test::eventually(
      [&] { return server_.controls().request_count("watch", "configmaps") > 0; },
      std::chrono::seconds(20)));
  ASSERT_EQ(kubectl("label configmap watched seen=yes").exit_code, 0);
  const auto result = watching.get();
  EXPECT_TRUE(contains(result.output, "configmap/watched")) << result.output;
}

// kubectl's typed `create <kind>` commands send protobuf bodies
// (application/vnd.kubernetes.protobuf) for built-in kinds (issue 15).

TEST_F(KubectlTest, CreateNamespace) {
  auto r = kubectl("create namespace team-a");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "namespace/team-a created")) << r.output;
  json ns = get_json("namespace team-a");
  EXPECT_EQ(ns["metadata"]["name"], "team-a");
  EXPECT_FALSE(ns["metadata"]["uid"].get<std::string>().empty());
  auto inside = kubectl("create configmap c -n team-a --from-literal=a=b");
  EXPECT_EQ(inside.exit_code, 0) << inside.output;
}

TEST_F(KubectlTest, CreateSecretGeneric) {
  auto r = kubectl(
      "create secret generic creds --from-literal=user=admin "
      "--from-literal=password='p@ss w0rd' --type=example.com/login");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "secret/creds created")) << r.output;
  json secret = get_json("secret creds");
  EXPECT_EQ(secret["type"], "example.com/login");
  EXPECT_EQ(base64_decoded(secret["data"]["user"]), "admin");
  EXPECT_EQ(base64_decoded(secret["data"]["password"]), "p@ss w0rd");
  EXPECT_EQ(secret["metadata"]["namespace"], "default");
}

TEST_F(KubectlTest, CreateConfigMapWithTextAndBinaryData) {
  const fs::path binary = dir_ / "blob.bin";
  std::ofstream(binary, std::ios::binary) << std::string("\xff\xfe\x00\x01", 4);
  auto r = kubectl("create configmap settings --from-literal=mode=fast --from-literal=level=3 " +
                   std::string("--from-file=blob=") + binary.string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "configmap/settings created")) << r.output;
  json cm = get_json("configmap settings");
  EXPECT_EQ(cm["data"], json({{"mode", "fast"}, {"level", "3"}}));
  EXPECT_EQ(base64_decoded(cm["binaryData"]["blob"]), std::string("\xff\xfe\x00\x01", 4));
}

TEST_F(KubectlTest, CreateServiceAccount) {
  auto r = kubectl("create serviceaccount builder");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "serviceaccount/builder created")) << r.output;
  json sa = get_json("serviceaccount builder");
  EXPECT_EQ(sa["metadata"]["name"], "builder");
  EXPECT_EQ(sa["kind"], "ServiceAccount");
}

TEST_F(KubectlTest, CreateRole) {
  auto r = kubectl("create role reader --verb=get --verb=list --resource=pods,deployments.apps");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "role.rbac.authorization.k8s.io/reader created")) << r.output;
  json role = get_json("role reader");
  EXPECT_EQ(role["rules"], json::array({{{"apiGroups", json::array({""})},
                                         {"resources", json::array({"pods"})},
                                         {"verbs", json::array({"get", "list"})}},
                                        {{"apiGroups", json::array({"apps"})},
                                         {"resources", json::array({"deployments"})},
                                         {"verbs", json::array({"get", "list"})}}}))
      << role.dump(2);
}

TEST_F(KubectlTest, CreateRoleBinding) {
  auto r = kubectl(
      "create rolebinding read-pods --role=reader --user=alice "
      "--serviceaccount=default:builder");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "rolebinding.rbac.authorization.k8s.io/read-pods created"))
      << r.output;
  json binding = get_json("rolebinding read-pods");
  EXPECT_EQ(
      binding["roleRef"],
      json({{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", "Role"}, {"name", "reader"}}));
  EXPECT_EQ(
      binding["subjects"],
      json::array({{{"kind", "User"}, {"apiGroup", "rbac.authorization.k8s.io"}, {"name", "alice"}},
                   {{"kind", "ServiceAccount"}, {"name", "builder"}, {"namespace", "default"}}}))
      << binding.dump(2);
}

TEST_F(KubectlTest, CreateServiceClusterIp) {
  auto r = kubectl("create service clusterip web --tcp=80:8080");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "service/web created")) << r.output;
  json service = get_json("service web");
  EXPECT_EQ(service["spec"]["type"], "ClusterIP");
  EXPECT_EQ(service["spec"]["selector"], json({{"app", "web"}}));
  EXPECT_EQ(
      service["spec"]["ports"],
      json::array({{{"name", "80-8080"}, {"protocol", "TCP"}, {"port", 80}, {"targetPort", 8080}}}))
      << service.dump(2);
  EXPECT_EQ(service["metadata"]["labels"], json({{"app", "web"}}));
}

TEST_F(KubectlTest, CreateDeployment) {
  auto r = kubectl("create deployment web --image=nginx:1.27 --replicas=2 --port=80");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "deployment.apps/web created")) << r.output;
  json deployment = get_json("deployment web");
  json& spec = deployment["spec"];
  EXPECT_EQ(spec["replicas"], 2);
  EXPECT_EQ(spec["selector"], json({{"matchLabels", {{"app", "web"}}}}));
  EXPECT_EQ(spec["template"]["metadata"]["labels"], json({{"app", "web"}}));
  json& containers = spec["template"]["spec"]["containers"];
  ASSERT_EQ(containers.size(), 1u) << deployment.dump(2);
  EXPECT_EQ(containers[0]["name"], "nginx");
  EXPECT_EQ(containers[0]["image"], "nginx:1.27");
  EXPECT_EQ(containers[0]["ports"], json::array({{{"containerPort", 80}}}));
}

TEST_F(KubectlTest, CreateJob) {
  auto r = kubectl("create job hello --image=busybox -- echo hi");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "job.batch/hello created")) << r.output;
  json job = get_json("job hello");
  json& pod_spec = job["spec"]["template"]["spec"];
  EXPECT_EQ(pod_spec["restartPolicy"], "Never");
  ASSERT_EQ(pod_spec["containers"].size(), 1u) << job.dump(2);
  EXPECT_EQ(pod_spec["containers"][0]["name"], "hello");
  EXPECT_EQ(pod_spec["containers"][0]["image"], "busybox");
  EXPECT_EQ(pod_spec["containers"][0]["command"], json::array({"echo", "hi"}));
}

TEST_F(KubectlTest, RunPodAndCreatePodDisruptionBudget) {
  auto run = kubectl("run shell --image=busybox --env=MODE=debug --labels=app=shell -- sleep 60");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  json pod = get_json("pod shell");
  EXPECT_EQ(pod["metadata"]["labels"], json({{"app", "shell"}}));
  ASSERT_EQ(pod["spec"]["containers"].size(), 1u) << pod.dump(2);
  EXPECT_EQ(pod["spec"]["containers"][0]["args"], json::array({"sleep", "60"}));
  EXPECT_EQ(pod["spec"]["containers"][0]["env"],
            json::array({{{"name", "MODE"}, {"value", "debug"}}}));
  auto pdb = kubectl("create poddisruptionbudget shell --selector=app=shell --min-available=50%");
  ASSERT_EQ(pdb.exit_code, 0) << pdb.output;
  json budget = get_json("poddisruptionbudget shell");
  EXPECT_EQ(budget["spec"]["minAvailable"], "50%");
  EXPECT_EQ(budget["spec"]["selector"], json({{"matchLabels", {{"app", "shell"}}}}));
}

TEST_F(KubectlTest, CreateCronJobAndClusterRoleBinding) {
  auto cron = kubectl("create cronjob nightly --image=busybox --schedule='0 3 * * *' -- date");
  ASSERT_EQ(cron.exit_code, 0) << cron.output;
  json cronjob = get_json("cronjob nightly");
  EXPECT_EQ(cronjob["spec"]["schedule"], "0 3 * * *");
  EXPECT_EQ(cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["command"],
            json::array({"date"}));
  auto role = kubectl("create clusterrole viewer --verb=get --resource=pods");
  ASSERT_EQ(role.exit_code, 0) << role.output;
  auto binding = kubectl("create clusterrolebinding view --clusterrole=viewer --group=ops");
  ASSERT_EQ(binding.exit_code, 0) << binding.output;
  json crb = get_json("clusterrolebinding view");
  EXPECT_EQ(crb["roleRef"]["kind"], "ClusterRole");
  EXPECT_EQ(crb["subjects"][0]["kind"], "Group");
  EXPECT_EQ(crb["subjects"][0]["name"], "ops");
}

}  // namespace
}  // namespace druid::testing
