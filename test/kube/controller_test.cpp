#include "kube/controller.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>

#include "support/eventually.hpp"
#include "support/live_server.hpp"

namespace druid::kube {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using test::eventually;
using test::never;

// Records every reconcile and answers with a scripted outcome per call.
class RecordingReconciler : public Reconciler {
 public:
  using Script = std::function<ReconcileOutcome(const Request&, int call)>;
  explicit RecordingReconciler(Script script = {}) : script_(std::move(script)) {}

  ReconcileOutcome reconcile(const Request& request) override {
    int call;
    {
      std::lock_guard lock(mutex_);
      calls_.push_back(request);
      call = ++per_key_[request.key()];
    }
    if (script_) return script_(request, call);
    return ReconcileResult{};
  }
  int calls(const std::string& key) const {
    std::lock_guard lock(mutex_);
    auto it = per_key_.find(key);
    return it == per_key_.end() ? 0 : it->second;
  }
  std::vector<Request> requests() const {
    std::lock_guard lock(mutex_);
    return calls_;
  }

 private:
  Script script_;
  mutable std::mutex mutex_;
  std::vector<Request> calls_;
  std::map<std::string, int> per_key_;
};

ControllerOptions fast(int workers = 1) {
  ControllerOptions o;
  o.workers = workers;
  o.backoff_base = 1ms;
  o.backoff_max = 20ms;
  return o;
}

TEST(RequestTest, KeysRoundTrip) {
  EXPECT_EQ((Request{"ns", "a"}).key(), "ns/a");
  EXPECT_EQ((Request{"", "a"}).key(), "a");
  EXPECT_EQ(Request::from_key("ns/a"), (Request{"ns", "a"}));
  EXPECT_EQ(Request::from_key("a"), (Request{"", "a"}));
  EXPECT_EQ(Request::of(json{{"metadata", {{"name", "x"}, {"namespace", "y"}}}}),
            (Request{"y", "x"}));
}

TEST(ControllerTest, ReconcilesEnqueuedRequestsAndCountsSuccess) {
  auto reconciler = std::make_shared<RecordingReconciler>();
  Controller controller("test", reconciler, fast());
  controller.enqueue({"ns", "a"});  // before start: waits in the queue
  controller.start();
  ASSERT_TRUE(eventually([&] { return reconciler->calls("ns/a") == 1; }));
  EXPECT_EQ(reconciler->requests().front(), (Request{"ns", "a"}));
  controller.stop();
  auto m = controller.metrics();
  EXPECT_EQ(m.name, "test");
  EXPECT_EQ(m.reconcile_total["success"], 1u);
  EXPECT_EQ(m.reconcile_total["error"], 0u);
  EXPECT_EQ(m.reconcile_time.count, 1u);
  EXPECT_EQ(m.max_concurrent_reconciles, 1);
  EXPECT_EQ(m.queue.adds_total, 1u);
}

TEST(ControllerTest, ErrorsAreRetriedWithBackoffThenForgotten) {
  auto reconciler = std::make_shared<RecordingReconciler>([](const Request&, int call) {
    if (call < 4) return ReconcileOutcome(util::unexpected(ReconcileError{"not yet"}));
    return ReconcileOutcome(ReconcileResult{});
  });
  Controller controller("retry", reconciler, fast());
  controller.start();
  controller.enqueue({"ns", "a"});
  ASSERT_TRUE(eventually([&] { return reconciler->calls("ns/a") == 4; }));
  EXPECT_TRUE(eventually([&] { return controller.metrics().reconcile_total["success"] == 1; }));
  auto m = controller.metrics();
  EXPECT_EQ(m.reconcile_total["error"], 3u);
  EXPECT_EQ(m.reconcile_errors_total, 3u);
  EXPECT_EQ(m.queue.retries_total, 3u);
  EXPECT_EQ(controller.queue().num_requeues("ns/a"), 0);  // success forgets the backoff
  EXPECT_TRUE(never([&] { return reconciler->calls("ns/a") > 4; }, 50ms));
}

TEST(ControllerTest, ExceptionsAreCaughtAndRetried) {
  auto reconciler = std::make_shared<RecordingReconciler>([](const Request&, int call) {
    if (call == 1) throw std::runtime_error("boom");
    if (call == 2) throw 42;  // not even an exception type
    return ReconcileOutcome(ReconcileResult{});
  });
  Controller controller("panics", reconciler, fast());
  controller.start();
  controller.enqueue({"ns", "a"});
  ASSERT_TRUE(eventually([&] { return controller.metrics().reconcile_total["success"] == 1; }));
  auto m = controller.metrics();
  EXPECT_EQ(m.reconcile_panics_total, 2u);
  EXPECT_EQ(m.reconcile_total["error"], 2u);
  EXPECT_EQ(reconciler->calls("ns/a"), 3);
  // The worker survived: another key is still processed (the script is per key,
  // so it throws twice for this key too before succeeding).
  controller.enqueue({"ns", "b"});
  EXPECT_TRUE(eventually([&] { return controller.metrics().reconcile_total["success"] == 2; }));
  EXPECT_EQ(reconciler->calls("ns/b"), 3);
}

TEST(ControllerTest, RequeueAfterComesBackAfterTheDelay) {
  std::mutex mutex;
  std::vector<std::chrono::steady_clock::time_point> times;
  auto reconciler = std::make_shared<RecordingReconciler>([&](const Request&, int call) {
    {
      std::lock_guard lock(mutex);
      times.push_back(std::chrono::steady_clock::now());
    }
    ReconcileResult r;
    if (call == 1) r.requeue_after = 100ms;
    if (call == 2) r.requeue = true;
    return ReconcileOutcome(r);
  });
  Controller controller("requeue", reconciler, fast());
  controller.start();
  controller.enqueue({"ns", "a"});
  ASSERT_TRUE(eventually([&] { return reconciler->calls("ns/a") == 3; }));
  {
    std::lock_guard lock(mutex);
    EXPECT_GE(times[1] - times[0], 100ms);
  }
  auto m = controller.metrics();
  EXPECT_EQ(m.reconcile_total["requeue_after"], 1u);
  EXPECT_TRUE(eventually([&] { return controller.metrics().reconcile_total["success"] == 1; }));
  EXPECT_EQ(controller.metrics().reconcile_total["requeue"], 1u);
}

TEST(ControllerTest, WorkersRunDifferentKeysInParallelButNeverTheSameKey) {
  std::mutex mutex;
  std::condition_variable cv;
  int running = 0;
  int max_running = 0;
  std::set<std::string> in_flight;
  bool overlap = false;
  auto reconciler = std::make_shared<RecordingReconciler>([&](const Request& r, int) {
    std::unique_lock lock(mutex);
    if (!in_flight.insert(r.key()).second) overlap = true;
    max_running = std::max(max_running, ++running);
    // Hold until three reconciles run at once (or give up after a while).
    cv.notify_all();
    cv.wait_for(lock, 2s, [&] { return max_running >= 3; });
    --running;
    in_flight.erase(r.key());
    return ReconcileOutcome(ReconcileResult{});
  });
  Controller controller("parallel", reconciler, fast(3));
  controller.start();
  for (int round = 0; round < 3; ++round) {
    for (const char* name : {"a", "b", "c"}) controller.enqueue({"ns", name});
  }
  ASSERT_TRUE(eventually([&] {
    std::lock_guard lock(mutex);
    return max_running >= 3;
  }));
  EXPECT_TRUE(eventually([&] {
    std::lock_guard lock(mutex);
    return controller.queue().len() == 0 && running == 0;
  }));
  controller.stop();
  EXPECT_FALSE(overlap);
  EXPECT_EQ(controller.metrics().max_concurrent_reconciles, 3);
}

TEST(ControllerTest, StopWaitsForARunningReconcileAndStopsWorkers) {
  std::atomic<bool> release{false};
  std::atomic<bool> entered{false};
  auto reconciler = std::make_shared<RecordingReconciler>([&](const Request&, int) {
    entered = true;
    while (!release) std::this_thread::sleep_for(1ms);
    return ReconcileOutcome(ReconcileResult{});
  });
  Controller controller("stop", reconciler, fast());
  controller.start();
  controller.enqueue({"ns", "a"});
  ASSERT_TRUE(eventually([&] { return entered.load(); }));
  EXPECT_EQ(controller.metrics().active_workers, 1);
  auto stopped = std::async(std::launch::async, [&] { controller.stop(); });
  EXPECT_EQ(stopped.wait_for(50ms), std::future_status::timeout);
  release = true;
  ASSERT_EQ(stopped.wait_for(2s), std::future_status::ready);
  EXPECT_FALSE(controller.running());
  controller.enqueue({"ns", "b"});
  controller.start();  // a stopped controller stays stopped
  EXPECT_TRUE(never([&] { return reconciler->calls("ns/b") > 0; }, 50ms));
}

TEST(PredicateTest, GenerationChanged) {
  Predicate p = predicates::generation_changed();
  json v1 = {{"metadata", {{"name", "a"}, {"generation", 1}, {"resourceVersion", "1"}}}};
  json v1_status = {{"metadata", {{"name", "a"}, {"generation", 1}, {"resourceVersion", "2"}}}};
  json v2 = {{"metadata", {{"name", "a"}, {"generation", 2}, {"resourceVersion", "3"}}}};
  EXPECT_FALSE(p.update(v1, v1_status));
  EXPECT_TRUE(p.update(v1_status, v2));
  EXPECT_FALSE(p.create);  // unset: every create passes
  EXPECT_FALSE(p.remove);
}

TEST(PredicateTest, Combinators) {
  Predicate named_a;
  named_a.create = [](const json& o) { return o["metadata"]["name"] == "a"; };
  Predicate labelled;
  labelled.create = [](const json& o) { return o["metadata"].contains("labels"); };
  json a = {{"metadata", {{"name", "a"}}}};
  json b_labelled = {{"metadata", {{"name", "b"}, {"labels", {{"x", "y"}}}}}};
  Predicate all = predicates::all_of({named_a, labelled});
  Predicate any = predicates::any_of({named_a, labelled});
  EXPECT_FALSE(all.create(a));
  EXPECT_FALSE(all.create(b_labelled));
  EXPECT_TRUE(any.create(a));
  EXPECT_TRUE(any.create(b_labelled));
  EXPECT_FALSE(any.create(json{{"metadata", {{"name", "c"}}}}));
  EXPECT_TRUE(all.remove(a));  // neither restricts deletes
}

TEST(MapFuncTest, ControllerOwner) {
  MapFunc map = map_to_controller_owner("druid.gardener.cloud", "Etcd");
  json owned = {
      {"metadata",
       {{"name", "etcd-main-0"},
        {"namespace", "shoot"},
        {"ownerReferences",
         json::array(
             {{{"apiVersion", "apps/v1"}, {"kind", "StatefulSet"}, {"name", "sts"}, {"uid", "1"}},
              {{"apiVersion", "druid.gardener.cloud/v1alpha1"},
               {"kind", "Etcd"},
               {"name", "etcd-main"},
               {"uid", "2"},
               {"controller", true}}})}}}};
  EXPECT_EQ(map(owned), (std::vector<Request>{Request{"shoot", "etcd-main"}}));
  // Not the controller, or another kind: nothing.
  owned["metadata"]["ownerReferences"][1]["controller"] = false;
  EXPECT_TRUE(map(owned).empty());
  EXPECT_TRUE(map_to_controller_owner("apps", "StatefulSet")(owned).empty());
  EXPECT_EQ(map_to_self()(owned), (std::vector<Request>{Request{"shoot", "etcd-main-0"}}));
}

// --- with an informer against the test API server ------------------------------

json stateful_set(const std::string& ns, const std::string& name, int replicas) {
  return {{"apiVersion", "apps/v1"},
          {"kind", "StatefulSet"},
          {"metadata", {{"name", name}, {"namespace", ns}}},
          {"spec",
           {{"replicas", replicas},
            {"serviceName", name},
            {"selector", {{"matchLabels", {{"app", name}}}}},
            {"template",
             {{"metadata", {{"labels", {{"app", name}}}}},
              {"spec", {{"containers", json::array({{{"name", "c"}, {"image", "busybox"}}})}}}}}}}};
}

TEST(ControllerInformerTest, PredicatesDecideWhichInformerEventsEnqueue) {
  test::LiveServer live;
  Client& client = live.client();
  ASSERT_EQ(test::create_namespace(client, "ctl"), "");
  InformerOptions options;
  options.type = resources::kStatefulSets;
  options.ns = "ctl";
  options.backoff = {1ms, 10ms};
  Informer informer(client, options);
  auto reconciler = std::make_shared<RecordingReconciler>();
  Controller controller("sts", reconciler, fast());
  controller.watch(informer, predicates::generation_changed());
  informer.start();
  controller.start();

  ASSERT_TRUE(client.create(resources::kStatefulSets, "ctl", stateful_set("ctl", "s", 1)));
  ASSERT_TRUE(eventually([&] { return reconciler->calls("ctl/s") == 1; }));

  // A label change does not bump the generation: filtered out.
  ASSERT_TRUE(client.patch(resources::kStatefulSets, "ctl", "s", PatchType::kMerge,
                           json{{"metadata", {{"labels", {{"touched", "yes"}}}}}}));
  ASSERT_TRUE(eventually([&] {
    auto cached = informer.cache().get("ctl", "s");
    return cached && cached->at("metadata").value("labels", json::object()).contains("touched");
  }));
  EXPECT_TRUE(never([&] { return reconciler->calls("ctl/s") > 1; }, 100ms));

  // A spec change does.
  ASSERT_TRUE(client.patch(resources::kStatefulSets, "ctl", "s", PatchType::kMerge,
                           json{{"spec", {{"replicas", 3}}}}));
  EXPECT_TRUE(eventually([&] { return reconciler->calls("ctl/s") == 2; }));

  ASSERT_TRUE(client.remove(resources::kStatefulSets, "ctl", "s"));
  EXPECT_TRUE(eventually([&] { return reconciler->calls("ctl/s") == 3; }));
  controller.stop();
  informer.stop();
}

// An update maps the old object as well as the new one, so the request the
// object stopped belonging to hears of it (controller-runtime's handlers).
TEST(ControllerInformerTest, UpdatesMapTheOldObjectToo) {
  test::LiveServer live;
  Client& client = live.client();
  ASSERT_EQ(test::create_namespace(client, "ctl"), "");
  InformerOptions options;
  options.type = resources::kStatefulSets;
  options.ns = "ctl";
  options.backoff = {1ms, 10ms};
  Informer informer(client, options);
  auto reconciler = std::make_shared<RecordingReconciler>();
  Controller controller("by-team", reconciler, fast());
  // Requests are named after the object's "team" label.
  controller.watch(informer, {}, [](const json& object) {
    const json labels = object["metadata"].value("labels", json::object());
    return std::vector<Request>{Request{"ctl", labels.value("team", "")}};
  });
  informer.start();
  controller.start();

  json sts = stateful_set("ctl", "s", 1);
  sts["metadata"]["labels"] = {{"team", "red"}};
  ASSERT_TRUE(client.create(resources::kStatefulSets, "ctl", sts));
  ASSERT_TRUE(eventually([&] { return reconciler->calls("ctl/red") == 1; }));

  ASSERT_TRUE(client.patch(resources::kStatefulSets, "ctl", "s", PatchType::kMerge,
                           json{{"metadata", {{"labels", {{"team", "blue"}}}}}}));
  EXPECT_TRUE(eventually([&] { return reconciler->calls("ctl/blue") == 1; }));
  EXPECT_TRUE(eventually([&] { return reconciler->calls("ctl/red") == 2; }));
  controller.stop();
  informer.stop();
}

}  // namespace
}  // namespace druid::kube
