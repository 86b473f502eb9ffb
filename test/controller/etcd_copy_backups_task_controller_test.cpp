// The EtcdCopyBackupsTask controller against the test API server (issue 14,
// item 2): the finalizer and one `<task>-worker` Job per task, the task's
// status following the Job, bad input reported in status.lastError with no
// Job, deletion through the Job's foreground deletion, adoption of a Job left
// by an earlier operator run, and no writes once nothing changes. The test
// plays the Job controller by writing the Job's status.
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "api/image_vector.hpp"
#include "api/resources.hpp"
#include "controller/etcdcopybackupstask/setup.hpp"
#include "support/controller_harness.hpp"
#include "support/eventually.hpp"
#include "support/fixtures.hpp"
#include "support/kubectl.hpp"
#include "support/live_server.hpp"

namespace druid::test {
namespace {

using kube::test::eventually;
using nlohmann::json;
using std::chrono::seconds;

constexpr const char* kTasks = "etcdcopybackupstasks.druid.gardener.cloud";
constexpr const char* kJobs = "jobs.batch";
constexpr const char* kFinalizer = "druid.gardener.cloud/etcd-druid";

json store(const std::string& provider, const std::string& container, bool secret = true) {
  json s = {{"prefix", std::string(kTestNamespace) + "--etcd-main"},
            {"container", container},
            {"provider", provider}};
  if (secret) s["secretRef"] = {{"name", container + "-secret"}};
  return s;
}

class EtcdCopyBackupsTaskControllerTest : public ControllerTest {
 protected:
  void TearDown() override { stop(); }

  void start() {
    run_.start(*operator_client_, [this](kube::Manager& manager) {
      controller::etcdcopybackupstask::EtcdCopyBackupsTaskControllerConfig config;
      config.workers = 2;
      wiring_ = controller::etcdcopybackupstask::add_etcd_copy_backups_task_controller(
          manager, api::embedded_image_vector(), config);
    });
  }
  void stop() { run_.stop(); }

  void create_task(const std::string& name, json source = store("aws", "old-bucket"),
                   json target = store("gcp", "new-bucket")) {
    json task = {{"apiVersion", "druid.gardener.cloud/v1alpha1"},
                 {"kind", "EtcdCopyBackupsTask"},
                 {"metadata", {{"name", name}, {"namespace", kTestNamespace}}},
                 {"spec", {{"sourceStore", source}, {"targetStore", target}}}};
    auto created =
        live_.client().create(api::resources::kEtcdCopyBackupsTasks, kTestNamespace, task);
    ASSERT_TRUE(created) << created.error().what();
  }
  void patch_task(const std::string& name, const json& patch) {
    auto patched = live_.client().patch(api::resources::kEtcdCopyBackupsTasks, kTestNamespace, name,
                                        kube::PatchType::kMerge, patch);
    ASSERT_TRUE(patched) << patched.error().what();
  }
  void delete_task(const std::string& name) {
    auto deleted =
        live_.client().remove(api::resources::kEtcdCopyBackupsTasks, kTestNamespace, name);
    ASSERT_TRUE(deleted) << deleted.error().what();
  }

  std::optional<json> task(const std::string& name) {
    return live_.server().get(kTasks, kTestNamespace, name);
  }
  std::optional<json> job(const std::string& task_name) {
    return live_.server().get(kJobs, kTestNamespace, task_name + "-worker");
  }
  json status(const std::string& name) {
    return task(name).value_or(json::object()).value("status", json::object());
  }
  json finalizers(const std::string& name) {
    return task(name).value_or(json::object())["metadata"].value("finalizers", json::array());
  }

  // Plays the Job controller: the Job's status with one condition.
  void set_job_condition(const std::string& task_name, const std::string& type,
                         const std::string& reason, const std::string& message) {
    const json patch = {
        {"status",
         {{"conditions", json::array({{{"type", type},
                                       {"status", "True"},
                                       {"reason", reason},
                                       {"message", message},
                                       {"lastProbeTime", "2026-12-06T10:05:00Z"},
                                       {"lastTransitionTime", "2026-12-06T10:04:00Z"}}})}}}};
    auto patched =
        live_.client().patch(kube::resources::kJobs, kTestNamespace, task_name + "-worker",
                             kube::PatchType::kMerge, patch, "status");
    ASSERT_TRUE(patched) << patched.error().what();
  }

  bool wait_for_condition(const std::string& name, const std::string& type) {
    return eventually(
        [&] {
          for (const auto& c : status(name).value("conditions", json::array())) {
            if (c.value("type", "") == type) return true;
          }
          return false;
        },
        seconds(20));
  }

  // Requests the operator sent so far with `method`.
  std::uint64_t requests(const std::string& method) {
    return requests_sent(*operator_client_, {method.c_str()});
  }
  std::uint64_t writes() { return writes_sent(*operator_client_); }
  std::uint64_t reconciles() {
    std::uint64_t total = 0;
    for (const auto& metrics : run_.manager().controller_metrics()) {
      for (const auto& [result, count] : metrics.reconcile_total) total += count;
    }
    return total;
  }

  std::unique_ptr<controller::etcdcopybackupstask::EtcdCopyBackupsTaskController> wiring_;
  ManagerRun run_;
};

TEST_F(EtcdCopyBackupsTaskControllerTest, CreatesTheJobOnceWithTheFinalizer) {
  start();
  create_task("copy");
  ASSERT_TRUE(eventually([&] { return job("copy").has_value(); }, seconds(20)));
  ASSERT_TRUE(
      eventually([&] { return status("copy").contains("observedGeneration"); }, seconds(20)));
  EXPECT_EQ(finalizers("copy"), json::array({kFinalizer}));
  const json st = status("copy");
  EXPECT_EQ(st["observedGeneration"], 1);
  EXPECT_FALSE(st.contains("conditions"));
  EXPECT_FALSE(st.contains("lastError"));

  const json j = *job("copy");
  EXPECT_EQ(j["metadata"]["ownerReferences"][0]["uid"], task("copy")->at("metadata")["uid"]);
  EXPECT_EQ(j["metadata"]["labels"]["app.kubernetes.io/managed-by"], "etcd-druid");
  EXPECT_EQ(j["spec"]["template"]["spec"]["containers"][0]["args"][2], "--storage-provider=GCS");
  // One Job create; the finalizer and the status are one patch each (the
  // client counts a request when its answer is in, after the server stored it).
  EXPECT_TRUE(eventually([&] { return requests("PATCH") == 2; }, seconds(5))) << requests("PATCH");
  EXPECT_EQ(requests("POST"), 1u);
}

TEST_F(EtcdCopyBackupsTaskControllerTest, StatusFollowsTheJobsConditions) {
  start();
  create_task("ok");
  create_task("broken");
  ASSERT_TRUE(eventually([&] { return job("ok") && job("broken"); }, seconds(20)));

  set_job_condition("ok", "Complete", "CompletionsReached",
                    "Reached expected number of succeeded pods");
  ASSERT_TRUE(wait_for_condition("ok", "Succeeded")) << status("ok").dump(2);
  EXPECT_EQ(status("ok")["conditions"],
            json::array({{{"type", "Succeeded"},
                          {"status", "True"},
                          {"reason", "CompletionsReached"},
                          {"message", "Reached expected number of succeeded pods"},
                          {"lastTransitionTime", "2026-12-06T10:04:00Z"},
                          {"lastUpdateTime", "2026-12-06T10:05:00Z"}}}));

  set_job_condition("broken", "Failed", "BackoffLimitExceeded",
                    "Job has reached the specified backoff limit");
  ASSERT_TRUE(wait_for_condition("broken", "Failed")) << status("broken").dump(2);
  const json failed = status("broken")["conditions"][0];
  EXPECT_EQ(failed["status"], "True");
  EXPECT_EQ(failed["reason"], "BackoffLimitExceeded");
  EXPECT_EQ(failed["message"], "Job has reached the specified backoff limit");
  EXPECT_EQ(status("broken")["observedGeneration"], 1);

  // Completed jobs stay until their task is deleted.
  EXPECT_TRUE(job("ok").has_value());
  EXPECT_TRUE(job("broken").has_value());
}

TEST_F(EtcdCopyBackupsTaskControllerTest, BadInputIsReportedWithoutAJob) {
  start();
  create_task("no-secret", store("aws", "old-bucket"), store("aws", "new-bucket", false));
  create_task("ecs", store("dell", "old-bucket"), store("aws", "new-bucket"));
  create_task("same", store("aws", "bucket"), store("S3", "bucket"));
  json no_container = store("aws", "new-bucket");
  no_container.erase("container");
  create_task("no-container", store("aws", "old-bucket"), no_container);

  const std::map<std::string, std::string> expected = {
      {"no-secret", "spec.targetStore.secretRef: no secretRef is configured for backup store"},
      {"ecs",
       "spec.sourceStore.provider: storage provider 'dell' is not supported for copying backups"},
      {"same",
       "spec.targetStore: the target store is the source store (provider 'S3', container "
       "'bucket', prefix 'shoot--dev--test--etcd-main'): backups cannot be copied onto "
       "themselves"},
      {"no-container",
       "spec.targetStore.container: Required value: the copy-backups job needs the container "
       "(bucket) of the store"}};
  for (const auto& [name, message] : expected) {
    ASSERT_TRUE(eventually([&] { return status(name).contains("lastError"); }, seconds(20)))
        << name;
    EXPECT_EQ(status(name)["lastError"], message) << name;
    EXPECT_EQ(status(name)["observedGeneration"], 1) << name;
    EXPECT_FALSE(job(name).has_value()) << name;
  }
  // A Warning Event on the task says the same.
  ASSERT_TRUE(eventually(
      [&] {
        auto events = live_.client().list(kube::resources::kEvents, kTestNamespace);
        if (!events) return false;
        for (const auto& event : (*events)["items"]) {
          if (event["involvedObject"].value("name", "") == "ecs" &&
              event.value("type", "") == "Warning" &&
              event.value("reason", "") == "CopyBackupsJobNotCreated" &&
              event.value("message", "") == expected.at("ecs")) {
            return true;
          }
        }
        return false;
      },
      seconds(20)));

  // Fixing the task (a new generation) brings the Job, and lastError goes.
  patch_task("no-secret", {{"spec", {{"targetStore", {{"secretRef", {{"name", "s"}}}}}}}});
  ASSERT_TRUE(eventually([&] { return job("no-secret").has_value(); }, seconds(20)));
  ASSERT_TRUE(eventually([&] { return !status("no-secret").contains("lastError"); }, seconds(20)))
      << status("no-secret").dump(2);
  EXPECT_EQ(status("no-secret")["observedGeneration"], 2);
}

TEST_F(EtcdCopyBackupsTaskControllerTest, LocalTargetReadsTheHostPathFromItsSecret) {
  create_secret(live_.client(), kTestNamespace, "buckets", {{"hostPath", "/srv/buckets"}});
  start();
  json target = store("Local", "new-bucket", false);
  target["secretRef"] = {{"name", "buckets"}};
  create_task("to-local", store("aws", "old-bucket"), target);
  json missing = store("Local", "new-bucket", false);
  missing["secretRef"] = {{"name", "not-there"}};
  create_task("missing-secret", store("aws", "old-bucket"), missing);

  ASSERT_TRUE(eventually([&] { return job("to-local").has_value(); }, seconds(20)));
  const json volumes = job("to-local")->at("spec")["template"]["spec"]["volumes"];
  EXPECT_EQ(volumes[1]["hostPath"]["path"], "/srv/buckets/new-bucket");
  EXPECT_EQ(job("to-local")->at("spec")["template"]["spec"]["initContainers"][0]["name"],
            "change-backup-bucket-permissions");

  // A missing Secret may yet be created: said in lastError, retried.
  ASSERT_TRUE(
      eventually([&] { return status("missing-secret").contains("lastError"); }, seconds(20)));
  EXPECT_EQ(
      status("missing-secret")["lastError"].get<std::string>().rfind(
          "cannot read Secret shoot--dev--test/not-there named by spec.targetStore.secretRef", 0),
      0u)
      << status("missing-secret").dump(2);
  create_secret(live_.client(), kTestNamespace, "not-there");
  ASSERT_TRUE(eventually([&] { return job("missing-secret").has_value(); }, seconds(20)));
  ASSERT_TRUE(
      eventually([&] { return !status("missing-secret").contains("lastError"); }, seconds(20)));
  EXPECT_EQ(job("missing-secret")->at("spec")["template"]["spec"]["volumes"][1]["hostPath"]["path"],
            "/etc/gardener/local-backupbuckets/new-bucket");
}

TEST_F(EtcdCopyBackupsTaskControllerTest, DeletingTheTaskDeletesTheJobThenTheFinalizer) {
  start();
  create_task("copy");
  ASSERT_TRUE(eventually([&] { return job("copy").has_value(); }, seconds(20)));
  ASSERT_TRUE(
      eventually([&] { return finalizers("copy") == json::array({kFinalizer}); }, seconds(20)));
  const std::uint64_t deletes_before = requests("DELETE");
  delete_task("copy");
  // The Job has no pods here, so its foreground deletion completes at once;
  // then the finalizer goes and the task with it.
  ASSERT_TRUE(eventually([&] { return !task("copy").has_value(); }, seconds(20)))
      << task("copy").value_or(json()).dump(2);
  EXPECT_FALSE(job("copy").has_value());
  EXPECT_EQ(requests("DELETE") - deletes_before, 1u);
}

TEST_F(EtcdCopyBackupsTaskControllerTest, AJobBeingDeletedInTheForegroundIsWaitedFor) {
  start();
  create_task("copy");
  ASSERT_TRUE(eventually([&] { return job("copy").has_value(); }, seconds(20)));
  // A pod of the Job, so its foreground deletion waits (as the garbage
  // collector waits for the Job's pods).
  const json owner = {{"apiVersion", "batch/v1"}, {"kind", "Job"},
                      {"name", "copy-worker"},    {"uid", job("copy")->at("metadata")["uid"]},
                      {"controller", true},       {"blockOwnerDeletion", true}};
  auto pod = live_.client().create(
      kube::resources::kPods, kTestNamespace,
      {{"apiVersion", "v1"},
       {"kind", "Pod"},
       {"metadata",
        {{"name", "copy-worker-x7k2p"},
         {"namespace", kTestNamespace},
         // Held by a finalizer, as a kubelet holds a pod until its
         // containers stopped.
         {"finalizers", json::array({"example.com/kubelet"})},
         {"ownerReferences", json::array({owner})}}},
       {"spec", {{"containers", json::array({{{"name", "copy-backups"}, {"image", "br"}}})}}}});
  ASSERT_TRUE(pod) << pod.error().what();

  delete_task("copy");
  ASSERT_TRUE(eventually(
      [&] {
        auto j = job("copy");
        return j && j->at("metadata").contains("deletionTimestamp");
      },
      seconds(20)));
  EXPECT_EQ(job("copy")->at("metadata")["finalizers"], json::array({"foregroundDeletion"}));
  // The task waits for its Job.
  EXPECT_TRUE(task("copy").has_value());
  EXPECT_EQ(finalizers("copy"), json::array({kFinalizer}));

  // The pod's containers stop and it goes; the Job follows, then the task.
  auto released =
      live_.client().patch(kube::resources::kPods, kTestNamespace, "copy-worker-x7k2p",
                           kube::PatchType::kMerge, {{"metadata", {{"finalizers", nullptr}}}});
  ASSERT_TRUE(released) << released.error().what();
  ASSERT_TRUE(eventually([&] { return !task("copy").has_value(); }, seconds(20)))
      << task("copy").value_or(json()).dump(2) << job("copy").value_or(json()).dump(2);
  EXPECT_FALSE(job("copy").has_value());
}

TEST_F(EtcdCopyBackupsTaskControllerTest, ARestartAdoptsTheExistingJob) {
  start();
  create_task("copy");
  ASSERT_TRUE(eventually([&] { return job("copy").has_value(); }, seconds(20)));
  ASSERT_TRUE(
      eventually([&] { return status("copy").contains("observedGeneration"); }, seconds(20)));
  const std::string uid = job("copy")->at("metadata")["uid"];
  stop();

  // While the operator is down the Job completes.
  set_job_condition("copy", "Complete", "CompletionsReached", "done");
  const std::uint64_t posts_before = requests("POST");
  start();
  ASSERT_TRUE(wait_for_condition("copy", "Succeeded")) << status("copy").dump(2);
  EXPECT_EQ(requests("POST"), posts_before);  // no second Job
  EXPECT_EQ(job("copy")->at("metadata")["uid"], uid);
}

TEST_F(EtcdCopyBackupsTaskControllerTest, ASteadyStateCostsNoRequest) {
  start();
  create_task("copy");
  create_task("bad", store("aws", "old-bucket"), store("ecs", "new-bucket"));
  ASSERT_TRUE(eventually([&] { return job("copy").has_value(); }, seconds(20)));
  ASSERT_TRUE(
      eventually([&] { return status("copy").contains("observedGeneration"); }, seconds(20)));
  ASSERT_TRUE(eventually([&] { return status("bad").contains("lastError"); }, seconds(20)));
  set_job_condition("copy", "Complete", "CompletionsReached", "done");
  ASSERT_TRUE(wait_for_condition("copy", "Succeeded"));
  // Let the caches catch up with the last writes (a reconcile that reads a
  // status older than the one it wrote would write it again) and the
  // controller finish what the last events brought.
  const auto cached_is_current = [&](const util::ResourceType& type, const char* resource,
                                     const std::string& name) {
    auto cached = wiring_->reader->get(type, kTestNamespace, name);
    auto stored = live_.server().get(resource, kTestNamespace, name);
    return cached && *cached && stored &&
           (**cached)["metadata"]["resourceVersion"] == (*stored)["metadata"]["resourceVersion"];
  };
  ASSERT_TRUE(eventually(
      [&] {
        return cached_is_current(api::resources::kEtcdCopyBackupsTasks, kTasks, "copy") &&
               cached_is_current(api::resources::kEtcdCopyBackupsTasks, kTasks, "bad") &&
               cached_is_current(kube::resources::kJobs, kJobs, "copy-worker");
      },
      seconds(20)));
  ASSERT_TRUE(eventually(
      [&] {
        const auto metrics = run_.manager().controller_metrics();
        return !metrics.empty() && metrics[0].queue.depth == 0 && metrics[0].queue.waiting == 0 &&
               metrics[0].queue.processing == 0;
      },
      seconds(20)));
  ASSERT_TRUE(run_.manager().event_recorder().flush(seconds(10)));
  const auto counts_before = operator_client_->request_counts();
  for (int round = 0; round < 3; ++round) {
    const std::uint64_t done = reconciles();
    wiring_->controller->enqueue({kTestNamespace, "copy"});
    wiring_->controller->enqueue({kTestNamespace, "bad"});
    ASSERT_TRUE(eventually([&] { return reconciles() >= done + 2; }, seconds(20)));
  }
  EXPECT_EQ(operator_client_->request_counts(), counts_before);
}

// As a user runs it: the example applied with kubectl, the columns the CRD
// defines, the Job, and deletion with kubectl.
TEST_F(EtcdCopyBackupsTaskControllerTest, KubectlWorkflowWithTheExample) {
  if (!kubectl_available()) GTEST_SKIP() << "kubectl is not installed";
  const Kubectl kubectl(live_.server());
  if (!live_.server().get("namespaces", "", "default")) {
    ASSERT_EQ(kube::test::create_namespace(live_.client(), "default"), "");
  }
  start();
  for (const char* secret : {"etcd-backup", "etcd-backup-target"}) {
    const auto created = kubectl(std::string("-n default create secret generic ") + secret +
                                 " --from-literal=hostPath=/srv/" + secret);
    ASSERT_EQ(created.exit_code, 0) << created.output;
  }
  const auto applied = kubectl("apply -f examples/etcdcopybackupstask.yaml");
  ASSERT_EQ(applied.exit_code, 0) << applied.output;
  EXPECT_EQ(applied.output,
            "etcdcopybackupstask.druid.gardener.cloud/etcd-main-copy-backups created\n");
  ASSERT_TRUE(eventually(
      [&] {
        return live_.server().get(kJobs, "default", "etcd-main-copy-backups-worker").has_value();
      },
      seconds(20)));

  const auto listed = kubectl("-n default get etcdcopybackupstask");
  ASSERT_EQ(listed.exit_code, 0) << listed.output;
  const std::regex table(
      "NAME +AGE\n"
      "etcd-main-copy-backups +[0-9]+s\n");
  EXPECT_TRUE(std::regex_match(listed.output, table)) << listed.output;

  const auto job_volumes = kubectl(
      "-n default get job etcd-main-copy-backups-worker -o "
      "jsonpath='{.spec.template.spec.volumes[*].hostPath.path}'");
  EXPECT_EQ(job_volumes.output, "/srv/etcd-backup/default.bkp /srv/etcd-backup-target/target.bkp");
  const auto generation = kubectl(
      "-n default get etcdcopybackupstask etcd-main-copy-backups -o "
      "jsonpath='{.status.observedGeneration}'");
  EXPECT_EQ(generation.output, "1");

  const auto deleted = kubectl("-n default delete etcdcopybackupstask etcd-main-copy-backups");
  ASSERT_EQ(deleted.exit_code, 0) << deleted.output;
  EXPECT_FALSE(live_.server().get(kTasks, "default", "etcd-main-copy-backups").has_value());
  EXPECT_FALSE(live_.server().get(kJobs, "default", "etcd-main-copy-backups-worker").has_value());
}

}  // namespace
}  // namespace druid::test
