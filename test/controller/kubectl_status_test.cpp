// What a user sees with `kubectl get etcd NAME -owide` while the cluster
// changes: the operator runs in-process, a ClusterSimulator plays the
// StatefulSet controller, the kubelet and the backup-restore sidecars, and
// kubectl v1.32 reads the printer columns the server renders.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "support/cluster_simulator.hpp"
#include "support/eventually.hpp"
#include "support/kubectl.hpp"
#include "support/operator_env.hpp"

namespace druid::test {
namespace {

using kube::test::eventually;
using nlohmann::json;
using std::chrono::seconds;

// One row of a kubectl table, keyed by column header. Columns are found by
// where their headers start: kubectl pads columns with at least three spaces,
// while headers such as "ALL MEMBERS READY" contain single ones.
std::map<std::string, std::string> parse_row(const std::string& table) {
  std::istringstream lines(table);
  std::string header;
  std::string row;
  if (!std::getline(lines, header) || !std::getline(lines, row)) return {};
  std::vector<std::pair<std::size_t, std::string>> columns;  // start, name
  std::size_t pos = 0;
  while (pos < header.size()) {
    const std::size_t start = header.find_first_not_of(' ', pos);
    if (start == std::string::npos) break;
    std::size_t end = header.find("  ", start);
    if (end == std::string::npos) end = header.size();
    columns.emplace_back(start, header.substr(start, end - start));
    pos = end;
  }
  std::map<std::string, std::string> cells;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    const std::size_t start = columns[i].first;
    const std::size_t end = i + 1 < columns.size() ? columns[i + 1].first : std::string::npos;
    std::string cell = start < row.size() ? row.substr(start, end - start) : "";
    cell.erase(cell.find_last_not_of(' ') + 1);
    cells[columns[i].second] = cell;
  }
  return cells;
}

class KubectlStatusTest : public ::testing::Test {
 protected:
  static controller::etcd::EtcdControllerConfig config() {
    auto config = fast_etcd_controller_config();
    config.status_sync_period = std::chrono::milliseconds(200);
    config.member_unknown_threshold = seconds(5);
    config.member_not_ready_threshold = seconds(30);
    return config;
  }

  void SetUp() override {
    if (!kubectl_available()) GTEST_SKIP() << "kubectl is not installed";
    kubectl_ = std::make_unique<Kubectl>(env_.server());
  }

  std::map<std::string, std::string> wide_row() {
    last_ =
        (*kubectl_)("get etcd " + std::string(kTestEtcdName) + " -n " + kTestNamespace + " -owide")
            .output;
    return parse_row(last_);
  }

  // Runs the simulated cluster until the -owide row has every expected cell.
  bool wait_for_row(const std::map<std::string, std::string>& expected) {
    return eventually(
        [&] {
          sim_.sync();
          const auto row = wide_row();
          for (const auto& [column, value] : expected) {
            const auto cell = row.find(column);
            if (cell == row.end() || cell->second != value) return false;
          }
          return true;
        },
        seconds(20));
  }

  OperatorEnv env_{config()};
  ClusterSimulator sim_{env_.client()};
  std::unique_ptr<Kubectl> kubectl_;
  std::string last_;
};

TEST_F(KubectlStatusTest, WideOutputFollowsTheCluster) {
  json etcd = base_etcd_json(3);
  add_client_tls(etcd);
  add_peer_tls(etcd);
  add_store(etcd, "aws");
  env_.create_etcd(etcd);

  ASSERT_TRUE(wait_for_row({{"NAME", kTestEtcdName},
                            {"READY", "true"},
                            {"QUORATE", "True"},
                            {"ALL MEMBERS READY", "True"},
                            {"BACKUP READY", "True"},
                            {"CLUSTER ID MISMATCH", "False"},
                            {"CLUSTER SIZE", "3"},
                            {"CURRENT REPLICAS", "3"},
                            {"READY REPLICAS", "3"}}))
      << last_ << "\nsimulator: " << sim_.last_error();
  EXPECT_FALSE(wide_row()["AGE"].empty()) << last_;

  // One member's sidecar stops renewing: the member is Unknown, the cluster
  // still has quorum and its pods stay ready.
  sim_.set_renewed_ago(2, seconds(12));
  EXPECT_TRUE(wait_for_row({{"READY", "true"},
                            {"QUORATE", "True"},
                            {"ALL MEMBERS READY", "False"},
                            {"READY REPLICAS", "3"}}))
      << last_;

  // Two members gone for longer than the grace period: quorum lost (an
  // Unknown member would still count towards quorum).
  sim_.set_renewed_ago(1, seconds(60));
  sim_.set_renewed_ago(2, seconds(60));
  EXPECT_TRUE(wait_for_row({{"QUORATE", "False"}, {"ALL MEMBERS READY", "False"}})) << last_;

  // Snapshots are late: the backup state cannot be determined.
  sim_.set_snapshot_leases_renewed_ago(seconds(45));
  EXPECT_TRUE(wait_for_row({{"BACKUP READY", "Unknown"}})) << last_;

  // Everything recovers.
  sim_.resume_renewing(1);
  sim_.resume_renewing(2);
  sim_.set_snapshot_leases_renewed_ago(std::nullopt);
  EXPECT_TRUE(
      wait_for_row({{"QUORATE", "True"}, {"ALL MEMBERS READY", "True"}, {"BACKUP READY", "True"}}))
      << last_;
}

}  // namespace
}  // namespace druid::test
