// `kubectl druid reconciliation trigger|suspend|resume` against the test API server: the
// annotations the Etcds carry afterwards, the waiting modes and their errors.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "druidctl_env.hpp"
#include "support/eventually.hpp"
#include "util/time.hpp"

namespace druid::druidctl::test {
namespace {

using kube::test::eventually;
using nlohmann::json;

constexpr const char* kOperation = "druid.gardener.cloud/operation";
constexpr const char* kSuspend = "druid.gardener.cloud/suspend-etcd-spec-reconcile";

using ReconciliationTest = DruidctlTest;

// One row of the status table, for the first four columns (the time taken varies).
std::string row_prefix(const std::string& etcd, bool triggered, bool updated, std::size_t width) {
  return fmt::format("│{:<{}}│{:<19}│{:<14}│", etcd, width, triggered ? "true" : "false",
                     updated ? "true" : "false");
}

TEST_F(ReconciliationTest, TriggerSetsTheOperationAnnotation) {
  create_etcd("default", "etcd-a");
  create_etcd("default", "etcd-b");
  auto result = druid("reconciliation trigger etcd-a");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.err, "");
  EXPECT_EQ(annotations("default", "etcd-a")[kOperation], "reconcile");
  EXPECT_FALSE(annotations("default", "etcd-b").contains(kOperation));
}

TEST_F(ReconciliationTest, TriggerWithoutNamesOrAllNamespacesPrintsHelp) {
  create_etcd("default", "etcd-a");
  auto result = druid("reconciliation trigger");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(contains(result.out, "--wait-till-ready")) << result.out;
  EXPECT_FALSE(annotations("default", "etcd-a").contains(kOperation));
}

TEST_F(ReconciliationTest, TriggerOnASuspendedEtcdAnnotatesAndFails) {
  create_etcd("default", "etcd-a");
  ASSERT_EQ(druid("reconciliation suspend etcd-a").exit_code, 0);
  auto result = druid("reconciliation trigger etcd-a");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(
      result.err,
      "Error: reconciliation failed for some etcd resources: reconciliation failed for etcd "
      "default/etcd-a: reconciliation triggered, but is suspended for Etcd, cannot proceed\n");
  EXPECT_EQ(annotations("default", "etcd-a")[kOperation], "reconcile");
}

TEST_F(ReconciliationTest, TimeoutAndWatchFlagsExcludeEachOther) {
  create_etcd("default", "etcd-a");
  auto timeout_alone = druid("reconciliation trigger etcd-a -t 1m");
  EXPECT_EQ(timeout_alone.exit_code, 1);
  EXPECT_EQ(timeout_alone.err, "Error: cannot specify --timeout/-t without --wait-till-ready/-w\n");
  auto watch_and_wait = druid("reconciliation trigger etcd-a -W -w");
  EXPECT_EQ(watch_and_wait.exit_code, 1);
  EXPECT_EQ(watch_and_wait.err,
            "Error: cannot specify --watch/-W with --wait-till-ready/-w or --timeout/-t\n");
  // Upstream checks a timeout without -w first, so -W with -t reports that rule.
  auto watch_and_timeout = druid("reconciliation trigger etcd-a --watch --timeout=2m");
  EXPECT_EQ(watch_and_timeout.exit_code, 1);
  EXPECT_EQ(watch_and_timeout.err,
            "Error: cannot specify --timeout/-t without --wait-till-ready/-w\n");
  auto watch_wait_and_timeout = druid("reconciliation trigger etcd-a -W -w -t 2m");
  EXPECT_EQ(watch_wait_and_timeout.exit_code, 1);
  EXPECT_EQ(watch_wait_and_timeout.err,
            "Error: cannot specify --watch/-W with --wait-till-ready/-w or --timeout/-t\n");
  auto bad_duration = druid("reconciliation trigger etcd-a -w -t soon");
  EXPECT_EQ(bad_duration.exit_code, 1);
  EXPECT_TRUE(contains(bad_duration.err, "Error: invalid argument \"soon\" for \"-t, --timeout\""))
      << bad_duration.err;
  EXPECT_FALSE(annotations("default", "etcd-a").contains(kOperation))
      << "nothing is written when the flags are refused";
}

// The members become updated and ready while the command waits (the test plays etcd-druid).
TEST_F(ReconciliationTest, WaitTillReadyCompletesWhenBothConditionsAreTrue) {
  create_etcd("default", "etcd-a");
  std::thread druid_operator([this] {
    const bool triggered = eventually(
        [&] { return annotations("default", "etcd-a").value(kOperation, "") == "reconcile"; },
        std::chrono::seconds(20));
    if (!triggered) return;
    json etcd_object = etcd("default", "etcd-a");
    const std::string now = util::format_rfc3339(std::chrono::system_clock::now());
    etcd_object["status"]["conditions"] = json::array({{{"type", "AllMembersUpdated"},
                                                        {"status", "True"},
                                                        {"lastTransitionTime", now},
                                                        {"lastUpdateTime", now},
                                                        {"reason", "AllMembersUpdated"},
                                                        {"message", "updated"}},
                                                       {{"type", "AllMembersReady"},
                                                        {"status", "True"},
                                                        {"lastTransitionTime", now},
                                                        {"lastUpdateTime", now},
                                                        {"reason", "AllMembersReady"},
                                                        {"message", "ready"}}});
    (void)server_.put(etcd_object);
  });
  auto result = druid("reconciliation trigger etcd-a -w -t 30s");
  druid_operator.join();
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_EQ(result.err, "");
  ASSERT_TRUE(contains(result.out, "Reconciliation Status:\n")) << result.out;
  // The last table shows the Etcd done.
  const std::string last = result.out.substr(result.out.rfind("Reconciliation Status:"));
  EXPECT_TRUE(contains(last, row_prefix("default/etcd-a", true, true, 14))) << last;
  EXPECT_TRUE(contains(last, fmt::format("│{:<24}│\n", "true"))) << last;
  EXPECT_TRUE(contains(last,
                       "│Etcd          │Reconcile Triggered│Pods Upto Date│Time Taken To "
                       "Reconcile│Reconciliation Completed│"))
      << last;
}

TEST_F(ReconciliationTest, WaitTillReadyTimesOutWhenTheMembersNeverBecomeReady) {
  create_etcd("default", "etcd-a");
  json etcd_object = etcd("default", "etcd-a");
  etcd_object["status"]["conditions"] = json::array(
      {{{"type", "AllMembersUpdated"}, {"status", "True"}, {"reason", "x"}, {"message", "x"}},
       {{"type", "AllMembersReady"}, {"status", "False"}, {"reason", "x"}, {"message", "x"}}});
  ASSERT_TRUE(server_.put(etcd_object).has_value());
  auto result = druid("reconciliation trigger etcd-a -w -t 400ms");
  EXPECT_EQ(result.exit_code, 1) << result.out;
  EXPECT_EQ(result.err,
            "Error: reconciliation failed for some etcd resources: reconciliation failed for etcd "
            "default/etcd-a: error waiting for Etcd to be ready: context canceled while waiting "
            "for Etcd to be ready: context deadline exceeded\n");
  const std::string last = result.out.substr(result.out.rfind("Reconciliation Status:"));
  EXPECT_TRUE(contains(last, row_prefix("default/etcd-a", true, true, 14))) << last;
  EXPECT_TRUE(contains(last, fmt::format("│{:<24}│\n", "false"))) << last;
  EXPECT_EQ(annotations("default", "etcd-a")[kOperation], "reconcile");
}

TEST_F(ReconciliationTest, SuspendAndResume) {
  create_etcd("default", "etcd-a");
  create_etcd("other", "etcd-b");
  auto suspend = druid("reconciliation suspend etcd-a other/etcd-b");
  EXPECT_EQ(suspend.exit_code, 0) << suspend.err;
  EXPECT_EQ(annotations("default", "etcd-a")[kSuspend], "true");
  EXPECT_EQ(annotations("other", "etcd-b")[kSuspend], "true");

  auto resume = druid("reconciliation resume etcd-b -n other -v");
  EXPECT_EQ(resume.exit_code, 0) << resume.err;
  EXPECT_FALSE(annotations("other", "etcd-b").contains(kSuspend));
  EXPECT_EQ(annotations("default", "etcd-a")[kSuspend], "true");
  EXPECT_TRUE(contains(resume.out, "[other/etcd-b] Resumed reconciliation")) << resume.out;
}

TEST_F(ReconciliationTest, WithoutNamesActsOnTheNamespaceFilteredBySelector) {
  create_etcd("default", "etcd-a", {{"tier", "main"}});
  create_etcd("default", "etcd-b", {{"tier", "events"}});
  create_etcd("other", "etcd-c", {{"tier", "main"}});
  auto result = druid("reconciliation suspend -l tier=main");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(annotations("default", "etcd-a")[kSuspend], "true");
  EXPECT_FALSE(annotations("default", "etcd-b").contains(kSuspend));
  EXPECT_FALSE(annotations("other", "etcd-c").contains(kSuspend));
}

TEST_F(ReconciliationTest, UpdatesAreRetriedOnConflict) {
  create_etcd("default", "etcd-a");
  server_.controls().reset_counts();
  server_.controls().fail_next("update", "etcds", 409, 2);
  auto result = druid("reconciliation suspend etcd-a");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(annotations("default", "etcd-a")[kSuspend], "true");
  EXPECT_EQ(server_.controls().request_count("update", "etcds"), 3);
  EXPECT_EQ(server_.controls().request_count("patch", "etcds"), 0) << "get-modify-update only";
}

}  // namespace
}  // namespace druid::druidctl::test
