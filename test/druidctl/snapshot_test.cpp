// `kubectl druid snapshot`: the EtcdOpsTask it creates, and --wait following that task to each
// of its ends (the test plays etcd-druid's EtcdOpsTask controller by writing the task's status).

#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "druidctl_env.hpp"
#include "support/eventually.hpp"
#include "support/fixtures.hpp"

namespace druid::druidctl::test {
namespace {

using kube::test::eventually;
using nlohmann::json;

constexpr const char* kTasks = "etcdopstasks.druid.gardener.cloud";

class SnapshotTest : public DruidctlTest {
 protected:
  void create_backed_up_etcd(const std::string& ns, const std::string& name) {
    json etcd = druid::test::base_etcd_json(1);
    druid::test::add_store(etcd);
    etcd["metadata"]["name"] = name;
    etcd["metadata"]["namespace"] = ns;
    etcd["metadata"].erase("uid");
    ASSERT_TRUE(server_.put(etcd).has_value());
  }
  std::vector<json> tasks(const std::string& ns) { return server_.core().list_objects(kTasks, ns); }
  // Waits for the one task of `ns`, then moves it through `states` as the controller does; before
  // each next state it waits until the command has read the task again, so every state is seen.
  void play_controller(const std::string& ns, const std::vector<std::string>& states,
                       const json& last_errors, const std::string& description) {
    if (!eventually([&] { return tasks(ns).size() == 1; }, std::chrono::seconds(20),
                    std::chrono::milliseconds(10))) {
      return;
    }
    for (std::size_t i = 0; i < states.size(); ++i) {
      json task = tasks(ns).front();
      task["status"]["state"] = states[i];
      task["status"]["lastOperation"] = {{"type", "Execution"},
                                         {"state", "InProgress"},
                                         {"description", description},
                                         {"runID", "1"},
                                         {"lastUpdateTime", "2026-12-07T10:00:00Z"}};
      if (i + 1 == states.size() && !last_errors.empty()) {
        task["status"]["lastErrors"] = last_errors;
      }
      const auto reads = server_.controls().request_count("get", "etcdopstasks");
      (void)server_.put(task);
      if (i + 1 == states.size()) break;  // the command stops reading at an end state
      eventually(
          [&] { return server_.controls().request_count("get", "etcdopstasks") > reads + 1; },
          std::chrono::seconds(20), std::chrono::milliseconds(5));
    }
  }
};

TEST_F(SnapshotTest, CreatesAFullSnapshotTaskForTheEtcd) {
  create_backed_up_etcd("default", "etcd-a");
  const auto result = druid("snapshot etcd-a");
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  const auto created = tasks("default");
  ASSERT_EQ(created.size(), 1u);
  const json& task = created.front();
  const std::string name = task["metadata"]["name"];
  EXPECT_EQ(name.rfind("etcd-a-snapshot-", 0), 0u) << name;
  EXPECT_EQ(task["spec"]["etcdName"], "etcd-a");
  EXPECT_EQ(task["spec"]["config"]["onDemandSnapshot"]["type"], "full");
  EXPECT_EQ(task["spec"]["ttlSecondsAfterFinished"], 3600) << "the CRD's default applies";
  EXPECT_EQ(result.out, "etcdopstask.druid.gardener.cloud/" + name +
                            " created (full snapshot of etcd default/etcd-a)\n");
}

TEST_F(SnapshotTest, DeltaInAnotherNamespace) {
  ASSERT_TRUE(
      server_
          .put({{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "shoot--a"}}}})
          .has_value());
  create_backed_up_etcd("shoot--a", "etcd-main");
  const auto result = druid("snapshot shoot--a/etcd-main --delta");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto created = tasks("shoot--a");
  ASSERT_EQ(created.size(), 1u);
  EXPECT_EQ(created.front()["spec"]["config"]["onDemandSnapshot"]["type"], "delta");
}

TEST_F(SnapshotTest, WaitFollowsTheTaskToSuccess) {
  create_backed_up_etcd("default", "etcd-a");
  std::thread controller([this] {
    play_controller("default", {"Pending", "InProgress", "Succeeded"}, json::array(),
                    "Snapshot taken at revision 42");
  });
  const auto result = druid("snapshot etcd-a --wait -t 1m");
  controller.join();
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  const std::string name = tasks("default").front()["metadata"]["name"];
  const std::string prefix = "[default/" + name + "] ";
  const auto pending = result.out.find(prefix + "Pending\n");
  const auto progress = result.out.find(prefix + "InProgress\n");
  const auto succeeded = result.out.find(prefix + "Succeeded\n");
  ASSERT_NE(pending, std::string::npos) << result.out;
  ASSERT_NE(progress, std::string::npos) << result.out;
  ASSERT_NE(succeeded, std::string::npos) << result.out;
  EXPECT_LT(pending, progress);
  EXPECT_LT(progress, succeeded);
  EXPECT_TRUE(contains(result.out, prefix + "Snapshot taken at revision 42\n")) << result.out;
}

TEST_F(SnapshotTest, WaitReportsARejectedTaskWithItsErrors) {
  create_backed_up_etcd("default", "etcd-a");
  std::thread controller([this] {
    play_controller("default", {"Rejected"},
                    json::array({{{"code", "ERR_ETCD_NOT_READY"},
                                  {"description", "etcd is not ready"},
                                  {"observedAt", "2026-12-07T10:00:00Z"}}}),
                    "Task Admit phase failed");
  });
  const auto result = druid("snapshot etcd-a -w");
  controller.join();
  EXPECT_EQ(result.exit_code, 1) << result.out;
  EXPECT_EQ(result.err,
            "Error: snapshot of etcd default/etcd-a was rejected: ERR_ETCD_NOT_READY: etcd is not "
            "ready\n");
}

TEST_F(SnapshotTest, WaitTimesOutWhenNobodyActs) {
  create_backed_up_etcd("default", "etcd-a");
  const auto result = druid("snapshot etcd-a -w -t 1s");
  EXPECT_EQ(result.exit_code, 1) << result.out;
  const std::string name = tasks("default").front()["metadata"]["name"];
  EXPECT_EQ(result.err, "Error: timed out after 1s waiting for EtcdOpsTask default/" + name +
                            " (state not set yet)\n");
}

TEST_F(SnapshotTest, RefusalsLeaveNoTaskBehind) {
  create_backed_up_etcd("default", "etcd-a");
  create_etcd("default", "etcd-plain");  // no backup store
  const auto no_store = druid("snapshot etcd-a etcd-plain");
  EXPECT_EQ(no_store.exit_code, 1);
  EXPECT_EQ(no_store.err,
            "Error: etcd default/etcd-plain has no backup store (spec.backup.store): on-demand "
            "snapshots need one\n");
  const auto both = druid("snapshot etcd-a --full --delta");
  EXPECT_EQ(both.err, "Error: cannot specify both --full and --delta\n");
  const auto timeout_alone = druid("snapshot etcd-a -t 5m");
  EXPECT_EQ(timeout_alone.err, "Error: cannot specify --timeout/-t without --wait/-w\n");
  const auto missing = druid("snapshot nope");
  EXPECT_EQ(missing.err, "Error: etcd \"nope\" not found in namespace \"default\"\n");
  EXPECT_TRUE(tasks("default").empty());
  const auto usage = druid("snapshot");
  EXPECT_EQ(usage.exit_code, 0);
  EXPECT_TRUE(contains(usage.out, "--delta")) << usage.out;
  EXPECT_TRUE(tasks("default").empty());
}

}  // namespace
}  // namespace druid::druidctl::test
