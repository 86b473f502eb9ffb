// The compaction controller against the test API server (issue 14, item 1):
// the snapshot leases start a cycle, a Job appears once, its completion is
// written to LastSnapshotCompactionSucceeded with upstream's reasons and
// messages and the Job goes; a Job that ran out of time makes the next cycle
// take a full snapshot through the backup sidecar (a fake here: the HTTP
// client is tested in test/operator/backup_sidecar_client_test.cpp); a failed
// full snapshot is a Warning Event and is retried; an existing Job is
// adopted; nothing is written in steady state.
#include <gtest/gtest.h>

#include <string>

#include "api/image_vector.hpp"
#include "api/resources.hpp"
#include "controller/compaction/job_builder.hpp"
#include "controller/compaction/setup.hpp"
#include "support/controller_harness.hpp"
#include "support/eventually.hpp"
#include "support/fixtures.hpp"
#include "support/live_server.hpp"

namespace druid::test {
namespace {

using controller::etcdopstask::SnapshotAnswer;
using controller::etcdopstask::SnapshotCall;
using controller::etcdopstask::SnapshotCallError;
using kube::test::eventually;
using nlohmann::json;
using std::chrono::seconds;

constexpr const char* kJobName = "etcd-main-compactor";

using FakeSidecar = FakeBackupSidecar;

class CompactionControllerTest : public ControllerTest {
 protected:
  void TearDown() override {
    sidecar_.release();
    stop();
  }

  void start(std::chrono::milliseconds requeue_interval = std::chrono::milliseconds(100)) {
    run_.start(*operator_client_, [&](kube::Manager& manager) {
      controller::compaction::CompactionControllerConfig config;
      config.workers = 2;
      config.events_threshold = 1000;
      config.trigger_full_snapshot_threshold = 3000;
      config.requeue_interval = requeue_interval;
      wiring_ = controller::compaction::add_compaction_controller(
          manager, api::embedded_image_vector(), sidecar_, config);
    });
  }
  void stop() { run_.stop(); }

  void create_etcd() {
    json etcd = base_etcd_json(3);
    etcd["metadata"].erase("uid");
    etcd["metadata"].erase("generation");
    add_store(etcd, "aws");
    auto created = live_.client().create(api::resources::kEtcds, kTestNamespace, etcd);
    ASSERT_TRUE(created) << created.error().what();
    etcd_ = *created;
  }
  json owner_reference() const {
    return {{"apiVersion", "druid.gardener.cloud/v1alpha1"},
            {"kind", "Etcd"},
            {"name", kTestEtcdName},
            {"uid", etcd_["metadata"]["uid"]},
            {"controller", true},
            {"blockOwnerDeletion", true}};
  }
  // A snapshot lease as the Etcd controller creates it, with the revision
  // backup-restore writes.
  void create_lease(const std::string& name, const std::string& holder) {
    json lease = {{"apiVersion", "coordination.k8s.io/v1"},
                  {"kind", "Lease"},
                  {"metadata",
                   {{"name", name},
                    {"namespace", kTestNamespace},
                    {"labels",
                     {{"app.kubernetes.io/managed-by", "etcd-druid"},
                      {"app.kubernetes.io/part-of", kTestEtcdName},
                      {"app.kubernetes.io/component", "etcd-snapshot-lease"}}},
                    {"ownerReferences", json::array({owner_reference()})}}},
                  {"spec", {{"holderIdentity", holder}}}};
    auto created = live_.client().create(kube::resources::kLeases, kTestNamespace, lease);
    ASSERT_TRUE(created) << created.error().what();
  }
  void set_holder(const std::string& name, const std::string& holder) {
    auto patched =
        live_.client().patch(kube::resources::kLeases, kTestNamespace, name,
                             kube::PatchType::kMerge, {{"spec", {{"holderIdentity", holder}}}});
    ASSERT_TRUE(patched) << patched.error().what();
  }
  void create_leases(const std::string& full, const std::string& delta) {
    create_lease("etcd-main-full-snap", full);
    create_lease("etcd-main-delta-snap", delta);
  }

  std::optional<json> job() {
    auto got = live_.client().get(kube::resources::kJobs, kTestNamespace, kJobName);
    if (!got) return std::nullopt;
    return *got;
  }
  // What the Job controller writes when the job ends.
  void finish_job(const json& status) {
    auto patched = live_.client().patch(kube::resources::kJobs, kTestNamespace, kJobName,
                                        kube::PatchType::kMerge, {{"status", status}}, "status");
    ASSERT_TRUE(patched) << patched.error().what();
  }
  static json deadline_exceeded_status() {
    return {{"failed", 1},
            {"startTime", "2026-12-01T10:00:00Z"},
            {"conditions", json::array({{{"type", "Failed"},
                                         {"status", "True"},
                                         {"reason", "DeadlineExceeded"},
                                         {"lastTransitionTime", "2026-12-01T13:00:00Z"}}})}};
  }

  json compaction_condition() {
    auto etcd = live_.client().get(api::resources::kEtcds, kTestNamespace, kTestEtcdName);
    if (!etcd) return nullptr;
    for (const auto& condition :
         etcd->value("status", json::object()).value("conditions", json::array())) {
      if (condition.value("type", "") == "LastSnapshotCompactionSucceeded") return condition;
    }
    return nullptr;
  }
  bool wait_for_reason(const std::string& reason) {
    return eventually(
        [&] {
          const json c = compaction_condition();
          return c.is_object() && c.value("reason", "") == reason;
        },
        seconds(20));
  }

  std::uint64_t requests(const std::string& method) {
    return requests_sent(*operator_client_, {method.c_str()});
  }
  std::uint64_t writes() { return writes_sent(*operator_client_); }
  std::uint64_t reconciles() {
    std::uint64_t total = 0;
    for (const auto& [result, count] : wiring_->controller->metrics().reconcile_total) {
      total += count;
    }
    return total;
  }

  FakeSidecar sidecar_;
  json etcd_;
  std::unique_ptr<controller::compaction::CompactionController> wiring_;
  ManagerRun run_;
};

TEST_F(CompactionControllerTest, AJobCompactsAndIsDeletedWhenComplete) {
  create_etcd();
  create_leases("100", "1200");
  start();
  ASSERT_TRUE(eventually([&] { return job().has_value(); }, seconds(20)));
  const json created = *job();
  EXPECT_EQ(created["metadata"]["labels"]["app.kubernetes.io/component"],
            "etcd-snapshot-compaction-job");
  EXPECT_EQ(created["metadata"]["ownerReferences"][0]["uid"], etcd_["metadata"]["uid"]);
  // Another lease change while the job runs changes nothing.
  set_holder("etcd-main-delta-snap", "1300");
  ASSERT_TRUE(eventually([&] { return reconciles() >= 2; }, seconds(20)));
  EXPECT_EQ(requests("POST"), 1u);  // one Job, no Event

  // The compactor moves the full-snapshot lease forward, then ends.
  set_holder("etcd-main-full-snap", "1300");
  finish_job(completed_job_status());
  ASSERT_TRUE(wait_for_reason("None")) << compaction_condition().dump(2);
  const json condition = compaction_condition();
  EXPECT_EQ(condition["status"], "True");
  EXPECT_EQ(condition["message"],
            "Compaction job shoot--dev--test/etcd-main-compactor completed with state None");
  EXPECT_FALSE(condition.value("lastTransitionTime", "").empty());
  ASSERT_TRUE(eventually([&] { return !job().has_value(); }, seconds(20)));
  // The client counts a request once its answer is read.
  ASSERT_TRUE(eventually([&] { return requests("DELETE") == 1; }, seconds(20)));
  EXPECT_TRUE(sidecar_.calls().empty());
  // The cycle after the deletion reads the leases the compactor moved.
  ASSERT_TRUE(eventually(
      [&] {
        const auto gauges = wiring_->metrics->snapshot().num_delta_events;
        return gauges.contains(kTestNamespace) && gauges.at(kTestNamespace) == 0.0;
      },
      seconds(20)));

  const auto snapshot = wiring_->metrics->snapshot();
  EXPECT_EQ((snapshot.jobs_total.at({"true", "none", kTestNamespace})), 1u);
  EXPECT_EQ((snapshot.job_duration_seconds.at({"true", "none", kTestNamespace}).sum), 300.0);
  EXPECT_EQ(snapshot.jobs_current.at(kTestNamespace), 0.0);

  // Steady state: a new delta below the threshold is read and nothing written.
  const auto writes_before = writes();
  const auto reconciles_before = reconciles();
  set_holder("etcd-main-delta-snap", "1400");
  ASSERT_TRUE(eventually([&] { return reconciles() > reconciles_before; }, seconds(20)));
  EXPECT_EQ(writes(), writes_before);
  EXPECT_FALSE(job().has_value());
}

TEST_F(CompactionControllerTest, ADeadlineExceededJobIsFollowedByAFullSnapshot) {
  create_etcd();
  create_leases("100", "1200");
  start();
  ASSERT_TRUE(eventually([&] { return job().has_value(); }, seconds(20)));
  finish_job(deadline_exceeded_status());

  // The condition first says why, then the next cycle takes a full snapshot
  // whatever the revisions.
  ASSERT_TRUE(eventually([&] { return sidecar_.calls().size() == 1; }, seconds(20)));
  ASSERT_TRUE(wait_for_reason("FullSnapshotTakenSuccessfully")) << compaction_condition().dump(2);
  const json condition = compaction_condition();
  EXPECT_EQ(condition["status"], "True");
  EXPECT_EQ(condition["message"],
            "Full snapshot taken successfully for etcd shoot--dev--test/etcd-main");
  const auto call = sidecar_.calls()[0];
  EXPECT_EQ(call.method, "GET");
  EXPECT_EQ(call.url,
            "http://etcd-main-client.shoot--dev--test.svc.cluster.local:8080/snapshot/full");
  EXPECT_EQ(call.timeout, seconds(900));
  EXPECT_TRUE(call.ca_pem.empty());
  EXPECT_FALSE(job().has_value());
  const auto snapshot = wiring_->metrics->snapshot();
  EXPECT_EQ((snapshot.jobs_total.at({"false", "deadlineExceeded", kTestNamespace})), 1u);
  EXPECT_EQ((snapshot.job_duration_seconds.at({"false", "deadlineExceeded", kTestNamespace}).sum),
            10800.0);
  EXPECT_EQ((snapshot.full_snapshot_triggered_total.at({"true", kTestNamespace})), 1u);
}

TEST_F(CompactionControllerTest, TheDeadlineExceededConditionSaysCompactionWillBeRetried) {
  create_etcd();
  create_leases("100", "1200");
  sidecar_.answer({SnapshotAnswer{503, "busy"}});
  sidecar_.hold();  // the full snapshot that follows waits until the condition was read
  start();
  ASSERT_TRUE(eventually([&] { return job().has_value(); }, seconds(20)));
  finish_job(deadline_exceeded_status());
  ASSERT_TRUE(wait_for_reason("DeadlineExceeded")) << compaction_condition().dump(2);
  const json condition = compaction_condition();
  EXPECT_EQ(condition["status"], "False");
  EXPECT_EQ(condition["message"],
            "Compaction job shoot--dev--test/etcd-main-compactor completed with state "
            "DeadlineExceeded, Compaction will be retried");
  ASSERT_TRUE(eventually([&] { return !job().has_value(); }, seconds(20)));

  // The next cycle asks for a full snapshot, which fails here.
  ASSERT_TRUE(eventually([&] { return sidecar_.calls().size() == 1; }, seconds(20)));
  sidecar_.release();
  ASSERT_TRUE(wait_for_reason("ErrorTriggeringFullSnapshot")) << compaction_condition().dump(2);
  EXPECT_EQ(compaction_condition()["message"],
            "Error while triggering full snapshot for etcd shoot--dev--test/etcd-main: failed to "
            "take full snapshot, received status code: 503 ,Compaction will be retried");
  EXPECT_FALSE(job().has_value());
}

TEST_F(CompactionControllerTest, AFailedFullSnapshotIsAWarningAndIsRetried) {
  create_etcd();
  create_leases("100", "5000");  // beyond the upper threshold: no Job
  sidecar_.answer(
      {SnapshotAnswer{500, "no"}, SnapshotAnswer{500, "no"}, SnapshotAnswer{200, "{}"}});
  start();
  ASSERT_TRUE(wait_for_reason("ErrorTriggeringFullSnapshot")) << compaction_condition().dump(2);
  const json failed = compaction_condition();
  EXPECT_EQ(failed["status"], "False");
  EXPECT_EQ(failed["message"],
            "Error while triggering full snapshot for etcd shoot--dev--test/etcd-main: failed to "
            "take full snapshot, received status code: 500 ,Compaction will be retried");
  ASSERT_TRUE(eventually(
      [&] {
        auto events = live_.client().list(kube::resources::kEvents, kTestNamespace, {});
        if (!events) return false;
        for (const auto& event : events->value("items", json::array())) {
          if (event.value("type", "") == "Warning" &&
              event.value("reason", "") == "ErrorTriggeringFullSnapshot" &&
              event["involvedObject"].value("name", "") == kTestEtcdName) {
            return true;
          }
        }
        return false;
      },
      seconds(20)));

  // Retried with backoff until the sidecar takes it.
  ASSERT_TRUE(wait_for_reason("FullSnapshotTakenSuccessfully")) << compaction_condition().dump(2);
  EXPECT_EQ(sidecar_.calls().size(), 3u);
  EXPECT_FALSE(job().has_value());
  const auto snapshot = wiring_->metrics->snapshot();
  EXPECT_EQ((snapshot.full_snapshot_triggered_total.at({"false", kTestNamespace})), 2u);
  EXPECT_EQ((snapshot.full_snapshot_triggered_total.at({"true", kTestNamespace})), 1u);
}

TEST_F(CompactionControllerTest, AJobFromAnEarlierRunIsAdoptedNotDuplicated) {
  create_etcd();
  auto built =
      controller::compaction::build_compaction_job(decode(etcd_), api::embedded_image_vector(), {});
  ASSERT_TRUE(built) << built.error().message;
  ASSERT_TRUE(live_.client().create(kube::resources::kJobs, kTestNamespace, *built));
  create_leases("100", "1200");
  start();
  ASSERT_TRUE(eventually([&] { return reconciles() >= 1; }, seconds(20)));
  set_holder("etcd-main-delta-snap", "1500");
  ASSERT_TRUE(eventually([&] { return reconciles() >= 2; }, seconds(20)));
  EXPECT_EQ(requests("POST"), 0u);

  set_holder("etcd-main-full-snap", "1500");  // what the compactor does before it ends
  finish_job(completed_job_status());
  ASSERT_TRUE(wait_for_reason("None")) << compaction_condition().dump(2);
  ASSERT_TRUE(eventually([&] { return requests("DELETE") == 1; }, seconds(20)));
  EXPECT_FALSE(job().has_value());
  EXPECT_EQ(requests("POST"), 0u);
}

TEST_F(CompactionControllerTest, EtcdWithoutBackupStoreLosesItsJob) {
  create_etcd();
  create_leases("100", "1200");
  start();
  ASSERT_TRUE(eventually([&] { return job().has_value(); }, seconds(20)));
  auto patched =
      live_.client().patch(api::resources::kEtcds, kTestNamespace, kTestEtcdName,
                           kube::PatchType::kMerge, {{"spec", {{"backup", {{"store", nullptr}}}}}});
  ASSERT_TRUE(patched) << patched.error().what();
  // Etcd events do not trigger the controller; the next lease change does. The lease and Etcd
  // informers are apart, so a lease event may arrive before the Etcd cache holds the patch: the
  // delta lease keeps renewing, as backup-restore's does every period, until the Job is gone.
  int revision = 1300;
  ASSERT_TRUE(eventually(
      [&] {
        set_holder("etcd-main-delta-snap", std::to_string(revision++));
        return eventually([&] { return !job().has_value(); }, std::chrono::milliseconds(200));
      },
      seconds(20)));
}

}  // namespace
}  // namespace druid::test
