// The EtcdCopyBackupsTask and Secret reconcilers driven directly over the in-memory API
// (support/in_memory_cluster.hpp): each reconcile() is called by the test, so the objects
// afterwards are that reconcile's own doing. The HTTPS suites
// (etcd_copy_backups_task_controller_test, secret_controller_test) run the same reconcilers through
// a manager and informers.
#include <gtest/gtest.h>

#include <string>

#include "api/annotations.hpp"
#include "api/image_vector.hpp"
#include "api/resources.hpp"
#include "controller/etcdcopybackupstask/reconciler.hpp"
#include "controller/secret/reconciler.hpp"
#include "support/fixtures.hpp"
#include "support/in_memory_cluster.hpp"

namespace druid::controller {
namespace {

using nlohmann::json;
using test::kTestNamespace;

json store(const std::string& provider, const std::string& container) {
  return {{"prefix", std::string(kTestNamespace) + "--etcd-main"},
          {"container", container},
          {"provider", provider},
          {"secretRef", {{"name", container + "-secret"}}}};
}

class InMemoryReconcilerTest : public ::testing::Test {
 protected:
  InMemoryReconcilerTest() { EXPECT_TRUE(cluster_.create_namespace(kTestNamespace)); }

  json get(const util::ResourceType& type, const std::string& name) {
    auto got = cluster_.get(type, kTestNamespace, name);
    return got ? *got : json();
  }
  json finalizers(const util::ResourceType& type, const std::string& name) {
    return get(type, name)["metadata"].value("finalizers", json::array());
  }

  test::InMemoryCluster cluster_;
};

// --- EtcdCopyBackupsTask ------------------------------------------------------------------

class CopyBackupsTaskInMemoryTest : public InMemoryReconcilerTest {
 protected:
  void create_task(const std::string& name, const json& source, const json& target) {
    const json task = {{"apiVersion", "druid.gardener.cloud/v1alpha1"},
                       {"kind", "EtcdCopyBackupsTask"},
                       {"metadata", {{"name", name}, {"namespace", kTestNamespace}}},
                       {"spec", {{"sourceStore", source}, {"targetStore", target}}}};
    auto created = cluster_.create(api::resources::kEtcdCopyBackupsTasks, kTestNamespace, task);
    ASSERT_TRUE(created) << created.error().what();
  }
  kube::ReconcileOutcome reconcile(const std::string& name) {
    return reconciler_.reconcile({kTestNamespace, name});
  }
  json task_status(const std::string& name) {
    return get(api::resources::kEtcdCopyBackupsTasks, name).value("status", json::object());
  }

  etcdcopybackupstask::EtcdCopyBackupsTaskReconciler reconciler_{
      {cluster_, cluster_.reader(), api::embedded_image_vector()}, {}};
};

TEST_F(CopyBackupsTaskInMemoryTest, CreatesTheJobWithTheFinalizerAndThenWritesNothing) {
  create_task("copy", store("aws", "old-bucket"), store("gcp", "new-bucket"));
  ASSERT_TRUE(reconcile("copy"));

  const json job = get(kube::resources::kJobs, "copy-worker");
  ASSERT_FALSE(job.is_null());
  EXPECT_EQ(job["metadata"]["ownerReferences"][0]["uid"],
            get(api::resources::kEtcdCopyBackupsTasks, "copy")["metadata"]["uid"]);
  EXPECT_EQ(job["spec"]["template"]["spec"]["containers"][0]["args"][2], "--storage-provider=GCS");
  EXPECT_EQ(finalizers(api::resources::kEtcdCopyBackupsTasks, "copy"),
            json::array({api::kEtcdDruidFinalizer}));
  EXPECT_EQ(task_status("copy")["observedGeneration"], 1);

  cluster_.controls().reset_counts();
  ASSERT_TRUE(reconcile("copy"));
  EXPECT_EQ(cluster_.controls().write_count(), 0);
}

TEST_F(CopyBackupsTaskInMemoryTest, TheJobsFailedConditionBecomesTheTasks) {
  create_task("broken", store("aws", "old-bucket"), store("gcp", "new-bucket"));
  ASSERT_TRUE(reconcile("broken"));
  const json condition = {{"type", "Failed"},
                          {"status", "True"},
                          {"reason", "BackoffLimitExceeded"},
                          {"message", "Job has reached the specified backoff limit"},
                          {"lastProbeTime", "2026-12-06T10:05:00Z"},
                          {"lastTransitionTime", "2026-12-06T10:04:00Z"}};
  ASSERT_TRUE(cluster_.patch(kube::resources::kJobs, kTestNamespace, "broken-worker",
                             kube::PatchType::kMerge,
                             {{"status", {{"conditions", json::array({condition})}}}}, "status"));
  ASSERT_TRUE(reconcile("broken"));
  const json failed = task_status("broken")["conditions"][0];
  EXPECT_EQ(failed["type"], "Failed");
  EXPECT_EQ(failed["reason"], "BackoffLimitExceeded");
  EXPECT_EQ(failed["message"], "Job has reached the specified backoff limit");
}

TEST_F(CopyBackupsTaskInMemoryTest, TheSameStoreTwiceIsReportedWithoutAJob) {
  create_task("same", store("aws", "bucket"), store("S3", "bucket"));
  ASSERT_TRUE(reconcile("same"));
  EXPECT_TRUE(get(kube::resources::kJobs, "same-worker").is_null());
  const std::string message = task_status("same")["lastError"];
  EXPECT_NE(message.find("spec.targetStore: the target store is the source store"),
            std::string::npos)
      << message;
}

TEST_F(CopyBackupsTaskInMemoryTest, AFailedJobCreateFailsTheReconcileAndTheRetryCreatesIt) {
  create_task("copy", store("aws", "old-bucket"), store("gcp", "new-bucket"));
  cluster_.controls().fail_next("create", "jobs", 500);
  EXPECT_FALSE(reconcile("copy"));
  EXPECT_TRUE(get(kube::resources::kJobs, "copy-worker").is_null());
  ASSERT_TRUE(reconcile("copy"));
  EXPECT_FALSE(get(kube::resources::kJobs, "copy-worker").is_null());
}

// --- Secret -------------------------------------------------------------------------------

class SecretInMemoryTest : public InMemoryReconcilerTest {
 protected:
  kube::ReconcileOutcome reconcile() { return reconciler_.reconcile({kTestNamespace, "backup"}); }
  void create_etcd_referencing_it() {
    json etcd = test::base_etcd_json();
    etcd["metadata"].erase("uid");
    test::add_store(etcd);
    etcd["spec"]["backup"]["store"]["secretRef"] = {{"name", "backup"}};
    ASSERT_TRUE(cluster_.create(api::resources::kEtcds, kTestNamespace, etcd));
  }
  json secret_finalizers() { return finalizers(kube::resources::kSecrets, "backup"); }

  secret::SecretReconciler reconciler_{{cluster_, cluster_.reader()}};
};

TEST_F(SecretInMemoryTest, AReferencedSecretGetsTheFinalizerAndAnUnreferencedOneLosesIt) {
  const json secret = {{"apiVersion", "v1"},
                       {"kind", "Secret"},
                       {"metadata", {{"name", "backup"}, {"namespace", kTestNamespace}}}};
  ASSERT_TRUE(cluster_.create(kube::resources::kSecrets, kTestNamespace, secret));
  ASSERT_TRUE(reconcile());
  EXPECT_EQ(secret_finalizers(), json::array());

  create_etcd_referencing_it();
  ASSERT_TRUE(reconcile());
  EXPECT_EQ(secret_finalizers(), json::array({api::kEtcdDruidFinalizer}));
  cluster_.controls().reset_counts();
  ASSERT_TRUE(reconcile());
  EXPECT_EQ(cluster_.controls().write_count(), 0);

  ASSERT_TRUE(cluster_.remove(api::resources::kEtcds, kTestNamespace, test::kTestEtcdName));
  ASSERT_TRUE(reconcile());
  EXPECT_EQ(secret_finalizers(), json::array());
}

TEST_F(SecretInMemoryTest, AConflictFailsTheReconcileAndTheRetryAddsTheFinalizer) {
  const json secret = {{"apiVersion", "v1"},
                       {"kind", "Secret"},
                       {"metadata", {{"name", "backup"}, {"namespace", kTestNamespace}}}};
  ASSERT_TRUE(cluster_.create(kube::resources::kSecrets, kTestNamespace, secret));
  create_etcd_referencing_it();
  cluster_.controls().fail_next("patch", "secrets", 409);
  EXPECT_FALSE(reconcile());
  EXPECT_EQ(secret_finalizers(), json::array());
  ASSERT_TRUE(reconcile());
  EXPECT_EQ(secret_finalizers(), json::array({api::kEtcdDruidFinalizer}));
}

}  // namespace
}  // namespace druid::controller
