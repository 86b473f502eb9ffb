// What users cannot see but rely on: an Etcd that is reconciled sends no
// writes while nothing changes, and the operator dying after any write leaves
// nothing a restart cannot finish.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "support/eventually.hpp"
#include "support/fixtures.hpp"
#include "support/managed_state.hpp"
#include "support/operator_env.hpp"

namespace druid::test {
namespace {

using kube::test::eventually;
using nlohmann::json;

// Client and backup-restore TLS and a store. Peer TLS would make every
// re-sync wait for backup-restore to mark the member leases tls-enabled
// (upstream's handleTLSChanges); PeerTlsIdleResync plays that sidecar.
json tls_backup_etcd() {
  json etcd = base_etcd_json(3);
  add_client_tls(etcd);
  add_backup_tls(etcd);
  add_store(etcd, "aws");
  return etcd;
}

// What backup-restore does once peer TLS is on: annotate its member lease.
void annotate_member_leases_tls(OperatorEnv& env, int replicas) {
  for (int i = 0; i < replicas; ++i) {
    const std::string name = std::string(kTestEtcdName) + "-" + std::to_string(i);
    ASSERT_TRUE(
        eventually([&] { return env.get("leases.coordination.k8s.io", name).has_value(); }));
    auto patched = env.client().patch(
        kube::resources::kLeases, kTestNamespace, name, kube::PatchType::kMerge,
        {{"metadata", {{"annotations", {{"member.etcd.gardener.cloud/tls-enabled", "true"}}}}}});
    ASSERT_TRUE(patched) << patched.error().what();
  }
}

bool reconciled(OperatorEnv& env) {
  const json status = env.etcd().value("status", json::object());
  return status.value("observedGeneration", 0) == 1 &&
         status.value("lastOperation", json::object()).value("state", "") == "Succeeded";
}

// What must be equal between two runs (support/managed_state.hpp).
json managed_state(OperatorEnv& env) {
  std::vector<std::string> duplicates;
  json state = druid::test::managed_state(env.server(), kTestNamespace, &duplicates);
  EXPECT_TRUE(duplicates.empty()) << json(duplicates).dump();
  return state;
}

void expect_idle_resync_writes_nothing(bool auto_reconcile, bool peer_tls = false) {
  auto config = fast_etcd_controller_config();
  config.enable_etcd_spec_auto_reconcile = auto_reconcile;
  OperatorEnv env(config);
  json etcd = tls_backup_etcd();
  if (peer_tls) add_peer_tls(etcd);
  env.create_etcd(etcd);
  ASSERT_TRUE(eventually([&] { return reconciled(env); }, std::chrono::seconds(20)));
  if (peer_tls) annotate_member_leases_tls(env, 3);
  // Count from a quiet point: two reconciles in a row without any write. Until
  // then the status may still be taking in the members' leases and pods, and
  // the event recorder may still be sending (it is asynchronous); a real
  // oscillation finds no quiet point and fails here.
  bool quiet = false;
  for (int attempt = 0; attempt < 20 && !quiet; ++attempt) {
    env.server().controls().reset_counts();
    const auto from = env.op().reconciles();
    ASSERT_TRUE(eventually([&] { return env.op().reconciles() >= from + 2; }));
    quiet = env.server().controls().write_count() == 0;
  }
  ASSERT_TRUE(quiet) << env.server().controls().counts_json().dump();
  const json before = env.etcd();
  const auto start = env.op().reconciles();
  ASSERT_TRUE(eventually([&] { return env.op().reconciles() >= start + 4; }));
  EXPECT_EQ(env.server().controls().write_count(), 0)
      << env.server().controls().counts_json().dump() << "\n"
      << json::diff(before, env.etcd()).dump();
}

TEST(EtcdZeroChurn, IdleResyncWritesNothingWithoutAutoReconcile) {
  expect_idle_resync_writes_nothing(false);
}

TEST(EtcdZeroChurn, IdleResyncWritesNothingWithAutoReconcile) {
  expect_idle_resync_writes_nothing(true);
}

TEST(EtcdZeroChurn, IdleResyncWithPeerTlsWritesNothingOnceLeasesAreTlsEnabled) {
  expect_idle_resync_writes_nothing(true, /*peer_tls=*/true);
}

TEST(EtcdZeroChurn, AutoReconcileRepairsDriftAndRecordsIt) {
  auto config = fast_etcd_controller_config();
  config.enable_etcd_spec_auto_reconcile = true;
  OperatorEnv env(config);
  env.create_etcd(tls_backup_etcd());
  ASSERT_TRUE(eventually([&] { return reconciled(env); }, std::chrono::seconds(20)));
  const std::string run_id = env.etcd()["status"]["lastOperation"]["runID"];
  // Someone edits a managed object behind druid's back.
  ASSERT_TRUE(env.client().patch(kube::resources::kServices, kTestNamespace, "etcd-main-peer",
                                 kube::PatchType::kMerge,
                                 {{"metadata", {{"labels", {{"foreign", "label"}}}}}}));
  EXPECT_TRUE(eventually([&] {
    const auto svc = env.get("services", "etcd-main-peer");
    return svc && !(*svc)["metadata"]["labels"].contains("foreign");
  }));
  // The repair is a reconcile that changed something, so it is recorded.
  EXPECT_TRUE(eventually([&] {
    const json op = env.etcd()["status"]["lastOperation"];
    return op["runID"] != run_id && op["state"] == "Succeeded";
  }));
}

// Stops the operator after its k-th write, for every k of a full creation,
// restarts it, and compares the result with an uninterrupted run.
TEST(EtcdCrashSafety, RestartAfterAnyWriteConvergesToTheSameObjects) {
  json expected;
  std::int64_t total_writes = 0;
  {
    OperatorEnv env(fast_etcd_controller_config(), /*start=*/false);
    env.create_etcd(tls_backup_etcd());
    env.server().controls().reset_counts();
    env.start_operator();
    ASSERT_TRUE(eventually([&] { return reconciled(env); }, std::chrono::seconds(20)));
    env.stop_operator();
    total_writes = env.server().controls().write_count();
    expected = managed_state(env);
  }
  ASSERT_GT(total_writes, 10);
  for (std::int64_t k = 1; k < total_writes; ++k) {
    SCOPED_TRACE("crash after write " + std::to_string(k));
    OperatorEnv env(fast_etcd_controller_config(), /*start=*/false);
    env.create_etcd(tls_backup_etcd());
    env.server().controls().reset_counts();
    env.server().controls().limit_writes(k);
    env.start_operator();
    // The (k+1)-th write was refused: the operator is "dead" from there on.
    ASSERT_TRUE(eventually([&] { return env.server().controls().write_count() > k; },
                           std::chrono::seconds(20)));
    env.stop_operator();
    env.server().controls().clear();
    env.start_operator();
    ASSERT_TRUE(eventually([&] { return reconciled(env); }, std::chrono::seconds(20)));
    env.stop_operator();
    EXPECT_EQ(managed_state(env), expected);
  }
}

}  // namespace
}  // namespace druid::test
