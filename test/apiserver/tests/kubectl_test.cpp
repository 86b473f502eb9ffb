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
#include "kube/eventually.hpp"

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

}  // namespace
}  // namespace druid::testing
