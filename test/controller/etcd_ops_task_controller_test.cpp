// The EtcdOpsTask controller against the test API server (issue 14, item 3):
// every state a task can end in, with the exact lastOperation and lastErrors a
// user reads, the snapshot call the backup sidecar receives, retries, the
// TTL, deletion and the writes a task costs. The sidecar is a fake here; the
// HTTP client that reaches the real one is tested in
// test/operator/backup_sidecar_client_test.cpp.
#include <gtest/gtest.h>

#include <iterator>
#include <sstream>
#include <string>

#include "api/resources.hpp"
#include "controller/etcdopstask/error_codes.hpp"
#include "controller/etcdopstask/setup.hpp"
#include "support/controller_harness.hpp"
#include "support/eventually.hpp"
#include "support/fixtures.hpp"
#include "support/kubectl.hpp"
#include "support/live_server.hpp"
#include "util/base64.hpp"

namespace druid::test {
namespace {

using controller::etcdopstask::SnapshotAnswer;
using controller::etcdopstask::SnapshotCall;
using controller::etcdopstask::SnapshotCallError;
using controller::etcdopstask::SnapshotCallErrorKind;
namespace error_code = controller::etcdopstask::error_code;
using kube::test::eventually;
using nlohmann::json;
using std::chrono::seconds;

constexpr const char* kTasks = "etcdopstasks.druid.gardener.cloud";

using FakeSidecar = FakeBackupSidecar;

SnapshotAnswer ok_answer(std::string body = R"({"kind":"Full","lastRevision":42})") {
  return {200, std::move(body)};
}

class EtcdOpsTaskControllerTest : public ControllerTest {
 protected:
  void TearDown() override {
    sidecar_.release();
    stop();
  }

  void start() {
    run_.start(*operator_client_, [this](kube::Manager& manager) {
      controller::etcdopstask::EtcdOpsTaskControllerConfig config;
      config.workers = 2;
      config.requeue_interval = std::chrono::milliseconds(200);
      wiring_ = controller::etcdopstask::add_etcd_ops_task_controller(manager, sidecar_, config);
    });
  }
  void stop() { run_.stop(); }

  // An Etcd with a backup store whose Ready condition is `ready`.
  void create_etcd(bool ready = true, bool store = true, bool backup_tls = false,
                   const std::string& name = kTestEtcdName,
                   const std::string& ns = kTestNamespace) {
    json etcd = base_etcd_json(3);
    etcd["metadata"]["name"] = name;
    etcd["metadata"]["namespace"] = ns;
    etcd["metadata"].erase("uid");
    etcd["metadata"].erase("generation");
    if (store) add_store(etcd);
    if (backup_tls) add_backup_tls(etcd);
    auto created = live_.client().create(api::resources::kEtcds, ns, etcd);
    ASSERT_TRUE(created) << created.error().what();
    const json status = {
        {"status",
         {{"conditions", json::array({{{"type", "Ready"},
                                       {"status", ready ? "True" : "False"},
                                       {"lastTransitionTime", "2026-12-01T10:00:00Z"},
                                       {"lastUpdateTime", "2026-12-01T10:00:00Z"},
                                       {"reason", ready ? "Quorate" : "QuorumLost"},
                                       {"message", "set by the test"}}})}}}};
    auto patched = live_.client().patch(api::resources::kEtcds, ns, name, kube::PatchType::kMerge,
                                        status, "status");
    ASSERT_TRUE(patched) << patched.error().what();
  }

  void create_task(const std::string& name, json snapshot = {{"type", "full"}},
                   const std::string& etcd = kTestEtcdName, std::optional<int> ttl = {}) {
    json task = {{"apiVersion", "druid.gardener.cloud/v1alpha1"},
                 {"kind", "EtcdOpsTask"},
                 {"metadata", {{"name", name}, {"namespace", kTestNamespace}}},
                 {"spec", {{"etcdName", etcd}, {"config", {{"onDemandSnapshot", snapshot}}}}}};
    if (ttl) task["spec"]["ttlSecondsAfterFinished"] = *ttl;
    auto created = live_.client().create(api::resources::kEtcdOpsTasks, kTestNamespace, task);
    ASSERT_TRUE(created) << created.error().what();
  }

  std::optional<json> task(const std::string& name) {
    return live_.server().get(kTasks, kTestNamespace, name);
  }
  json status(const std::string& name) {
    return task(name).value_or(json::object()).value("status", json::object());
  }
  std::string state(const std::string& name) { return status(name).value("state", ""); }
  bool wait_for_state(const std::string& name, const std::string& wanted) {
    return eventually([&] { return state(name) == wanted; }, seconds(20));
  }
  void create_secret(const std::string& name, const std::map<std::string, std::string>& data) {
    test::create_secret(live_.client(), kTestNamespace, name, data);
  }
  // The StatefulSet as the Etcd controller builds it, reduced to the volume
  // that names the backup CA Secret (`secret` empty: no such volume).
  void create_statefulset(const std::string& secret) {
    json volumes = json::array();
    if (!secret.empty()) {
      volumes.push_back({{"name", "backup-restore-ca"}, {"secret", {{"secretName", secret}}}});
    }
    json sts = {{"apiVersion", "apps/v1"},
                {"kind", "StatefulSet"},
                {"metadata", {{"name", kTestEtcdName}, {"namespace", kTestNamespace}}},
                {"spec",
                 {{"replicas", 3},
                  {"serviceName", "etcd-main-peer"},
                  {"selector", {{"matchLabels", {{"app", "etcd"}}}}},
                  {"template",
                   {{"metadata", {{"labels", {{"app", "etcd"}}}}},
                    {"spec",
                     {{"containers", json::array({{{"name", "etcd"}, {"image", "etcd"}}})},
                      {"volumes", volumes}}}}}}}};
    auto created = live_.client().create(kube::resources::kStatefulSets, kTestNamespace, sts);
    ASSERT_TRUE(created) << created.error().what();
  }

  // Writes the operator sent so far (the tests create with another client).
  std::uint64_t task_writes() { return writes_sent(*operator_client_); }

  FakeSidecar sidecar_;
  std::unique_ptr<controller::etcdopstask::EtcdOpsTaskController> wiring_;
  ManagerRun run_;
};

TEST_F(EtcdOpsTaskControllerTest, FullSnapshotSucceedsInThreeWrites) {
  create_etcd();
  start();
  create_task("snap");
  ASSERT_TRUE(wait_for_state("snap", "Succeeded")) << status("snap").dump(2);

  const json st = status("snap");
  EXPECT_EQ(st["lastOperation"]["type"], "Execution");
  EXPECT_EQ(st["lastOperation"]["state"], "Completed");
  EXPECT_EQ(st["lastOperation"]["description"], "Snapshot created successfully");
  EXPECT_FALSE(st["lastOperation"].value("runID", "").empty());
  EXPECT_TRUE(st.contains("startedAt"));
  EXPECT_TRUE(st.contains("lastTransitionTime"));
  EXPECT_FALSE(st.contains("lastErrors"));
  const json finalizers = task("snap")->at("metadata").value("finalizers", json::array());
  EXPECT_EQ(finalizers, json::array({"druid.gardener.cloud/etcd-ops-task"}));

  const auto calls = sidecar_.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].url, "http://etcd-main-client.shoot--dev--test:8080/snapshot/full");
  EXPECT_EQ(calls[0].timeout, seconds(900));  // the CRD's default timeoutSecondsFull
  EXPECT_TRUE(calls[0].ca_pem.empty());
  // The finalizer, InProgress, Succeeded (its response may still be on the
  // way when the store shows it), and nothing else until the TTL.
  EXPECT_TRUE(eventually([&] { return task_writes() >= 3; }));
  stop();
  EXPECT_EQ(task_writes(), 3u);
}

TEST_F(EtcdOpsTaskControllerTest, FinalFullAndSkippedDeltaSnapshots) {
  create_etcd();
  start();
  create_task("final", {{"type", "full"}, {"isFinal", true}, {"timeoutSecondsFull", 300}});
  ASSERT_TRUE(wait_for_state("final", "Succeeded")) << status("final").dump(2);

  sidecar_.answer({ok_answer("null\n")});
  create_task("delta", {{"type", "delta"}});
  ASSERT_TRUE(wait_for_state("delta", "Succeeded")) << status("delta").dump(2);
  EXPECT_EQ(status("delta")["lastOperation"]["description"],
            "Delta snapshot was skipped by backup-restore server");

  const auto calls = sidecar_.calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].url, "http://etcd-main-client.shoot--dev--test:8080/snapshot/full?final=true");
  EXPECT_EQ(calls[0].timeout, seconds(300));
  EXPECT_EQ(calls[1].url, "http://etcd-main-client.shoot--dev--test:8080/snapshot/delta");
  EXPECT_EQ(calls[1].timeout, seconds(60));  // the CRD's default timeoutSecondsDelta
}

// Rejections happen at admission: lastOperation Admit/Failed with upstream's
// description, one lastErrors entry with the code, and no call to the sidecar.
TEST_F(EtcdOpsTaskControllerTest, TasksThatCannotRunAreRejectedWithTheirReason) {
  create_etcd(/*ready=*/false, /*store=*/true, false, "etcd-not-ready");
  create_etcd(/*ready=*/true, /*store=*/false, false, "etcd-no-store");
  start();
  create_task("no-etcd", {{"type", "full"}}, "etcd-missing");
  create_task("not-ready", {{"type", "full"}}, "etcd-not-ready");
  create_task("no-store", {{"type", "full"}}, "etcd-no-store");

  struct Expectation {
    const char* task;
    const char* code;
    const char* description;
  };
  for (const auto& [name, code, description] :
       {Expectation{"no-etcd", "ERR_GET_ETCD", "Etcd shoot--dev--test/etcd-missing not found"},
        Expectation{"not-ready", "ERR_ETCD_NOT_READY", "Etcd is not ready"},
        Expectation{"no-store", "ERR_BACKUP_NOT_ENABLED", "Backup is not enabled for etcd"}}) {
    ASSERT_TRUE(wait_for_state(name, "Rejected")) << name << ": " << status(name).dump(2);
    const json st = status(name);
    EXPECT_EQ(st["lastOperation"]["type"], "Admit") << name;
    EXPECT_EQ(st["lastOperation"]["state"], "Failed") << name;
    EXPECT_EQ(st["lastOperation"]["description"], description) << name;
    ASSERT_EQ(st["lastErrors"].size(), 1u) << name;
    EXPECT_EQ(st["lastErrors"][0]["code"], code) << name;
    EXPECT_FALSE(st.contains("startedAt")) << name;
  }
  EXPECT_TRUE(sidecar_.calls().empty());
}

TEST_F(EtcdOpsTaskControllerTest, ASecondTaskForTheSameEtcdIsRejectedWhileOneRuns) {
  create_etcd();
  sidecar_.hold();
  start();
  create_task("first");
  ASSERT_TRUE(eventually([&] { return sidecar_.calls().size() == 1; }, seconds(20)));
  EXPECT_EQ(state("first"), "InProgress");
  EXPECT_EQ(status("first")["lastOperation"]["description"], "Task Execution phase is in Progress");

  create_task("second");
  ASSERT_TRUE(wait_for_state("second", "Rejected")) << status("second").dump(2);
  EXPECT_EQ(status("second")["lastErrors"][0]["code"], "ERR_DUPLICATE_TASK");
  EXPECT_EQ(status("second")["lastOperation"]["description"],
            "EtcdOpsTask for the same etcd is already in progress");

  sidecar_.release();
  ASSERT_TRUE(wait_for_state("first", "Succeeded")) << status("first").dump(2);
  EXPECT_EQ(sidecar_.calls().size(), 1u);
}

// Upstream rejects a task whenever another unfinished one exists, so two
// tasks created together could reject each other. Here the older (then the
// smaller name) runs.
TEST_F(EtcdOpsTaskControllerTest, OfTwoTasksCreatedTogetherOneRuns) {
  create_etcd();
  create_task("snap-a");
  create_task("snap-b");
  sidecar_.hold();  // snap-a may not finish before snap-b is looked at
  start();
  ASSERT_TRUE(wait_for_state("snap-b", "Rejected")) << status("snap-b").dump(2);
  EXPECT_EQ(status("snap-b")["lastErrors"][0]["code"], "ERR_DUPLICATE_TASK");
  sidecar_.release();
  ASSERT_TRUE(wait_for_state("snap-a", "Succeeded")) << status("snap-a").dump(2);
  EXPECT_EQ(sidecar_.calls().size(), 1u);
}

TEST_F(EtcdOpsTaskControllerTest, AnErrorAnswerFailsTheTask) {
  create_etcd();
  sidecar_.answer({SnapshotAnswer{500, "failed to take snapshot: etcdserver: no leader\n"}});
  start();
  create_task("snap");
  ASSERT_TRUE(wait_for_state("snap", "Failed")) << status("snap").dump(2);
  const json st = status("snap");
  EXPECT_EQ(st["lastOperation"]["type"], "Execution");
  EXPECT_EQ(st["lastOperation"]["state"], "Failed");
  ASSERT_EQ(st["lastErrors"].size(), 1u);
  EXPECT_EQ(st["lastErrors"][0]["code"], "ERR_CREATE_SNAPSHOT");
  EXPECT_EQ(st["lastErrors"][0]["description"],
            "Failed to create snapshot: backup-restore server answered HTTP 500: failed to take "
            "snapshot: etcdserver: no leader");
  EXPECT_EQ(sidecar_.calls().size(), 1u);  // failed tasks are not retried
}

// No answer at all (the sidecar restarting): the task stays InProgress, says
// why in lastErrors (at most three kept) and tries again.
TEST_F(EtcdOpsTaskControllerTest, AnUnreachableSidecarIsRetriedUntilItAnswers) {
  create_etcd();
  const SnapshotCallError refused{SnapshotCallErrorKind::kRequest,
                                  "Couldn't connect to server: connection refused"};
  sidecar_.answer({util::unexpected(refused), util::unexpected(refused), util::unexpected(refused),
                   util::unexpected(refused), util::unexpected(refused), ok_answer()});
  start();
  create_task("snap");
  ASSERT_TRUE(wait_for_state("snap", "Succeeded")) << status("snap").dump(2);
  EXPECT_EQ(sidecar_.calls().size(), 6u);
  const json st = status("snap");
  ASSERT_EQ(st["lastErrors"].size(), 3u) << st.dump(2);
  for (const auto& error : st["lastErrors"]) {
    EXPECT_EQ(error["code"], "ERR_EXECUTE_HTTP_REQUEST");
    EXPECT_EQ(error["description"],
              "Failed to call http://etcd-main-client.shoot--dev--test:8080/snapshot/full: "
              "Couldn't connect to server: connection refused");
  }
}

// With backup TLS the call goes over https and trusts the CA the StatefulSet
// mounts as backup-restore-ca (key tlsCASecretRef.dataKey).
TEST_F(EtcdOpsTaskControllerTest, BackupTlsUsesTheCaTheStatefulSetMounts) {
  create_etcd(true, true, /*backup_tls=*/true);
  create_statefulset("ca-etcdbr-3f2a1");
  create_secret("ca-etcdbr-3f2a1", {{"bundle.crt", "-----BEGIN CERTIFICATE-----\nMIIB\n"}});
  start();
  create_task("snap");
  ASSERT_TRUE(wait_for_state("snap", "Succeeded")) << status("snap").dump(2);
  const auto calls = sidecar_.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].url, "https://etcd-main-client.shoot--dev--test:8080/snapshot/full");
  EXPECT_EQ(calls[0].ca_pem, "-----BEGIN CERTIFICATE-----\nMIIB\n");
}

TEST_F(EtcdOpsTaskControllerTest, AMissingOrUnusableBackupCaFailsTheTask) {
  create_etcd(true, true, /*backup_tls=*/true);
  start();
  create_task("no-statefulset");
  ASSERT_TRUE(wait_for_state("no-statefulset", "Failed"));
  EXPECT_EQ(status("no-statefulset")["lastErrors"][0]["code"], "ERR_GET_CA_SECRET");

  create_statefulset("ca-etcdbr");
  create_task("no-secret");
  ASSERT_TRUE(wait_for_state("no-secret", "Failed"));
  EXPECT_EQ(status("no-secret")["lastErrors"][0]["code"], "ERR_GET_CA_SECRET");
  EXPECT_EQ(status("no-secret")["lastErrors"][0]["description"],
            "backup CA Secret shoot--dev--test/ca-etcdbr not found");

  create_secret("ca-etcdbr", {{"ca.crt", "not the key the Etcd names"}});
  create_task("no-key");
  ASSERT_TRUE(wait_for_state("no-key", "Failed"));
  EXPECT_EQ(status("no-key")["lastErrors"][0]["code"], "ERR_CA_DATA_KEY_NOT_FOUND");
  EXPECT_EQ(status("no-key")["lastErrors"][0]["description"],
            "backup CA Secret shoot--dev--test/ca-etcdbr has no key \"bundle.crt\"");

  // A CA the HTTP client cannot use (the real client checks the PEM).
  auto patched = live_.client().patch(kube::resources::kSecrets, kTestNamespace, "ca-etcdbr",
                                      kube::PatchType::kMerge,
                                      {{"data", {{"bundle.crt", util::base64_encode("garbage")}}}});
  ASSERT_TRUE(patched);
  sidecar_.answer({util::unexpected(
      SnapshotCallError{SnapshotCallErrorKind::kInvalidCa, "no PEM certificate could be read"})});
  create_task("bad-ca");
  ASSERT_TRUE(wait_for_state("bad-ca", "Failed"));
  EXPECT_EQ(status("bad-ca")["lastErrors"][0]["code"], "ERR_APPEND_CA_CERTS");
}

TEST_F(EtcdOpsTaskControllerTest, FinishedTasksDeleteThemselvesAfterTheirTtl) {
  create_etcd();
  start();
  create_task("kept", {{"type", "delta"}});  // default TTL: one hour
  ASSERT_TRUE(wait_for_state("kept", "Succeeded"));
  create_task("done", {{"type", "full"}}, kTestEtcdName, /*ttl=*/1);
  create_task("rejected", {{"type", "full"}}, "etcd-missing", /*ttl=*/1);
  ASSERT_TRUE(eventually([&] { return !task("done") && !task("rejected"); }, seconds(20)))
      << status("done").dump(2) << status("rejected").dump(2);
  // Finished before the others, but its hour has not passed.
  EXPECT_TRUE(task("kept").has_value());
}

TEST_F(EtcdOpsTaskControllerTest, ADeletedTaskGoesAtOnce) {
  create_etcd();
  start();
  create_task("snap");
  ASSERT_TRUE(wait_for_state("snap", "Succeeded"));
  ASSERT_TRUE(live_.client().remove(api::resources::kEtcdOpsTasks, kTestNamespace, "snap"));
  EXPECT_TRUE(eventually([&] { return !task("snap"); }, seconds(20)));
}

// A crash after the InProgress write and before the outcome: the next
// process resumes the task where it stood (one snapshot call, startedAt kept).
TEST_F(EtcdOpsTaskControllerTest, AnOperatorRestartResumesATaskInProgress) {
  create_etcd();
  create_task("snap");
  auto finalized = live_.client().patch(
      api::resources::kEtcdOpsTasks, kTestNamespace, "snap", kube::PatchType::kMerge,
      {{"metadata", {{"finalizers", json::array({"druid.gardener.cloud/etcd-ops-task"})}}}});
  ASSERT_TRUE(finalized);
  auto in_progress = live_.client().patch(api::resources::kEtcdOpsTasks, kTestNamespace, "snap",
                                          kube::PatchType::kMerge,
                                          {{"status",
                                            {{"state", "InProgress"},
                                             {"startedAt", "2026-12-01T10:00:00Z"},
                                             {"lastTransitionTime", "2026-12-01T10:00:00Z"}}}},
                                          "status");
  ASSERT_TRUE(in_progress) << in_progress.error().what();
  start();
  ASSERT_TRUE(wait_for_state("snap", "Succeeded")) << status("snap").dump(2);
  EXPECT_EQ(status("snap")["startedAt"], "2026-12-01T10:00:00Z");
  EXPECT_EQ(sidecar_.calls().size(), 1u);
}

// The example a user starts from, applied and followed with kubectl: the
// printer columns of the CRD (State, Etcd, Age; Phase and TTL with -o wide).
TEST_F(EtcdOpsTaskControllerTest, KubectlShowsTheExampleTaskFinishing) {
  if (!kubectl_available()) GTEST_SKIP() << "kubectl is not installed";
  kube::test::create_namespace(live_.client(), "default");  // may exist already
  create_etcd(true, true, false, kTestEtcdName, "default");
  start();
  Kubectl kubectl(live_.server());
  auto applied = kubectl("apply -f examples/etcdopstask.yaml");
  ASSERT_EQ(applied.exit_code, 0) << applied.output;
  const std::string get = "get etcdopstask etcd-main-full-snapshot -n default";
  ASSERT_TRUE(eventually(
      [&] { return kubectl(get + " -o jsonpath={.status.state}").output == "Succeeded"; },
      seconds(30)));

  const auto rows = [](const std::string& output) {
    std::vector<std::vector<std::string>> table;
    std::istringstream lines(output);
    for (std::string line; std::getline(lines, line);) {
      std::istringstream words(line);
      table.emplace_back(std::istream_iterator<std::string>(words),
                         std::istream_iterator<std::string>());
    }
    return table;
  };
  auto plain = kubectl(get);
  ASSERT_EQ(plain.exit_code, 0) << plain.output;
  auto table = rows(plain.output);
  ASSERT_EQ(table.size(), 2u) << plain.output;
  EXPECT_EQ(table[0], (std::vector<std::string>{"NAME", "STATE", "ETCD", "AGE"}));
  ASSERT_EQ(table[1].size(), 4u) << plain.output;
  EXPECT_EQ(table[1][0], "etcd-main-full-snapshot");
  EXPECT_EQ(table[1][1], "Succeeded");
  EXPECT_EQ(table[1][2], "etcd-main");

  auto wide = kubectl(get + " -o wide");
  ASSERT_EQ(wide.exit_code, 0) << wide.output;
  table = rows(wide.output);
  ASSERT_EQ(table.size(), 2u) << wide.output;
  EXPECT_EQ(table[0], (std::vector<std::string>{"NAME", "STATE", "ETCD", "AGE", "PHASE", "TTL"}));
  ASSERT_EQ(table[1].size(), 6u) << wide.output;
  EXPECT_EQ(table[1][4], "Execution");
  EXPECT_EQ(table[1][5], "3600");
}

}  // namespace
}  // namespace druid::test
