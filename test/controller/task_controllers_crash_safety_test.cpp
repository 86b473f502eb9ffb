// Crash safety of the EtcdOpsTask, EtcdCopyBackupsTask, compaction and Secret
// controllers (issue 14): the operator dies after its k-th write, for every k
// of an uninterrupted run, a new process starts, and the objects end as the
// uninterrupted run left them (no second Job, no second snapshot once one was
// recorded). And a new process on a converged state writes nothing, however
// often each object is reconciled.
//
// The API server lets k writes through and answers 503 to every later one
// (Controls::limit_writes); the process is stopped once it tried one more.
// What the cluster does meanwhile (the Job controller, the compactor,
// backup-restore) goes straight into the server's store, so it neither counts
// nor is refused.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "api/annotations.hpp"
#include "api/etcd_copy_backups_task.hpp"
#include "api/image_vector.hpp"
#include "api/resources.hpp"
#include "controller/compaction/setup.hpp"
#include "controller/etcdcopybackupstask/job_builder.hpp"
#include "controller/etcdcopybackupstask/setup.hpp"
#include "controller/etcdopstask/setup.hpp"
#include "controller/secret/setup.hpp"
#include "support/controller_harness.hpp"
#include "support/eventually.hpp"
#include "support/fixtures.hpp"
#include "support/live_server.hpp"
#include "support/object_state.hpp"

namespace druid::test {
namespace {

using kube::test::eventually;
using nlohmann::json;
using std::chrono::seconds;

constexpr const char* kEtcds = "etcds.druid.gardener.cloud";
constexpr const char* kOpsTasks = "etcdopstasks.druid.gardener.cloud";
constexpr const char* kCopyTasks = "etcdcopybackupstasks.druid.gardener.cloud";
constexpr const char* kJobs = "jobs.batch";
constexpr const char* kLeases = "leases.coordination.k8s.io";
constexpr const char* kSecrets = "secrets";
constexpr const char* kForeignFinalizer = "example.com/keep";

// The objects of `resources` in the test namespace by "<resource>/<name>",
// without the fields the server, the clock or a run's id decide (wherever
// they are); each Job's controller owns no other Job.
json objects_of(kube::test::LiveServer& live, const std::vector<std::string>& resources) {
  json state = json::object();
  std::map<std::string, int> jobs_per_owner;
  for (const auto& resource : resources) {
    for (json object : live.server().core().list_objects(resource, kTestNamespace)) {
      if (resource == kJobs) {
        for (const auto& owner : object["metadata"].value("ownerReferences", json::array())) {
          if (owner.value("controller", false)) {
            EXPECT_EQ(++jobs_per_owner[owner.value("name", "")], 1)
                << "a second Job for " << owner.value("name", "") << ": "
                << object["metadata"].value("name", "");
          }
        }
      }
      strip_volatile(object, {.fields = VolatileFields::kServerAndClockAnywhere});
      const std::string key = resource + "/" + object["metadata"].value("name", "");
      state[key] = std::move(object);
    }
  }
  return state;
}

// Plays the cluster while a test runs: `step` every few milliseconds on a
// thread of its own, until the player goes.
class ClusterPlayer {
 public:
  explicit ClusterPlayer(std::function<void()> step)
      : thread_([this, step = std::move(step)] {
          while (!stop_.load()) {
            step();
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
          }
        }) {}
  ~ClusterPlayer() {
    stop_.store(true);
    thread_.join();
  }
  ClusterPlayer(const ClusterPlayer&) = delete;
  ClusterPlayer& operator=(const ClusterPlayer&) = delete;

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// One operator process after another against one API server. A world
// prepares the objects before the first start, adds its controller, says
// when everything is done and what the result is.
class World {
 public:
  World() = default;
  virtual ~World() = default;
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  // Creates what the operator finds when it first starts.
  virtual void prepare() = 0;
  virtual void add_controller(kube::Manager& manager) = 0;
  virtual kube::Controller& controller() = 0;
  // Everything the uninterrupted run does is done.
  virtual bool converged() = 0;
  // What must be equal between runs.
  virtual json state() = 0;
  // The objects the controller reconciles (its queue's keys).
  virtual std::vector<kube::Request> keys() = 0;
  // Called once the crashed process stopped (k writes went through).
  virtual void crashed() {}
  // Checks what the state cannot show once the restarted process converged.
  virtual void check_after_restart() {}

  void setup() {
    ASSERT_NO_FATAL_FAILURE(prepare_controller_server(live_));
    operator_client_ = live_.make_client();
    ASSERT_NO_FATAL_FAILURE(prepare());
  }
  void start() {
    run_.start(*operator_client_, [this](kube::Manager& manager) { add_controller(manager); });
  }
  void stop() { run_.stop(); }
  druid::testing::Controls& controls() { return live_.server().controls(); }
  std::uint64_t reconciles() {
    std::uint64_t total = 0;
    for (const auto& [result, count] : controller().metrics().reconcile_total) total += count;
    return total;
  }
  bool idle() {
    const auto metrics = controller().metrics();
    return metrics.queue.depth == 0 && metrics.queue.processing == 0 && metrics.active_workers == 0;
  }

 protected:
  kube::test::LiveServer live_;
  std::unique_ptr<kube::Client> operator_client_;
  ManagerRun run_;  // stopped before a derived world's wiring goes
};

constexpr auto kConverge = seconds(20);

// A process started on the converged state of `world` sends no write, neither
// while it catches up nor when every object is reconciled three times more.
void expect_restart_on_converged_state_writes_nothing(World& world) {
  world.controls().reset_counts();
  world.start();
  const auto keys = world.keys();
  ASSERT_TRUE(
      eventually([&] { return world.reconciles() >= keys.size() && world.idle(); }, kConverge));
  for (int round = 0; round < 3; ++round) {
    const auto done = world.reconciles();
    for (const auto& key : keys) world.controller().enqueue(key);
    ASSERT_TRUE(eventually([&] { return world.reconciles() >= done + keys.size() && world.idle(); },
                           kConverge));
  }
  world.stop();
  EXPECT_EQ(world.controls().write_count(), 0) << world.controls().counts_json().dump();
}

// The uninterrupted run, then for every k a run that dies after its k-th
// write and a second process that finishes; each ends in the first run's
// state. `min_writes` guards against a scenario that lost its substance.
template <class W>
void expect_restart_after_any_write_converges(std::int64_t min_writes) {
  json expected;
  std::int64_t total_writes = 0;
  {
    W world;
    ASSERT_NO_FATAL_FAILURE(world.setup());
    world.controls().reset_counts();
    world.start();
    ASSERT_TRUE(eventually([&] { return world.converged(); }, kConverge)) << world.state().dump(2);
    world.stop();
    total_writes = world.controls().write_count();
    expected = world.state();
    ASSERT_NO_FATAL_FAILURE(world.check_after_restart());
    ASSERT_NO_FATAL_FAILURE(expect_restart_on_converged_state_writes_nothing(world));
    EXPECT_EQ(world.state(), expected) << "the idle process changed something";
  }
  ASSERT_GE(total_writes, min_writes);
  for (std::int64_t k = 1; k < total_writes; ++k) {
    SCOPED_TRACE("crash after write " + std::to_string(k));
    W world;
    ASSERT_NO_FATAL_FAILURE(world.setup());
    world.controls().reset_counts();
    world.controls().limit_writes(k);
    world.start();
    // The (k+1)-th write was refused (or this run needed fewer): the
    // operator is dead from there on.
    ASSERT_TRUE(eventually([&] { return world.controls().write_count() > k || world.converged(); },
                           kConverge));
    world.stop();
    world.crashed();
    world.controls().clear();
    world.start();
    ASSERT_TRUE(eventually([&] { return world.converged(); }, kConverge)) << world.state().dump(2);
    world.stop();
    EXPECT_EQ(world.state(), expected);
    world.check_after_restart();
  }
}

// --- EtcdOpsTask ------------------------------------------------------------------

// "snap" takes a full snapshot of etcd-main and stays (TTL one hour);
// "orphan" names an Etcd that does not exist, is rejected and deletes itself
// after its TTL of one second.
class OpsTaskWorld : public World {
 public:
  ~OpsTaskWorld() override { stop(); }

  void prepare() override {
    json etcd = base_etcd_json(3);
    etcd["metadata"].erase("uid");
    etcd["metadata"].erase("generation");
    add_store(etcd);
    auto created = live_.client().create(api::resources::kEtcds, kTestNamespace, etcd);
    ASSERT_TRUE(created) << created.error().what();
    const json ready = {
        {"status",
         {{"conditions", json::array({{{"type", "Ready"},
                                       {"status", "True"},
                                       {"lastTransitionTime", "2026-12-01T10:00:00Z"},
                                       {"lastUpdateTime", "2026-12-01T10:00:00Z"},
                                       {"reason", "Quorate"},
                                       {"message", "set by the test"}}})}}}};
    auto patched = live_.client().patch(api::resources::kEtcds, kTestNamespace, kTestEtcdName,
                                        kube::PatchType::kMerge, ready, "status");
    ASSERT_TRUE(patched) << patched.error().what();
    create_task("snap", kTestEtcdName, std::nullopt);
    create_task("orphan", "etcd-missing", 1);
  }
  void add_controller(kube::Manager& manager) override {
    controller::etcdopstask::EtcdOpsTaskControllerConfig config;
    config.workers = 2;
    config.requeue_interval = std::chrono::milliseconds(200);
    wiring_ = controller::etcdopstask::add_etcd_ops_task_controller(manager, sidecar_, config);
  }
  kube::Controller& controller() override { return *wiring_->controller; }
  bool converged() override {
    auto snap = live_.server().get(kOpsTasks, kTestNamespace, "snap");
    return snap && snap->value("status", json::object()).value("state", "") == "Succeeded" &&
           !live_.server().get(kOpsTasks, kTestNamespace, "orphan");
  }
  json state() override { return objects_of(live_, {kOpsTasks}); }
  std::vector<kube::Request> keys() override { return {{kTestNamespace, "snap"}}; }

  // The snapshot a restarted process asks for again is the one whose outcome
  // was not written; once Succeeded is written there is none.
  void crashed() override {
    calls_at_crash_ = sidecar_.calls().size();
    auto snap = live_.server().get(kOpsTasks, kTestNamespace, "snap");
    recorded_at_crash_ =
        snap && snap->value("status", json::object()).value("state", "") == "Succeeded";
  }
  void check_after_restart() override {
    const std::size_t calls = sidecar_.calls().size() - calls_at_crash_;
    if (recorded_at_crash_) {
      EXPECT_EQ(calls, 0u) << "a recorded snapshot was taken again";
    } else {
      EXPECT_LE(calls, 1u);
    }
  }

 private:
  void create_task(const std::string& name, const std::string& etcd, std::optional<int> ttl) {
    json task = {
        {"apiVersion", "druid.gardener.cloud/v1alpha1"},
        {"kind", "EtcdOpsTask"},
        {"metadata", {{"name", name}, {"namespace", kTestNamespace}}},
        {"spec", {{"etcdName", etcd}, {"config", {{"onDemandSnapshot", {{"type", "full"}}}}}}}};
    if (ttl) task["spec"]["ttlSecondsAfterFinished"] = *ttl;
    auto created = live_.client().create(api::resources::kEtcdOpsTasks, kTestNamespace, task);
    ASSERT_TRUE(created) << created.error().what();
  }

  FakeBackupSidecar sidecar_;
  std::size_t calls_at_crash_ = 0;
  bool recorded_at_crash_ = false;
  std::unique_ptr<controller::etcdopstask::EtcdOpsTaskController> wiring_;
};

TEST(TaskControllersCrashSafety, EtcdOpsTaskRestartAfterAnyWriteConverges) {
  expect_restart_after_any_write_converges<OpsTaskWorld>(6);
}

// --- EtcdCopyBackupsTask -------------------------------------------------------------

json copy_store(const std::string& provider, const std::string& container) {
  return {{"prefix", std::string(kTestNamespace) + "--etcd-main"},
          {"container", container},
          {"provider", provider},
          {"secretRef", {{"name", container + "-secret"}}}};
}

// "copy" gets its Job, which the Job controller completes; "bad" copies onto
// an unsupported store (lastError, no Job); "gone" was deleted while its Job
// from an earlier run existed (the Job goes, then the task).
class CopyBackupsWorld : public World {
 public:
  CopyBackupsWorld()
      : player_([this] {
          // The Job controller: the Jobs of "copy" complete as soon as they
          // exist (any name, so a second one is seen too).
          for (json job : live_.server().core().list_objects(kJobs, kTestNamespace)) {
            if (job["metadata"].value("name", "").rfind("copy-worker", 0) != 0) continue;
            {
              std::lock_guard lock(mu_);
              job_uids_.insert(job["metadata"].value("uid", ""));
            }
            if (job.value("status", json::object()).contains("conditions")) continue;
            job["status"] = {
                {"conditions",
                 json::array({{{"type", "Complete"},
                               {"status", "True"},
                               {"reason", "CompletionsReached"},
                               {"message", "Reached expected number of succeeded pods"},
                               {"lastProbeTime", "2026-12-06T10:05:00Z"},
                               {"lastTransitionTime", "2026-12-06T10:04:00Z"}}})}};
            (void)live_.server().put(job);
          }
        }) {}
  ~CopyBackupsWorld() override { stop(); }

  void prepare() override {
    create_task("copy", copy_store("aws", "old-bucket"), copy_store("gcp", "new-bucket"));
    create_task("bad", copy_store("aws", "old-bucket"), copy_store("ecs", "new-bucket"));
    // An earlier run's task and Job; the task was deleted while it was down.
    json gone = create_task("gone", copy_store("aws", "old-bucket"),
                            copy_store("gcp", "other-bucket"), {"druid.gardener.cloud/etcd-druid"});
    auto decoded = api::decode_etcd_copy_backups_task(gone);
    ASSERT_TRUE(decoded);
    auto job = controller::etcdcopybackupstask::build_copy_backups_job(
        *decoded, api::embedded_image_vector(), {});
    ASSERT_TRUE(job) << job.error().message;
    auto created = live_.client().create(kube::resources::kJobs, kTestNamespace, *job);
    ASSERT_TRUE(created) << created.error().what();
    auto deleted =
        live_.client().remove(api::resources::kEtcdCopyBackupsTasks, kTestNamespace, "gone");
    ASSERT_TRUE(deleted) << deleted.error().what();
  }
  void add_controller(kube::Manager& manager) override {
    controller::etcdcopybackupstask::EtcdCopyBackupsTaskControllerConfig config;
    config.workers = 2;
    wiring_ = controller::etcdcopybackupstask::add_etcd_copy_backups_task_controller(
        manager, api::embedded_image_vector(), config);
  }
  kube::Controller& controller() override { return *wiring_->controller; }
  bool converged() override {
    auto copy = live_.server().get(kCopyTasks, kTestNamespace, "copy");
    auto bad = live_.server().get(kCopyTasks, kTestNamespace, "bad");
    if (!copy || !bad || live_.server().get(kCopyTasks, kTestNamespace, "gone") ||
        live_.server().get(kJobs, kTestNamespace, "gone-worker")) {
      return false;
    }
    const json copy_status = copy->value("status", json::object());
    const json bad_status = bad->value("status", json::object());
    return copy_status.value("conditions", json::array()).size() == 1 &&
           bad_status.contains("lastError") && bad_status.contains("observedGeneration") &&
           !(*bad)["metadata"].value("finalizers", json::array()).empty();
  }
  json state() override { return objects_of(live_, {kCopyTasks, kJobs}); }
  std::vector<kube::Request> keys() override {
    return {{kTestNamespace, "copy"}, {kTestNamespace, "bad"}};
  }
  void check_after_restart() override {
    std::lock_guard lock(mu_);
    EXPECT_EQ(job_uids_.size(), 1u) << "a Job of copy was created more than once";
  }

 private:
  json create_task(const std::string& name, const json& source, const json& target,
                   const json& finalizers = json::array()) {
    json task = {{"apiVersion", "druid.gardener.cloud/v1alpha1"},
                 {"kind", "EtcdCopyBackupsTask"},
                 {"metadata", {{"name", name}, {"namespace", kTestNamespace}}},
                 {"spec", {{"sourceStore", source}, {"targetStore", target}}}};
    if (!finalizers.empty()) task["metadata"]["finalizers"] = finalizers;
    auto created =
        live_.client().create(api::resources::kEtcdCopyBackupsTasks, kTestNamespace, task);
    EXPECT_TRUE(created) << created.error().what();
    return created ? *created : json::object();
  }

  std::mutex mu_;
  std::set<std::string> job_uids_;
  std::unique_ptr<controller::etcdcopybackupstask::EtcdCopyBackupsTaskController> wiring_;
  ClusterPlayer player_;  // declared last: stops first
};

TEST(TaskControllersCrashSafety, EtcdCopyBackupsTaskRestartAfterAnyWriteConverges) {
  expect_restart_after_any_write_converges<CopyBackupsWorld>(7);
}

// --- compaction ----------------------------------------------------------------------

// backup-restore's full snapshot: the full-snapshot lease moves to the delta
// lease's revision.
class LeaseMovingSidecar final : public controller::etcdopstask::BackupSidecar {
 public:
  explicit LeaseMovingSidecar(std::function<void(const std::string& url)> on_call)
      : on_call_(std::move(on_call)) {}
  util::Expected<controller::etcdopstask::SnapshotAnswer,
                 controller::etcdopstask::SnapshotCallError>
  take_snapshot(const controller::etcdopstask::SnapshotCall& call) override {
    on_call_(call.url);
    ++calls_;
    return controller::etcdopstask::SnapshotAnswer{200, "{}"};
  }
  int calls() const { return calls_.load(); }

 private:
  std::function<void(const std::string&)> on_call_;
  std::atomic<int> calls_{0};
};

// Two Etcds with 1100 revisions beyond their full snapshot: etcd-main's Job
// compacts (the compactor moves the full-snapshot lease, the Job completes);
// etcd-late's Job runs out of time, so the next cycle takes a full snapshot.
class CompactionWorld : public World {
 public:
  CompactionWorld()
      : sidecar_([this](const std::string& url) {
          if (url.find("etcd-late-client") != std::string::npos) move_full_lease("etcd-late");
        }),
        player_([this] { play_job_controller(); }) {}
  ~CompactionWorld() override { stop(); }

  void prepare() override {
    for (const char* name : {"etcd-main", "etcd-late"}) {
      json etcd = base_etcd_json(3);
      etcd["metadata"]["name"] = name;
      etcd["metadata"].erase("uid");
      etcd["metadata"].erase("generation");
      add_store(etcd, "aws");
      auto created = live_.client().create(api::resources::kEtcds, kTestNamespace, etcd);
      ASSERT_TRUE(created) << created.error().what();
      const json owner = {{"apiVersion", "druid.gardener.cloud/v1alpha1"},
                          {"kind", "Etcd"},
                          {"name", name},
                          {"uid", (*created)["metadata"]["uid"]},
                          {"controller", true},
                          {"blockOwnerDeletion", true}};
      for (const auto& [suffix, holder] :
           {std::pair{"-full-snap", "100"}, {"-delta-snap", "1200"}}) {
        json lease = {{"apiVersion", "coordination.k8s.io/v1"},
                      {"kind", "Lease"},
                      {"metadata",
                       {{"name", std::string(name) + suffix},
                        {"namespace", kTestNamespace},
                        {"labels",
                         {{"app.kubernetes.io/managed-by", "etcd-druid"},
                          {"app.kubernetes.io/part-of", name},
                          {"app.kubernetes.io/component", "etcd-snapshot-lease"}}},
                        {"ownerReferences", json::array({owner})}}},
                      {"spec", {{"holderIdentity", holder}}}};
        auto lease_created = live_.client().create(kube::resources::kLeases, kTestNamespace, lease);
        ASSERT_TRUE(lease_created) << lease_created.error().what();
      }
    }
  }
  void add_controller(kube::Manager& manager) override {
    controller::compaction::CompactionControllerConfig config;
    config.workers = 2;
    config.events_threshold = 1000;
    config.trigger_full_snapshot_threshold = 3000;
    config.requeue_interval = std::chrono::milliseconds(100);
    wiring_ = controller::compaction::add_compaction_controller(
        manager, api::embedded_image_vector(), sidecar_, config);
  }
  kube::Controller& controller() override { return *wiring_->controller; }
  bool converged() override {
    return live_.server().core().list_objects(kJobs, kTestNamespace).empty() &&
           reason("etcd-main") == "None" && reason("etcd-late") == "FullSnapshotTakenSuccessfully";
  }
  json state() override { return objects_of(live_, {kEtcds, kJobs, kLeases}); }
  std::vector<kube::Request> keys() override {
    return {{kTestNamespace, "etcd-main"}, {kTestNamespace, "etcd-late"}};
  }
  void crashed() override {
    calls_at_crash_ = sidecar_.calls();
    recorded_at_crash_ = reason("etcd-late") == "FullSnapshotTakenSuccessfully";
  }
  void check_after_restart() override {
    std::lock_guard lock(mu_);
    for (const auto& [job, uids] : job_uids_) {
      EXPECT_EQ(uids.size(), 1u) << job << " was created more than once";
    }
    EXPECT_EQ(job_uids_.size(), 2u);
    const int calls = sidecar_.calls() - calls_at_crash_;
    if (recorded_at_crash_) {
      EXPECT_EQ(calls, 0) << "a recorded full snapshot was taken again";
    } else {
      EXPECT_LE(calls, 1);
    }
  }

 private:
  std::string reason(const std::string& etcd) {
    auto object = live_.server().get(kEtcds, kTestNamespace, etcd);
    if (!object) return "";
    for (const auto& c :
         object->value("status", json::object()).value("conditions", json::array())) {
      if (c.value("type", "") == "LastSnapshotCompactionSucceeded") return c.value("reason", "");
    }
    return "";
  }
  void move_full_lease(const std::string& etcd) {
    auto delta = live_.server().get(kLeases, kTestNamespace, etcd + "-delta-snap");
    auto full = live_.server().get(kLeases, kTestNamespace, etcd + "-full-snap");
    if (!delta || !full) return;
    (*full)["spec"]["holderIdentity"] = (*delta)["spec"]["holderIdentity"];
    (void)live_.server().put(*full);
  }
  // The Job controller and the compactor: a new Job ends at once.
  void play_job_controller() {
    for (json job : live_.server().core().list_objects(kJobs, kTestNamespace)) {
      const std::string name = job["metadata"].value("name", "");
      {
        std::lock_guard lock(mu_);
        job_uids_[name].insert(job["metadata"].value("uid", ""));
      }
      if (job.value("status", json::object()).contains("conditions")) continue;
      if (name == "etcd-main-compactor") {
        move_full_lease("etcd-main");
        job["status"] = completed_job_status();
      } else {
        job["status"] = {
            {"failed", 1},
            {"startTime", "2026-12-01T10:00:00Z"},
            {"conditions", json::array({{{"type", "Failed"},
                                         {"status", "True"},
                                         {"reason", "DeadlineExceeded"},
                                         {"lastTransitionTime", "2026-12-01T13:00:00Z"}}})}};
      }
      (void)live_.server().put(job);
    }
  }

  std::mutex mu_;
  std::map<std::string, std::set<std::string>> job_uids_;
  int calls_at_crash_ = 0;
  bool recorded_at_crash_ = false;
  LeaseMovingSidecar sidecar_;
  std::unique_ptr<controller::compaction::CompactionController> wiring_;
  ClusterPlayer player_;  // declared last: stops first
};

TEST(TaskControllersCrashSafety, CompactionRestartAfterAnyWriteConverges) {
  expect_restart_after_any_write_converges<CompactionWorld>(6);
}

// --- Secret --------------------------------------------------------------------------

// etcd-main references its store Secret and its client TLS Secrets; the
// terminating etcd-old still references its own; "stale" and "released" are
// held by nobody ("released" is being deleted), "plain" needs nothing.
class SecretWorld : public World {
 public:
  ~SecretWorld() override { stop(); }

  void prepare() override {
    for (const char* name : {"etcd-backup", "client-url-ca-etcd", "client-url-etcd-server-tls",
                             "old-backup", "plain"}) {
      ASSERT_NO_FATAL_FAILURE(create_secret(live_.client(), kTestNamespace, name, {{"k", "v"}}));
    }
    ASSERT_NO_FATAL_FAILURE(
        create_secret(live_.client(), kTestNamespace, "stale", {{"k", "v"}},
                      json::array({api::kEtcdDruidFinalizer, kForeignFinalizer})));
    ASSERT_NO_FATAL_FAILURE(create_secret(live_.client(), kTestNamespace, "released", {{"k", "v"}},
                                          json::array({api::kEtcdDruidFinalizer})));
    auto deleted = live_.client().remove(kube::resources::kSecrets, kTestNamespace, "released");
    ASSERT_TRUE(deleted) << deleted.error().what();

    json main = base_etcd_json(1);
    add_store(main);
    add_client_tls(main);
    json old = base_etcd_json(1);
    old["metadata"]["name"] = "etcd-old";
    add_store(old);
    old["spec"]["backup"]["store"]["secretRef"]["name"] = "old-backup";
    old["metadata"]["finalizers"] = json::array({kForeignFinalizer});  // the Etcd controller's
    for (json etcd : {main, old}) {
      etcd["metadata"].erase("uid");
      etcd["metadata"].erase("generation");
      auto created = live_.client().create(api::resources::kEtcds, kTestNamespace, etcd);
      ASSERT_TRUE(created) << created.error().what();
    }
    auto terminating = live_.client().remove(api::resources::kEtcds, kTestNamespace, "etcd-old");
    ASSERT_TRUE(terminating) << terminating.error().what();
  }
  void add_controller(kube::Manager& manager) override {
    wiring_ = controller::secret::add_secret_controller(
        manager, controller::secret::SecretControllerConfig{2});
  }
  kube::Controller& controller() override { return *wiring_->controller; }
  bool converged() override {
    for (const char* name :
         {"etcd-backup", "client-url-ca-etcd", "client-url-etcd-server-tls", "old-backup"}) {
      if (finalizers(name) != json::array({api::kEtcdDruidFinalizer})) return false;
    }
    return finalizers("stale") == json::array({kForeignFinalizer}) &&
           finalizers("plain") == json::array() &&
           !live_.server().get(kSecrets, kTestNamespace, "released");
  }
  json state() override { return objects_of(live_, {kSecrets}); }
  std::vector<kube::Request> keys() override {
    std::vector<kube::Request> keys;
    for (const auto& secret : live_.server().core().list_objects(kSecrets, kTestNamespace)) {
      keys.push_back({kTestNamespace, secret["metadata"].value("name", "")});
    }
    return keys;
  }

 private:
  json finalizers(const std::string& name) {
    auto secret = live_.server().get(kSecrets, kTestNamespace, name);
    if (!secret) return nullptr;
    return (*secret)["metadata"].value("finalizers", json::array());
  }

  std::unique_ptr<controller::secret::SecretController> wiring_;
};

TEST(TaskControllersCrashSafety, SecretRestartAfterAnyWriteConverges) {
  expect_restart_after_any_write_converges<SecretWorld>(5);
}

}  // namespace
}  // namespace druid::test
