// The etcd-druid binary running against the in-process test API server, as a
// deployment runs it: reconciling an Etcd, serving /metrics, /healthz and
// /readyz, electing a leader, writing JSON (or text) logs, and stopping
// cleanly on SIGTERM.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "api/resources.hpp"
#include "apiserver/tls.hpp"
#include "operator/child_process.hpp"
#include "support/eventually.hpp"
#include "support/fixtures.hpp"
#include "support/live_server.hpp"
#include "support/operator_binary.hpp"

namespace druid::operator_::test {
namespace {

using druid::kube::test::eventually;
using druid::test::kTestEtcdName;
using druid::test::kTestNamespace;

// Leader election identities are "<hostname>_<uuid>".
std::string hostname_prefix() {
  char name[256] = {};
  ::gethostname(name, sizeof(name) - 1);
  return std::string(name) + "_";
}

// The value of the one sample `series` (the whole text before the value).
std::optional<double> sample(const std::string& metrics, const std::string& series) {
  for (const auto& line : lines_of(metrics)) {
    if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 &&
        line[series.size()] == ' ') {
      return std::stod(line.substr(series.size() + 1));
    }
  }
  return std::nullopt;
}

class BinaryRunTest : public OperatorBinaryTest {
 protected:
  std::string lease_holder() {
    const auto lease =
        live_.server().get("leases.coordination.k8s.io", kTestNamespace, "druid-leader-election");
    if (!lease) return "<none>";
    return lease->value("spec", nlohmann::json::object()).value("holderIdentity", "");
  }
};

TEST_F(BinaryRunTest, ReconcilesServesMetricsAndProbesAndStopsOnSigterm) {
  auto op = start(metrics_config(), {"--some-future-flag=on"});
  ASSERT_TRUE(eventually([&] { return http_get(probe_port_, "/healthz").status == 200; },
                         std::chrono::seconds(20)))
      << op->stderr_text();
  EXPECT_EQ(http_get(probe_port_, "/healthz").body, "ok");
  ASSERT_TRUE(wait_until_ready()) << op->stderr_text();
  const auto ready = http_get(probe_port_, "/readyz?verbose");
  EXPECT_NE(ready.body.find("[+]informer-sync ok"), std::string::npos) << ready.body;
  EXPECT_EQ(ready.body.find("webhook-server"), std::string::npos) << "webhook is disabled";

  auto etcd = druid::test::base_etcd_json(1);
  etcd["metadata"].erase("uid");
  etcd["metadata"].erase("generation");
  ASSERT_TRUE(live_.client().create(api::resources::kEtcds, kTestNamespace, etcd));
  ASSERT_TRUE(eventually(
      [&] {
        const auto stored =
            live_.server().get("etcds.druid.gardener.cloud", kTestNamespace, kTestEtcdName);
        if (!stored) return false;
        const auto op_state = stored->value("status", nlohmann::json::object())
                                  .value("lastOperation", nlohmann::json::object());
        return op_state.value("type", "") == "Reconcile" &&
               op_state.value("state", "") == "Succeeded";
      },
      std::chrono::seconds(20)))
      << op->stderr_text();
  EXPECT_TRUE(live_.server().get("statefulsets.apps", kTestNamespace, kTestEtcdName).has_value());

  // The reconcile that wrote lastOperation returns just after that write.
  const std::string c = "{controller=\"etcd-controller\"";
  HttpAnswer metrics;
  EXPECT_TRUE(eventually(
      [&] {
        metrics = http_get(metrics_port_, "/metrics");
        return sample(metrics.body, "controller_runtime_reconcile_time_seconds_count" + c + "}")
                   .value_or(0) >= 1;
      },
      std::chrono::seconds(10)));
  ASSERT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.content_type.rfind("text/plain; version=0.0.4", 0), 0u);
  const std::string& text = metrics.body;
  double reconciles = 0;
  for (const char* result : {"success", "error", "requeue", "requeue_after"}) {
    const auto value =
        sample(text, "controller_runtime_reconcile_total" + c + ",result=\"" + result + "\"}");
    EXPECT_TRUE(value) << result;
    reconciles += value.value_or(0);
  }
  EXPECT_GE(reconciles, 1);
  EXPECT_TRUE(sample(text, "controller_runtime_reconcile_errors_total" + c + "}"));
  EXPECT_TRUE(
      sample(text, "controller_runtime_reconcile_time_seconds_bucket" + c + ",le=\"+Inf\"}"));
  EXPECT_EQ(sample(text, "controller_runtime_max_concurrent_reconciles" + c + "}"), 3);
  EXPECT_TRUE(sample(text, "controller_runtime_active_workers" + c + "}"));
  const std::string q = "{name=\"etcd-controller\"}";
  EXPECT_TRUE(sample(text, "workqueue_depth" + q));
  EXPECT_GE(sample(text, "workqueue_adds_total" + q).value_or(0), 1);
  EXPECT_TRUE(sample(text, "workqueue_retries_total" + q));
  EXPECT_GE(sample(text, "workqueue_queue_duration_seconds_count" + q).value_or(0), 1);
  EXPECT_GE(sample(text, "workqueue_work_duration_seconds_count" + q).value_or(0), 1);
  const std::string host = "127.0.0.1:" + std::to_string(live_.server().port());
  EXPECT_GE(
      sample(text, "rest_client_requests_total{code=\"200\",host=\"" + host + "\",method=\"GET\"}")
          .value_or(0),
      12)
      << "one list per informer at least";
  EXPECT_GE(
      sample(text, "rest_client_requests_total{code=\"201\",host=\"" + host + "\",method=\"POST\"}")
          .value_or(0),
      1);
  EXPECT_GT(sample(text, "process_resident_memory_bytes").value_or(0), 1e6);
  EXPECT_TRUE(sample(text, "process_cpu_seconds_total"));
  EXPECT_GT(sample(text, "process_open_fds").value_or(0), 3);
  EXPECT_GT(sample(text, "process_start_time_seconds").value_or(0), 1.5e9);
  EXPECT_EQ(text.find("leader_election_master_status"), std::string::npos)
      << "leader election is disabled";

  op->signal(SIGTERM);
  EXPECT_EQ(op->wait(std::chrono::seconds(15)), 0) << op->stderr_text();
  EXPECT_EQ(http_get(probe_port_, "/healthz").status, 0) << "the probe server stopped";

  // Every log line is a zap-style JSON record; the unknown flag was warned about.
  bool warned = false;
  const auto log = lines_of(op->stderr_text());
  ASSERT_FALSE(log.empty());
  for (const auto& line : log) {
    const auto record = nlohmann::json::parse(line, nullptr, false);
    ASSERT_TRUE(record.is_object()) << line;
    EXPECT_TRUE(record["level"].is_string()) << line;
    EXPECT_TRUE(record["ts"].is_number_float()) << line;
    EXPECT_TRUE(record["logger"].is_string()) << line;
    EXPECT_TRUE(record["msg"].is_string()) << line;
    warned = warned ||
             (record["level"] == "warn" && record.value("argument", "") == "--some-future-flag=on");
  }
  EXPECT_TRUE(warned) << op->stderr_text();
  EXPECT_EQ(op->stdout_text(), "");
}

TEST_F(BinaryRunTest, LeaderElectionTakesTheLeaseAndReleasesItOnSigterm) {
  auto op = start(metrics_config() +
                      "leaderElection:\n  enabled: true\n  leaseDuration: 3s\n"
                      "  renewDeadline: 2s\n  retryPeriod: 200ms\n",
                  {}, {{"POD_NAMESPACE", kTestNamespace}});
  ASSERT_TRUE(eventually([&] { return lease_holder().rfind(hostname_prefix(), 0) == 0; },
                         std::chrono::seconds(20)))
      << lease_holder() << "\n"
      << op->stderr_text();
  ASSERT_TRUE(eventually(
      [&] {
        return sample(http_get(metrics_port_, "/metrics").body,
                      "leader_election_master_status{name=\"druid-leader-election\"}") == 1;
      },
      std::chrono::seconds(10)));

  // The elector's own client (the lease's GETs and PUTs) counts in rest_client_requests_total.
  const std::string host = "127.0.0.1:" + std::to_string(live_.server().port());
  EXPECT_TRUE(eventually(
      [&] {
        return sample(
                   http_get(metrics_port_, "/metrics").body,
                   "rest_client_requests_total{code=\"200\",host=\"" + host + "\",method=\"PUT\"}")
                   .value_or(0) >= 1;
      },
      std::chrono::seconds(10)));

  op->signal(SIGTERM);
  EXPECT_EQ(op->wait(std::chrono::seconds(15)), 0) << op->stderr_text();
  EXPECT_EQ(lease_holder(), "") << "the lease is released on shutdown";
}

TEST_F(BinaryRunTest, ReadyzNamesTheFailingCheckUntilCachesSync) {
  // Etcd lists answer slowly, so the first probes come before the caches sync.
  live_.server().controls().add_latency(kube::test::match("list", "etcds"),
                                        std::chrono::milliseconds(1500));
  auto op = start(metrics_config());
  HttpAnswer first;
  ASSERT_TRUE(eventually(
      [&] {
        first = http_get(probe_port_, "/readyz");
        return first.status != 0;
      },
      std::chrono::seconds(20)));
  EXPECT_EQ(first.status, 503);
  EXPECT_NE(first.body.find("[-]informer-sync failed"), std::string::npos) << first.body;
  EXPECT_EQ(http_get(probe_port_, "/readyz/informer-sync").status, 503);
  EXPECT_EQ(http_get(probe_port_, "/healthz").status, 200) << "alive while not ready";
  EXPECT_TRUE(wait_until_ready()) << op->stderr_text();
  EXPECT_EQ(http_get(probe_port_, "/readyz/informer-sync").status, 200);
  EXPECT_EQ(http_get(probe_port_, "/readyz/nonsense").status, 404);
  op->signal(SIGINT);
  EXPECT_EQ(op->wait(std::chrono::seconds(15)), 0);
}

TEST_F(BinaryRunTest, WebhookServerJoinsReadinessAndTextLogsAreZapConsole) {
  const auto tls = druid::testing::generate_tls_credentials({"localhost"}, {"127.0.0.1"});
  std::filesystem::create_directories(dir_.path() / "certs");
  dir_.write("certs/tls.crt", tls.cert_pem);
  dir_.write("certs/tls.key", tls.key_pem);
  const int webhook_port = free_port();
  auto op = start(metrics_config() + "  webhooks:\n    port: " + std::to_string(webhook_port) +
                  "\n    serverCertDir: " + (dir_.path() / "certs").string() +
                  "\nwebhooks:\n  etcdComponentProtection:\n    enabled: true\n"
                  "    serviceAccountInfo: {name: etcd-druid, namespace: " +
                  kTestNamespace + "}\nlogging:\n  logFormat: text\n  logLevel: debug\n");
  ASSERT_TRUE(wait_until_ready()) << op->stderr_text();
  const auto ready = http_get(probe_port_, "/readyz?verbose");
  EXPECT_NE(ready.body.find("[+]webhook-server ok"), std::string::npos) << ready.body;

  op->signal(SIGTERM);
  EXPECT_EQ(op->wait(std::chrono::seconds(15)), 0) << op->stderr_text();
  const std::regex console(
      "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\tINFO\tdruid\t"
      "Starting etcd-druid controller manager\t\\{.*\"healthProbePort\":" +
      std::to_string(probe_port_) + ".*\\}");
  bool found = false;
  for (const auto& line : lines_of(op->stderr_text())) {
    EXPECT_FALSE(nlohmann::json::accept(line)) << "text format: " << line;
    found = found || std::regex_match(line, console);
  }
  EXPECT_TRUE(found) << op->stderr_text();
}

}  // namespace
}  // namespace druid::operator_::test
