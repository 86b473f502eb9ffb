#include "kube/leader_election.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <regex>

#include "support/eventually.hpp"
#include "support/live_server.hpp"

namespace druid::kube {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using test::eventually;
using test::never;

LeaderElectionConfig config(const std::string& identity) {
  return test::fast_leader_election("kube-system", identity);
}

struct Observed {
  std::atomic<int> started{0};
  std::atomic<int> stopped{0};
  std::mutex mutex;
  std::vector<std::string> leaders;

  LeaderCallbacks callbacks() {
    LeaderCallbacks cb;
    cb.on_started_leading = [this] { ++started; };
    cb.on_stopped_leading = [this] { ++stopped; };
    cb.on_new_leader = [this](const std::string& id) {
      std::lock_guard lock(mutex);
      leaders.push_back(id);
    };
    return cb;
  }
};

class LeaderElectionTest : public ::testing::Test {
 protected:
  std::optional<json> lease() {
    return live_.server().get("leases.coordination.k8s.io", "kube-system", "druid-leader-election");
  }
  test::LiveServer live_;
};

TEST(LeaderElectionConfigTest, Validation) {
  EXPECT_EQ(validate_leader_election(config("a")), "");
  LeaderElectionConfig defaults;
  defaults.lease_name = "x";
  defaults.identity = "a";
  EXPECT_EQ(defaults.lease_duration, Clock::Duration(15s));
  EXPECT_EQ(defaults.renew_deadline, Clock::Duration(10s));
  EXPECT_EQ(defaults.retry_period, Clock::Duration(2s));
  EXPECT_EQ(validate_leader_election(defaults), "");

  auto c = config("a");
  c.renew_deadline = 1s;
  EXPECT_EQ(validate_leader_election(c), "leaseDuration must be greater than renewDeadline");
  c = config("a");
  c.retry_period = 500ms;
  EXPECT_EQ(validate_leader_election(c), "renewDeadline must be greater than 1.2 * retryPeriod");
  c = config("");
  EXPECT_EQ(validate_leader_election(c), "identity must not be empty");
}

TEST_F(LeaderElectionTest, AcquiresAFreshLeaseAndRenewsIt) {
  Observed observed;
  LeaderElector elector(live_.client(), config("a"), observed.callbacks());
  elector.start();
  ASSERT_TRUE(eventually([&] { return elector.is_leader(); }));
  EXPECT_EQ(observed.started, 1);
  EXPECT_EQ(elector.leader(), "a");

  auto first = lease();
  ASSERT_TRUE(first);
  const json& spec = (*first)["spec"];
  EXPECT_EQ(spec["holderIdentity"], "a");
  EXPECT_EQ(spec["leaseDurationSeconds"], 1);
  EXPECT_EQ(spec["leaseTransitions"], 0);
  const std::regex micro_time(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)");
  EXPECT_TRUE(std::regex_match(spec["renewTime"].get<std::string>(), micro_time)) << spec;
  EXPECT_TRUE(std::regex_match(spec["acquireTime"].get<std::string>(), micro_time)) << spec;

  // Renewals move renewTime and keep acquireTime.
  const std::string first_renew = spec["renewTime"];
  ASSERT_TRUE(eventually([&] { return (*lease())["spec"]["renewTime"] != first_renew; }));
  EXPECT_EQ((*lease())["spec"]["acquireTime"], spec["acquireTime"]);
  EXPECT_TRUE(elector.is_leader());
  elector.stop();
  EXPECT_EQ(observed.stopped, 1);
  EXPECT_FALSE(elector.lost());
}

TEST_F(LeaderElectionTest, ReleaseOnStopHandsOverAtOnce) {
  // A long lease: waiting for it to expire would take 5 s; a release is seen
  // at the successor's next retry.
  auto slow = [](const std::string& id) {
    auto c = config(id);
    c.lease_duration = 5s;
    c.renew_deadline = 3s;
    return c;
  };
  auto client_b = live_.make_client();
  Observed a_observed, b_observed;
  LeaderElector a(live_.client(), slow("a"), a_observed.callbacks());
  a.start();
  ASSERT_TRUE(eventually([&] { return a.is_leader(); }));
  LeaderElector b(*client_b, slow("b"), b_observed.callbacks());
  b.start();
  ASSERT_TRUE(eventually([&] { return b.leader() == "a"; }));
  EXPECT_TRUE(never([&] { return b.is_leader(); }, 300ms));

  const auto released = std::chrono::steady_clock::now();
  a.stop();
  EXPECT_FALSE(a.is_leader());
  EXPECT_EQ(a_observed.stopped, 1);
  ASSERT_TRUE(eventually([&] { return b.is_leader(); }, 3s));
  EXPECT_LT(std::chrono::steady_clock::now() - released, 2s);
  auto spec = (*lease())["spec"];
  EXPECT_EQ(spec["holderIdentity"], "b");
  EXPECT_EQ(spec["leaseTransitions"], 1);
  // The callback runs on b's thread just after it became leader.
  EXPECT_TRUE(eventually([&] { return b_observed.started == 1; }));
  EXPECT_TRUE(eventually([&] {
    std::lock_guard lock(b_observed.mutex);
    return b_observed.leaders == std::vector<std::string>{"a", "b"};
  }));
  b.stop();
  // Released: no holder.
  EXPECT_EQ((*lease())["spec"]["holderIdentity"], "");
}

TEST_F(LeaderElectionTest, ACrashedLeaderIsReplacedAfterTheLeaseExpires) {
  auto a_config = config("a");
  a_config.release_on_cancel = false;  // as if the process died
  auto client_b = live_.make_client();
  LeaderElector a(live_.client(), a_config);
  a.start();
  ASSERT_TRUE(eventually([&] { return a.is_leader(); }));
  LeaderElector b(*client_b, config("b"));
  b.start();
  ASSERT_TRUE(eventually([&] { return b.leader() == "a"; }));
  const auto crashed = std::chrono::steady_clock::now();
  a.stop();
  EXPECT_EQ((*lease())["spec"]["holderIdentity"], "a");  // not released
  ASSERT_TRUE(eventually([&] { return b.is_leader(); }, 5s));
  // b waited for the 1 s lease to run out since it last saw a renewal.
  EXPECT_GE(std::chrono::steady_clock::now() - crashed, 800ms);
  EXPECT_EQ((*lease())["spec"]["holderIdentity"], "b");
}

TEST_F(LeaderElectionTest, OnlyOneOfTwoCandidatesLeads) {
  auto client_b = live_.make_client();
  LeaderElector a(live_.client(), config("a"));
  LeaderElector b(*client_b, config("b"));
  a.start();
  b.start();
  ASSERT_TRUE(eventually([&] { return a.is_leader() || b.is_leader(); }));
  EXPECT_TRUE(never([&] { return a.is_leader() && b.is_leader(); }, 500ms));
  const std::string holder = (*lease())["spec"]["holderIdentity"];
  EXPECT_EQ(holder, a.is_leader() ? "a" : "b");
}

TEST_F(LeaderElectionTest, LosesLeadershipWhenRenewalsFailPastTheDeadline) {
  Observed observed;
  LeaderElector elector(live_.client(), config("a"), observed.callbacks());
  elector.start();
  ASSERT_TRUE(eventually([&] { return elector.is_leader(); }));
  live_.server().controls().inject_error(test::failure("update", "leases", 500, 1000000));
  const auto failing = std::chrono::steady_clock::now();
  ASSERT_TRUE(eventually([&] { return observed.stopped == 1; }, 3s));
  EXPECT_TRUE(elector.lost());
  EXPECT_FALSE(elector.is_leader());
  // Not before the renew deadline (600 ms) since the last renewal.
  EXPECT_GE(std::chrono::steady_clock::now() - failing, 400ms);
  live_.server().controls().clear();
  // A lost elector does not campaign again.
  EXPECT_TRUE(never([&] { return elector.is_leader(); }, 300ms));
  elector.stop();
  EXPECT_EQ(observed.started, 1);
  EXPECT_EQ(observed.stopped, 1);
}

// holds_lease() reads the clock itself: a process paused past its renew deadline (its elector
// thread not running) stops holding the lease the moment the clock says so, so its write fence
// closes before a successor can take over.
TEST_F(LeaderElectionTest, HoldsTheLeaseOnlyUntilTheRenewDeadline) {
  FakeClock clock;
  auto c = config("a");
  c.clock = &clock;
  LeaderElector elector(live_.client(), c);
  EXPECT_FALSE(elector.holds_lease());
  elector.start();
  ASSERT_TRUE(eventually([&] { return elector.is_leader(); }));
  EXPECT_TRUE(elector.holds_lease());
  live_.server().controls().inject_error(test::failure("update", "leases", 500, 1000000));
  clock.advance(c.renew_deadline - 1ms);  // renewals fail; still within the deadline
  EXPECT_TRUE(elector.holds_lease());
  clock.advance(1ms);  // the deadline: no longer held, whatever the elector thread does
  EXPECT_FALSE(elector.holds_lease());
  ASSERT_TRUE(eventually([&] { return elector.lost(); }));
  EXPECT_FALSE(elector.holds_lease());
  elector.stop();
}

TEST_F(LeaderElectionTest, RetriesAfterConflicts) {
  // Two conflicts on the first renewals: the elector keeps leading because a
  // later retry within the deadline succeeds.
  LeaderElector elector(live_.client(), config("a"));
  elector.start();
  ASSERT_TRUE(eventually([&] { return elector.is_leader(); }));
  live_.server().controls().inject_error(test::failure("update", "leases", 409, 2));
  ASSERT_TRUE(
      eventually([&] { return live_.server().controls().request_count("update", "leases") >= 4; }));
  EXPECT_TRUE(elector.is_leader());
  EXPECT_FALSE(elector.lost());
}

}  // namespace
}  // namespace druid::kube
