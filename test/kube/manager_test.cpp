#include "kube/manager.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <set>

#include "support/eventually.hpp"
#include "support/live_server.hpp"

namespace druid::kube {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using test::eventually;
using test::never;

// Counts reconciles per key; reads the object from the informer's cache, as
// reconcilers do.
class CountingReconciler : public Reconciler {
 public:
  explicit CountingReconciler(const Informer* informer = nullptr) : informer_(informer) {}
  ReconcileOutcome reconcile(const Request& request) override {
    std::lock_guard lock(mutex_);
    ++counts_[request.key()];
    if (informer_ && informer_->cache().get(request.namespace_, request.name)) {
      seen_in_cache_.insert(request.key());
    }
    return ReconcileResult{};
  }
  int count(const std::string& key) const {
    std::lock_guard lock(mutex_);
    auto it = counts_.find(key);
    return it == counts_.end() ? 0 : it->second;
  }
  int total() const {
    std::lock_guard lock(mutex_);
    int n = 0;
    for (const auto& [k, v] : counts_) n += v;
    return n;
  }
  bool seen_in_cache(const std::string& key) const {
    std::lock_guard lock(mutex_);
    return seen_in_cache_.contains(key);
  }

 private:
  const Informer* informer_;
  mutable std::mutex mutex_;
  std::map<std::string, int> counts_;
  std::set<std::string> seen_in_cache_;
};

InformerOptions config_maps() {
  InformerOptions o;
  o.type = resources::kConfigMaps;
  o.ns = "mgr";
  o.backoff = {1ms, 20ms};
  return o;
}

LeaderElectionConfig election(const std::string& identity) {
  return test::fast_leader_election("mgr", identity);
}

class ManagerTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(test::create_namespace(live_.client(), "mgr"), ""); }
  void create_cm(const std::string& name) {
    ASSERT_TRUE(
        live_.client().create(resources::kConfigMaps, "mgr", test::config_map("mgr", name)));
  }
  test::LiveServer live_;
};

// A manager with one configmap informer and one controller on it.
struct Operator {
  Operator(Client& client, ManagerOptions options) : manager(client, std::move(options)) {
    Informer& informer = manager.informer(config_maps());
    reconciler = std::make_shared<CountingReconciler>(&informer);
    ControllerOptions c;
    c.workers = 2;
    manager.add_controller("configmaps", reconciler, c).watch(informer);
  }
  void run() {
    result = std::async(std::launch::async, [this] { return manager.run(); });
  }
  util::Expected<std::monostate, ManagerError> finish(std::chrono::seconds timeout = 5s) {
    manager.request_stop();
    EXPECT_EQ(result.wait_for(timeout), std::future_status::ready);
    return result.get();
  }
  Manager manager;
  std::shared_ptr<CountingReconciler> reconciler;
  std::future<util::Expected<std::monostate, ManagerError>> result;
};

TEST_F(ManagerTest, SyncsCachesThenRunsControllersUntilStopped) {
  create_cm("existing");
  Operator op(live_.client(), {});
  EXPECT_FALSE(op.manager.caches_synced());
  op.run();
  ASSERT_TRUE(eventually([&] { return op.manager.caches_synced(); }));
  ASSERT_TRUE(eventually([&] { return op.reconciler->count("mgr/existing") == 1; }));
  // The reconciler found the object in the cache: caches sync before workers start.
  EXPECT_TRUE(op.reconciler->seen_in_cache("mgr/existing"));
  EXPECT_TRUE(op.manager.is_leader());
  create_cm("new");
  ASSERT_TRUE(eventually([&] { return op.reconciler->count("mgr/new") == 1; }));

  auto result = op.finish();
  EXPECT_TRUE(result.has_value());
  auto metrics = op.manager.controller_metrics();
  ASSERT_EQ(metrics.size(), 1u);
  EXPECT_EQ(metrics[0].name, "configmaps");
  EXPECT_EQ(metrics[0].reconcile_total["success"], 2u);
  EXPECT_EQ(metrics[0].max_concurrent_reconciles, 2);
  // Stopped: nothing reconciles any more.
  create_cm("after-stop");
  EXPECT_TRUE(never([&] { return op.reconciler->count("mgr/after-stop") > 0; }, 100ms));
}

TEST_F(ManagerTest, SharesInformersForTheSameOptions) {
  Manager manager(live_.client());
  Informer& a = manager.informer(config_maps());
  Informer& b = manager.informer(config_maps());
  InformerOptions other = config_maps();
  other.label_selector = "app=x";
  Informer& c = manager.informer(other);
  EXPECT_EQ(&a, &b);
  EXPECT_NE(&a, &c);
  EXPECT_EQ(manager.informer_stats().size(), 2u);
}

TEST_F(ManagerTest, FailsWhenCachesDoNotSyncInTime) {
  live_.server().controls().inject_error(test::failure("list", "configmaps", 500, 1000000));
  ManagerOptions options;
  options.cache_sync_timeout = 200ms;
  Operator op(live_.client(), options);
  auto result = op.manager.run();
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().reason, ManagerErrorReason::kCacheSyncTimeout);
  EXPECT_NE(result.error().message.find("configmaps"), std::string::npos) << result.error().message;
  EXPECT_FALSE(op.manager.caches_synced());
  EXPECT_EQ(op.reconciler->total(), 0);
}

TEST_F(ManagerTest, RejectsAnInvalidLeaderElectionConfiguration) {
  ManagerOptions options;
  options.leader_election = election("a");
  options.leader_election->renew_deadline = 2s;  // longer than the lease
  Manager manager(live_.client(), options);
  auto result = manager.run();
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().reason, ManagerErrorReason::kInvalidConfiguration);
}

TEST_F(ManagerTest, OnlyTheLeaderRunsControllersAndASuccessorTakesOver) {
  create_cm("existing");
  auto client_b = live_.make_client();
  ManagerOptions a_options;
  a_options.leader_election = election("a");
  Operator a(live_.client(), a_options);
  a.run();
  ASSERT_TRUE(eventually([&] { return a.manager.is_leader(); }));
  ASSERT_TRUE(eventually([&] { return a.reconciler->count("mgr/existing") == 1; }));

  ManagerOptions b_options;
  b_options.leader_election = election("b");
  Operator b(*client_b, b_options);
  b.run();
  ASSERT_TRUE(eventually([&] { return b.manager.caches_synced(); }));
  create_cm("second");
  ASSERT_TRUE(eventually([&] { return a.reconciler->count("mgr/second") == 1; }));
  // b's cache is ready (readiness) but it does not reconcile while a leads.
  EXPECT_TRUE(never([&] { return b.reconciler->total() > 0; }, 200ms));
  EXPECT_FALSE(b.manager.is_leader());

  // a shuts down and releases the lease; b takes over and reconciles
  // everything it has cached.
  EXPECT_TRUE(a.finish().has_value());
  ASSERT_TRUE(eventually([&] { return b.manager.is_leader(); }, 3s));
  EXPECT_TRUE(eventually([&] {
    return b.reconciler->count("mgr/existing") == 1 && b.reconciler->count("mgr/second") == 1;
  }));
  EXPECT_TRUE(b.finish().has_value());
}

TEST_F(ManagerTest, ReturnsAnErrorWhenLeadershipIsLost) {
  ManagerOptions options;
  options.leader_election = election("a");
  Operator op(live_.client(), options);
  op.run();
  ASSERT_TRUE(eventually([&] { return op.manager.is_leader(); }));
  live_.server().controls().inject_error(test::failure("update", "leases", 500, 1000000));
  ASSERT_EQ(op.result.wait_for(5s), std::future_status::ready);
  auto result = op.result.get();
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().reason, ManagerErrorReason::kLeaderElectionLost);
  EXPECT_FALSE(op.manager.is_leader());
}

TEST_F(ManagerTest, HousekeepingRunsEveryIntervalWhileRunningAndNotAfter) {
  std::atomic<int> chores{0};
  ManagerOptions options;
  options.housekeeping = [&] { ++chores; };
  options.housekeeping_interval = 20ms;
  Operator op(live_.client(), std::move(options));
  op.run();
  ASSERT_TRUE(eventually([&] { return chores.load() >= 3; }));
  EXPECT_TRUE(op.finish().has_value());
  const int at_stop = chores.load();
  EXPECT_TRUE(never([&] { return chores.load() > at_stop; }, 100ms));
}

TEST_F(ManagerTest, StopBeforeSyncEndsRunCleanly) {
  live_.server().controls().inject_error(test::failure("list", "configmaps", 500, 1000000));
  Operator op(live_.client(), {});
  op.run();
  ASSERT_TRUE(eventually(
      [&] { return live_.server().controls().request_count("list", "configmaps") >= 1; }));
  auto result = op.finish();
  EXPECT_TRUE(result.has_value());
  EXPECT_FALSE(op.manager.caches_synced());
}

}  // namespace
}  // namespace druid::kube
