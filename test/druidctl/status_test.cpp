// `kubectl druid status`: an Etcd with three members (one of them behind on its lease), a
// backup store with one full snapshot taken, a rolling update half done, and a recorded error,
// laid into the test API server as etcd-druid, the members and the kubelet would leave them.

#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "api/etcd.hpp"
#include "api/labels.hpp"
#include "druidctl_env.hpp"
#include "support/fixtures.hpp"
#include "util/time.hpp"

namespace druid::druidctl::test {
namespace {

using nlohmann::json;

std::string ago(std::chrono::seconds seconds) {
  return util::format_rfc3339(std::chrono::system_clock::now() - seconds);
}

json as_json(const util::Labels& labels) {
  json out = json::object();
  for (const auto& [key, value] : labels) out[key] = value;
  return out;
}

class StatusTest : public DruidctlTest {
 protected:
  // etcd-a in default: 3 replicas, a backup store, status as druid writes it.
  void lay_out_cluster() {
    json etcd = druid::test::base_etcd_json(3);
    druid::test::add_store(etcd);
    etcd["metadata"]["name"] = "etcd-a";
    etcd["metadata"]["namespace"] = "default";
    etcd["metadata"].erase("uid");
    etcd["status"] = {{"observedGeneration", 1},
                      {"ready", false},
                      {"readyReplicas", 2},
                      {"replicas", 3},
                      {"members",
                       {{{"name", "etcd-a-0"},
                         {"id", "a1"},
                         {"role", "Leader"},
                         {"status", "Ready"},
                         {"reason", "LeaseSucceeded"},
                         {"lastTransitionTime", ago(std::chrono::seconds(900))}},
                        {{"name", "etcd-a-1"},
                         {"id", "b2"},
                         {"role", "Member"},
                         {"status", "Ready"},
                         {"reason", "LeaseSucceeded"},
                         {"lastTransitionTime", ago(std::chrono::seconds(900))}},
                        {{"name", "etcd-a-2"},
                         {"id", "c3"},
                         {"role", "Member"},
                         {"status", "NotReady"},
                         {"reason", "LeaseExpired"},
                         {"lastTransitionTime", ago(std::chrono::seconds(300))}}}},
                      {"conditions",
                       {condition("BackupReady", "True", "BackupSucceeded"),
                        condition("AllMembersReady", "False", "NotAllMembersReady"),
                        condition("Ready", "True", "Quorate")}},
                      {"lastOperation",
                       {{"type", "Reconcile"},
                        {"state", "Error"},
                        {"description", "Reconcile failed"},
                        {"runID", "run-1"},
                        {"lastUpdateTime", ago(std::chrono::seconds(120))}}},
                      {"lastErrors",
                       {{{"code", "ERR_SYNC_STATEFULSET"},
                         {"description", "statefulset is being updated"},
                         {"observedAt", ago(std::chrono::seconds(120))}}}}};
    ASSERT_TRUE(server_.put(etcd).has_value());
    const api::Etcd decoded = druid::test::decode(etcd);

    // Member leases: etcd-a-2 last renewed 10 minutes ago.
    const int renewed_seconds_ago[] = {4, 4, 600};
    const char* holders[] = {"a1:Leader", "b2:Member", "c3:Member"};
    for (int i = 0; i < 3; ++i) {
      const std::string name = "etcd-a-" + std::to_string(i);
      put({{"apiVersion", "coordination.k8s.io/v1"},
           {"kind", "Lease"},
           {"metadata",
            {{"name", name},
             {"namespace", "default"},
             {"labels", as_json(api::member_lease_labels(decoded, name))}}},
           {"spec",
            {{"holderIdentity", holders[i]},
             {"renewTime",
              util::format_rfc3339_micro(std::chrono::system_clock::now() -
                                         std::chrono::seconds(renewed_seconds_ago[i]))}}}});
    }
    // A full snapshot at revision 1234 two hours ago; no delta snapshot yet.
    put({{"apiVersion", "coordination.k8s.io/v1"},
         {"kind", "Lease"},
         {"metadata",
          {{"name", "etcd-a-full-snap"},
           {"namespace", "default"},
           {"labels", as_json(api::snapshot_lease_labels(decoded, "etcd-a-full-snap"))}}},
         {"spec",
          {{"holderIdentity", "1234"},
           {"renewTime", util::format_rfc3339_micro(std::chrono::system_clock::now() -
                                                    std::chrono::hours(2))}}}});
    put({{"apiVersion", "coordination.k8s.io/v1"},
         {"kind", "Lease"},
         {"metadata",
          {{"name", "etcd-a-delta-snap"},
           {"namespace", "default"},
           {"labels", as_json(api::snapshot_lease_labels(decoded, "etcd-a-delta-snap"))}}},
         {"spec", json::object()}});
    // The StatefulSet rolls to revision etcd-a-new; etcd-a-0 has it, etcd-a-1 does not yet.
    put({{"apiVersion", "apps/v1"},
         {"kind", "StatefulSet"},
         {"metadata",
          {{"name", "etcd-a"},
           {"namespace", "default"},
           {"labels", as_json(api::statefulset_labels(decoded))}}},
         {"spec",
          {{"replicas", 3},
           {"serviceName", "etcd-a-peer"},
           {"selector", {{"matchLabels", as_json(api::etcd_pod_selector_labels(decoded))}}},
           {"template",
            {{"metadata", {{"labels", as_json(api::etcd_pod_selector_labels(decoded))}}},
             {"spec", {{"containers", {{{"name", "etcd"}, {"image", "etcd"}}}}}}}}}},
         {"status", {{"replicas", 3}, {"updateRevision", "etcd-a-new"}}}});
    put_pod("etcd-a-0", "etcd-a-new", true);
    put_pod("etcd-a-1", "etcd-a-old", false);
  }

  static json condition(const std::string& type, const std::string& status,
                        const std::string& reason) {
    const std::string at = ago(std::chrono::seconds(3600));
    return {{"type", type},
            {"status", status},
            {"reason", reason},
            {"message", type + " message"},
            {"lastTransitionTime", at},
            {"lastUpdateTime", at}};
  }

  void put_pod(const std::string& name, const std::string& revision, bool ready) {
    json labels =
        as_json(api::etcd_pod_selector_labels(druid::test::decode(etcd("default", "etcd-a"))));
    labels["controller-revision-hash"] = revision;
    put({{"apiVersion", "v1"},
         {"kind", "Pod"},
         {"metadata", {{"name", name}, {"namespace", "default"}, {"labels", labels}}},
         {"spec",
          {{"containers",
            {{{"name", "etcd"}, {"image", "etcd"}},
             {{"name", "backup-restore"}, {"image", "backup-restore"}}}}}},
         {"status",
          {{"phase", "Running"},
           {"containerStatuses",
            {{{"name", "etcd"}, {"ready", ready}},
             {{"name", "backup-restore"}, {"ready", true}}}}}}});
  }

  void put(const json& object) { ASSERT_TRUE(server_.put(object).has_value()) << object.dump(); }
};

TEST_F(StatusTest, ShowsMembersConditionsOperationBackupsAndPods) {
  lay_out_cluster();
  server_.controls().reset_counts();
  const auto result = druid("status etcd-a");
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_EQ(result.err, "");
  const std::string& out = result.out;
  EXPECT_EQ(out.rfind("Etcd default/etcd-a\n", 0), 0u) << out;
  EXPECT_TRUE(contains(out, "  Ready: false (2/3 replicas ready), generation 1, observed 1\n"))
      << out;
  EXPECT_TRUE(contains(out, "  Last operation: Reconcile Error (2m ago): Reconcile failed\n"))
      << out;
  EXPECT_TRUE(
      contains(out, "  Last error: ERR_SYNC_STATEFULSET (2m ago): statefulset is being updated\n"))
      << out;
  // Members, with the lease of the lagging one renewed 10 minutes ago.
  EXPECT_TRUE(contains(out, "│etcd-a-0│a1│Leader│Ready   │LeaseSucceeded│")) << out;
  EXPECT_TRUE(contains(out, "│etcd-a-2│c3│Member│NotReady│LeaseExpired  │10m")) << out;
  // Conditions: Ready first, then its parts, whatever order the status holds them in.
  const auto ready_at = out.find("│Ready          │True");
  const auto members_at = out.find("│AllMembersReady│False │NotAllMembersReady│1h");
  const auto backup_at = out.find("│BackupReady    │True");
  ASSERT_NE(ready_at, std::string::npos) << out;
  ASSERT_NE(members_at, std::string::npos) << out;
  ASSERT_NE(backup_at, std::string::npos) << out;
  EXPECT_LT(ready_at, members_at);
  EXPECT_LT(members_at, backup_at);
  // Backups.
  EXPECT_TRUE(contains(out, "│full    │etcd-a-full-snap │1234          │2h   │")) << out;
  EXPECT_TRUE(contains(out, "│delta   │etcd-a-delta-snap│none taken yet│-    │")) << out;
  // Pods against the StatefulSet's update revision.
  EXPECT_TRUE(contains(out, "│etcd-a-0│Running│2/2  │etcd-a-new│yes       │")) << out;
  EXPECT_TRUE(contains(out, "│etcd-a-1│Running│1/2  │etcd-a-old│no        │")) << out;
  EXPECT_TRUE(contains(out, "  StatefulSet update revision: etcd-a-new\n")) << out;
  EXPECT_EQ(server_.controls().write_count(), 0) << "status only reads";
}

TEST_F(StatusTest, JsonAndYamlCarryTheSameReport) {
  lay_out_cluster();
  const auto result = druid("status default/etcd-a -o json");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const json document = json::parse(result.out);
  EXPECT_EQ(document["kind"], "EtcdStatusList");
  ASSERT_EQ(document["etcds"].size(), 1u);
  const json& report = document["etcds"][0];
  EXPECT_EQ(report["etcd"], (json{{"namespace", "default"}, {"name", "etcd-a"}}));
  ASSERT_EQ(report["members"].size(), 3u);
  EXPECT_EQ(report["members"][2]["name"], "etcd-a-2");
  EXPECT_EQ(report["members"][2]["leaseHolder"], "c3:Member");
  EXPECT_GE(report["members"][2]["leaseAgeSeconds"].get<int>(), 600);
  EXPECT_LT(report["members"][0]["leaseAgeSeconds"].get<int>(), 600);
  std::vector<std::string> types;
  for (const auto& c : report["conditions"]) types.push_back(c["type"]);
  EXPECT_EQ(types, (std::vector<std::string>{"Ready", "AllMembersReady", "BackupReady"}));
  EXPECT_EQ(report["backup"]["fullSnapshot"]["revision"], "1234");
  EXPECT_TRUE(report["backup"]["deltaSnapshot"]["revision"].is_null());
  EXPECT_EQ(report["pods"][1]["upToDate"], false);
  EXPECT_EQ(report["lastErrors"][0]["code"], "ERR_SYNC_STATEFULSET");

  const auto yaml = druid("status etcd-a -o yaml");
  ASSERT_EQ(yaml.exit_code, 0) << yaml.err;
  EXPECT_TRUE(contains(yaml.out, "kind: EtcdStatusList\n")) << yaml.out;
  EXPECT_TRUE(contains(yaml.out, "revision: \"1234\"\n")) << yaml.out;
}

TEST_F(StatusTest, AFreshEtcdHasNothingReportedYet) {
  create_etcd("default", "etcd-b");
  const auto result = druid("status etcd-b");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(contains(result.out, "  Last operation: none yet\n")) << result.out;
  EXPECT_TRUE(contains(result.out, "\nMembers:\n  none reported yet\n")) << result.out;
  EXPECT_TRUE(contains(result.out, "\nConditions:\n  none reported yet\n")) << result.out;
  EXPECT_TRUE(contains(result.out, "\nBackups:\n  not configured (spec.backup.store is not set)\n"))
      << result.out;
  EXPECT_TRUE(contains(result.out, "\nPods:\n  none\n")) << result.out;
}

TEST_F(StatusTest, RefusesUnknownEtcdsAndOutputs) {
  create_etcd("default", "etcd-b");
  const auto missing = druid("status nope");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err, "Error: etcd \"nope\" not found in namespace \"default\"\n");
  const auto bad_output = druid("status etcd-b -o table");
  EXPECT_EQ(bad_output.exit_code, 1);
  EXPECT_EQ(bad_output.err, "Error: invalid output format: table (must be one of json, yaml)\n");
}

TEST_F(StatusTest, EveryEtcdOfTheNamespaceWithoutNames) {
  create_etcd("default", "etcd-b", {{"tier", "events"}});
  create_etcd("default", "etcd-c", {{"tier", "main"}});
  const auto all = druid("status");
  ASSERT_EQ(all.exit_code, 0) << all.err;
  EXPECT_TRUE(contains(all.out, "Etcd default/etcd-b\n")) << all.out;
  EXPECT_TRUE(contains(all.out, "Etcd default/etcd-c\n")) << all.out;
  const auto selected = druid("status -l tier=main");
  ASSERT_EQ(selected.exit_code, 0) << selected.err;
  EXPECT_FALSE(contains(selected.out, "etcd-b")) << selected.out;
  EXPECT_TRUE(contains(selected.out, "Etcd default/etcd-c\n")) << selected.out;
}

}  // namespace
}  // namespace druid::druidctl::test
