// The compaction controller's configuration (controllers.compaction, the
// deprecated --enable-backup-compaction flags) and its metrics on /metrics
// with upstream's names, labels and buckets (issue 14, item 1).
#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "kube/fake_http_server.hpp"
#include "operator/backup_sidecar_client.hpp"
#include "operator/config_mapping.hpp"
#include "operator/prometheus_text.hpp"

namespace druid::operator_ {
namespace {

bool has_line(const std::string& text, const std::string& line) {
  std::istringstream in(text);
  for (std::string current; std::getline(in, current);) {
    if (current == line) return true;
  }
  return false;
}

TEST(CompactionControllerConfig, AbsentUnlessEnabled) {
  EXPECT_FALSE(compaction_controller_config(api::default_operator_config(), {}).has_value());
}

TEST(CompactionControllerConfig, EnabledTakesUpstreamDefaults) {
  auto config = api::default_operator_config();
  config.controllers.compaction.enabled = true;
  api::apply_operator_config_defaults(config);
  const auto out = compaction_controller_config(config, {});
  ASSERT_TRUE(out);
  EXPECT_EQ(out->workers, 3);
  EXPECT_EQ(out->events_threshold, 1000000);
  EXPECT_EQ(out->trigger_full_snapshot_threshold, 3000000);
  EXPECT_EQ(out->active_deadline, std::chrono::hours(3));
  EXPECT_EQ(out->metrics_scrape_wait, "0s");
  EXPECT_FALSE(out->upgrade_etcd_version);
}

TEST(CompactionControllerConfig, TakesEveryField) {
  auto config = api::default_operator_config();
  auto& compaction = config.controllers.compaction;
  compaction.enabled = true;
  compaction.concurrent_syncs = 7;
  compaction.events_threshold = 15;
  compaction.trigger_full_snapshot_threshold = 45;
  compaction.active_deadline_duration = "2m";
  compaction.metrics_scrape_wait_duration = "90s";
  api::FeatureGates gates;
  gates.upgrade_etcd_version = true;
  const auto out = compaction_controller_config(config, gates);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->workers, 7);
  EXPECT_EQ(out->events_threshold, 15);
  EXPECT_EQ(out->trigger_full_snapshot_threshold, 45);
  EXPECT_EQ(out->active_deadline, std::chrono::minutes(2));
  EXPECT_EQ(out->metrics_scrape_wait, "1m30s");  // as Go prints it to the job
  EXPECT_TRUE(out->upgrade_etcd_version);
}

// The full-snapshot fallback goes through the EtcdOpsTask controller's client
// with upstream's method, GET, over HTTPS with the backup CA.
TEST(CompactionFullSnapshotCall, GetsTheFullSnapshotEndpoint) {
  const auto pki = kube::test::make_test_pki();
  kube::test::FakeServer sidecar(pki, /*require_client_cert=*/false);
  sidecar.on("GET", "/snapshot/full", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"kind":"Full"})", "application/json");
  });
  sidecar.start();
  controller::etcdopstask::SnapshotCall call;
  call.method = "GET";
  call.url = sidecar.url("https") + "/snapshot/full";
  call.ca_pem = pki.ca.cert;
  call.timeout = std::chrono::seconds(10);
  BackupSidecarClient client;
  auto answer = client.take_snapshot(call);
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(sidecar.last_request().method, "GET");
  EXPECT_EQ(sidecar.last_request().path, "/snapshot/full");
}

TEST(CompactionMetricsText, FamiliesAppearOnceObserved) {
  MetricsSnapshot s;
  EXPECT_EQ(render_prometheus_text(s).find("etcddruid_compaction"), std::string::npos);

  controller::compaction::CompactionMetrics metrics;
  metrics.job_finished("shoot--a", true, "none", 250.0);
  metrics.job_finished("shoot--a", false, "deadlineExceeded", 10800.0);
  metrics.full_snapshot_triggered("shoot--a", false);
  metrics.set_jobs_current("shoot--a", 1);
  metrics.set_num_delta_events("shoot--a", 1100);
  s.compaction = metrics.snapshot();
  const std::string text = render_prometheus_text(s);

  EXPECT_TRUE(has_line(text,
                       "# HELP etcddruid_compaction_jobs_total Total number of compaction "
                       "jobs initiated by compaction controller."));
  EXPECT_TRUE(has_line(text, "# TYPE etcddruid_compaction_jobs_total counter"));
  EXPECT_TRUE(has_line(text,
                       "etcddruid_compaction_jobs_total{etcd_namespace=\"shoot--a\","
                       "failureReason=\"none\",succeeded=\"true\"} 1"));
  EXPECT_TRUE(has_line(text,
                       "etcddruid_compaction_jobs_total{etcd_namespace=\"shoot--a\","
                       "failureReason=\"deadlineExceeded\",succeeded=\"false\"} 1"));
  EXPECT_TRUE(has_line(text, "# TYPE etcddruid_compaction_full_snapshot_triggered_total counter"));
  EXPECT_TRUE(has_line(text,
                       "etcddruid_compaction_full_snapshot_triggered_total{etcd_namespace="
                       "\"shoot--a\",succeeded=\"false\"} 1"));
  EXPECT_TRUE(has_line(
      text,
      "# HELP etcddruid_compaction_jobs_current Number of currently running comapction job."));
  EXPECT_TRUE(has_line(text, "# TYPE etcddruid_compaction_jobs_current gauge"));
  EXPECT_TRUE(has_line(text, "etcddruid_compaction_jobs_current{etcd_namespace=\"shoot--a\"} 1"));
  EXPECT_TRUE(has_line(text, "# TYPE etcddruid_compaction_num_delta_events gauge"));
  EXPECT_TRUE(
      has_line(text, "etcddruid_compaction_num_delta_events{etcd_namespace=\"shoot--a\"} 1100"));
  EXPECT_TRUE(has_line(text, "# TYPE etcddruid_compaction_job_duration_seconds histogram"));
  const std::string success =
      "etcddruid_compaction_job_duration_seconds_bucket{etcd_namespace=\"shoot--a\","
      "failureReason=\"none\",succeeded=\"true\",le=";
  EXPECT_TRUE(has_line(text, success + "\"60\"} 0"));
  EXPECT_TRUE(has_line(text, success + "\"300\"} 1"));
  EXPECT_TRUE(has_line(text, success + "\"1800\"} 1"));
  EXPECT_TRUE(has_line(text, success + "\"+Inf\"} 1"));
  EXPECT_TRUE(has_line(text,
                       "etcddruid_compaction_job_duration_seconds_sum{etcd_namespace="
                       "\"shoot--a\",failureReason=\"none\",succeeded=\"true\"} 250"));
  EXPECT_TRUE(has_line(text,
                       "etcddruid_compaction_job_duration_seconds_bucket{etcd_namespace="
                       "\"shoot--a\",failureReason=\"deadlineExceeded\",succeeded=\"false\","
                       "le=\"1800\"} 0"));
}

}  // namespace
}  // namespace druid::operator_
