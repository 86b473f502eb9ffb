// The Prometheus text rendering: Go's number format, escaping, histogram
// layout, and the metric names and label sets dashboards expect.

#include "operator/prometheus_text.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace druid::operator_ {
namespace {

TEST(FormatSampleValue, PrintsNumbersAsTheGoClientDoes) {
  EXPECT_EQ(format_sample_value(0), "0");
  EXPECT_EQ(format_sample_value(1), "1");
  EXPECT_EQ(format_sample_value(-3), "-3");
  EXPECT_EQ(format_sample_value(0.005), "0.005");
  EXPECT_EQ(format_sample_value(0.0001), "0.0001");
  EXPECT_EQ(format_sample_value(0.00001), "1e-05");
  EXPECT_EQ(format_sample_value(1e-8), "1e-08");
  EXPECT_EQ(format_sample_value(2.5), "2.5");
  EXPECT_EQ(format_sample_value(123456), "123456");
  EXPECT_EQ(format_sample_value(999999), "999999");
  EXPECT_EQ(format_sample_value(1e6), "1e+06");
  EXPECT_EQ(format_sample_value(1234567), "1.234567e+06");
  EXPECT_EQ(format_sample_value(1.7e9), "1.7e+09");
  EXPECT_EQ(format_sample_value(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(format_sample_value(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(format_sample_value(std::numeric_limits<double>::quiet_NaN()), "NaN");
}

TEST(EscapeLabelValue, EscapesBackslashQuoteAndNewline) {
  EXPECT_EQ(escape_label_value("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
  EXPECT_EQ(escape_label_value("plain"), "plain");
}

TEST(PrometheusWriter, WritesFamiliesWithSortedLabels) {
  PrometheusWriter w;
  w.family("x_total", "Help with \\ and\nnewline.", "counter");
  w.sample("x_total", {{"method", "GET"}, {"code", "200"}, {"host", "h:1"}}, 7);
  w.sample("x_total", {}, 1);
  EXPECT_EQ(w.text(),
            "# HELP x_total Help with \\\\ and\\nnewline.\n"
            "# TYPE x_total counter\n"
            "x_total{code=\"200\",host=\"h:1\",method=\"GET\"} 7\n"
            "x_total 1\n");
}

TEST(PrometheusWriter, WritesCumulativeHistogramBucketsWithLeLast) {
  kube::DurationHistogram h({0.01, 0.1, 1});
  // Binary fractions, so the sum prints exactly.
  h.observe(std::chrono::nanoseconds(7812500));
  h.observe(std::chrono::nanoseconds(62500000));
  h.observe(std::chrono::nanoseconds(62500000));
  h.observe(std::chrono::seconds(3));
  PrometheusWriter w;
  w.histogram("d_seconds", {{"name", "q"}}, h);
  EXPECT_EQ(w.text(),
            "d_seconds_bucket{name=\"q\",le=\"0.01\"} 1\n"
            "d_seconds_bucket{name=\"q\",le=\"0.1\"} 3\n"
            "d_seconds_bucket{name=\"q\",le=\"1\"} 3\n"
            "d_seconds_bucket{name=\"q\",le=\"+Inf\"} 4\n"
            "d_seconds_sum{name=\"q\"} 3.1328125\n"
            "d_seconds_count{name=\"q\"} 4\n");
}

kube::ControllerMetrics controller_metrics() {
  kube::ControllerMetrics c;
  c.name = "etcd-controller";
  c.reconcile_total = {{"success", 5}, {"error", 2}};
  c.reconcile_errors_total = 2;
  c.reconcile_time = kube::DurationHistogram(kube::reconcile_time_buckets());
  c.reconcile_time.observe(std::chrono::milliseconds(20));
  c.max_concurrent_reconciles = 3;
  c.active_workers = 1;
  c.queue.name = "etcd-controller";
  c.queue.depth = 4;
  c.queue.adds_total = 9;
  c.queue.retries_total = 2;
  c.queue.queue_duration = kube::DurationHistogram(kube::work_queue_buckets());
  c.queue.work_duration = kube::DurationHistogram(kube::work_queue_buckets());
  return c;
}

bool has_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos || text.rfind(line + "\n", 0) == 0;
}

TEST(RenderPrometheusText, ControllerAndQueueMetricsCarryTheirLabels) {
  MetricsSnapshot s;
  s.controllers.push_back(controller_metrics());
  const auto text = render_prometheus_text(s);
  EXPECT_TRUE(has_line(text, "# TYPE controller_runtime_reconcile_total counter"));
  EXPECT_TRUE(has_line(
      text,
      "controller_runtime_reconcile_total{controller=\"etcd-controller\",result=\"success\"} 5"));
  EXPECT_TRUE(has_line(
      text,
      "controller_runtime_reconcile_total{controller=\"etcd-controller\",result=\"error\"} 2"));
  // Results never seen are present at 0.
  EXPECT_TRUE(has_line(
      text,
      "controller_runtime_reconcile_total{controller=\"etcd-controller\",result=\"requeue\"} 0"));
  EXPECT_TRUE(has_line(text,
                       "controller_runtime_reconcile_total{controller=\"etcd-controller\","
                       "result=\"requeue_after\"} 0"));
  EXPECT_TRUE(has_line(
      text, "controller_runtime_reconcile_errors_total{controller=\"etcd-controller\"} 2"));
  EXPECT_TRUE(has_line(text, "# TYPE controller_runtime_reconcile_time_seconds histogram"));
  EXPECT_TRUE(has_line(text,
                       "controller_runtime_reconcile_time_seconds_bucket{controller=\"etcd-"
                       "controller\",le=\"0.025\"} 1"));
  EXPECT_TRUE(has_line(
      text, "controller_runtime_reconcile_time_seconds_count{controller=\"etcd-controller\"} 1"));
  EXPECT_TRUE(has_line(
      text, "controller_runtime_max_concurrent_reconciles{controller=\"etcd-controller\"} 3"));
  EXPECT_TRUE(
      has_line(text, "controller_runtime_active_workers{controller=\"etcd-controller\"} 1"));
  EXPECT_TRUE(has_line(text, "workqueue_depth{name=\"etcd-controller\"} 4"));
  EXPECT_TRUE(has_line(text, "workqueue_adds_total{name=\"etcd-controller\"} 9"));
  EXPECT_TRUE(has_line(text, "workqueue_retries_total{name=\"etcd-controller\"} 2"));
  EXPECT_TRUE(has_line(
      text, "workqueue_queue_duration_seconds_bucket{name=\"etcd-controller\",le=\"1e-08\"} 0"));
  EXPECT_TRUE(has_line(text, "workqueue_work_duration_seconds_count{name=\"etcd-controller\"} 0"));
  EXPECT_TRUE(has_line(text, "# TYPE workqueue_work_duration_seconds histogram"));
  // Families appear once each.
  EXPECT_EQ(text.find("# TYPE workqueue_depth"), text.rfind("# TYPE workqueue_depth"));
  // Optional families are absent without data.
  EXPECT_EQ(text.find("leader_election_master_status"), std::string::npos);
  EXPECT_EQ(text.find("process_"), std::string::npos);
}

TEST(RenderPrometheusText, RequestCountsUseClientGoLabels) {
  MetricsSnapshot s;
  s.requests[{"GET", 200, "10.0.0.1:443"}] = 3;
  s.requests[{"WATCH", 200, "10.0.0.1:443"}] = 2;  // a watch is a GET on the wire
  s.requests[{"POST", 201, "10.0.0.1:443"}] = 1;
  s.requests[{"PATCH", 0, "10.0.0.1:443"}] = 4;  // no response
  const auto text = render_prometheus_text(s);
  EXPECT_TRUE(has_line(text, "# TYPE rest_client_requests_total counter"));
  EXPECT_TRUE(has_line(
      text, "rest_client_requests_total{code=\"200\",host=\"10.0.0.1:443\",method=\"GET\"} 5"));
  EXPECT_TRUE(has_line(
      text, "rest_client_requests_total{code=\"201\",host=\"10.0.0.1:443\",method=\"POST\"} 1"));
  EXPECT_TRUE(has_line(
      text,
      "rest_client_requests_total{code=\"<error>\",host=\"10.0.0.1:443\",method=\"PATCH\"} 4"));
  EXPECT_EQ(text.find("WATCH"), std::string::npos);
}

TEST(RenderPrometheusText, LeaderElectionAndProcessMetrics) {
  MetricsSnapshot s;
  s.leader_election = LeaderElectionStatus{"druid-leader-election", true};
  s.process = ProcessStats{12.5, 52428800, 1e9, 17, 1024, 1700000000.25};
  const auto text = render_prometheus_text(s);
  EXPECT_TRUE(has_line(text, "# TYPE leader_election_master_status gauge"));
  EXPECT_TRUE(has_line(text, "leader_election_master_status{name=\"druid-leader-election\"} 1"));
  EXPECT_TRUE(has_line(text, "# TYPE process_cpu_seconds_total counter"));
  EXPECT_TRUE(has_line(text, "process_cpu_seconds_total 12.5"));
  EXPECT_TRUE(has_line(text, "process_resident_memory_bytes 5.24288e+07"));
  EXPECT_TRUE(has_line(text, "process_virtual_memory_bytes 1e+09"));
  EXPECT_TRUE(has_line(text, "process_open_fds 17"));
  EXPECT_TRUE(has_line(text, "process_max_fds 1024"));
  EXPECT_TRUE(has_line(text, "process_start_time_seconds 1.70000000025e+09"));

  s.leader_election->leading = false;
  EXPECT_TRUE(has_line(render_prometheus_text(s),
                       "leader_election_master_status{name=\"druid-leader-election\"} 0"));
}

TEST(RenderPrometheusText, OnDeletePodUpdatesByNamespaceAndOutcome) {
  MetricsSnapshot s;
  EXPECT_EQ(render_prometheus_text(s).find("etcddruid_ondelete_pod_updates_total"),
            std::string::npos)
      << "no family before the first count, like a Go CounterVec";
  s.ondelete_pod_updates[{"shoot--a", "deleted"}] = 2;
  s.ondelete_pod_updates[{"shoot--a", "deleted_after_leader_transfer"}] = 1;
  s.ondelete_pod_updates[{"shoot--b", "delete_failed"}] = 3;
  const auto text = render_prometheus_text(s);
  EXPECT_TRUE(has_line(text, "# TYPE etcddruid_ondelete_pod_updates_total counter"));
  EXPECT_TRUE(has_line(
      text,
      "etcddruid_ondelete_pod_updates_total{etcd_namespace=\"shoot--a\",outcome=\"deleted\"} 2"));
  EXPECT_TRUE(has_line(text,
                       "etcddruid_ondelete_pod_updates_total{etcd_namespace=\"shoot--a\","
                       "outcome=\"deleted_after_leader_transfer\"} 1"));
  EXPECT_TRUE(has_line(text,
                       "etcddruid_ondelete_pod_updates_total{etcd_namespace=\"shoot--b\","
                       "outcome=\"delete_failed\"} 3"));
}

TEST(RenderPrometheusText, PerEtcdFamiliesGroupEveryEtcdsSamples) {
  MetricsSnapshot s;
  EXPECT_EQ(render_prometheus_text(s).find("etcddruid_etcd_"), std::string::npos)
      << "no Etcd, no family";
  controller::etcd::EtcdSeries a;
  a.namespace_ = "shoot--a";
  a.name = "etcd-main";
  a.conditions = {{"Ready", 1}, {"BackupReady", -1}};
  a.members_desired = 3;
  a.members_ready = 2;
  a.recorded = controller::etcd::EtcdMetrics::Recorded{};
  a.recorded->leader_changes = 4;
  a.recorded->last_reconcile_duration_seconds = 0.25;
  a.recorded->last_reconcile_succeeded = true;
  a.recorded->last_reconcile_timestamp_seconds = 1.7e9;
  a.recorded->reconcile_errors = 1;
  a.full_snapshot_age_seconds = 3600;
  a.full_snapshot_period_seconds = 86400;
  a.delta_snapshot_period_seconds = 20;  // no delta snapshot yet: no age
  controller::etcd::EtcdSeries b;
  b.namespace_ = "shoot--b";
  b.name = "etcd-events";
  b.members_desired = 1;  // never reconciled, no backup store
  s.etcds = {a, b};
  const auto text = render_prometheus_text(s);
  const std::string la = "etcd_name=\"etcd-main\",etcd_namespace=\"shoot--a\"";
  const std::string lb = "etcd_name=\"etcd-events\",etcd_namespace=\"shoot--b\"";
  EXPECT_TRUE(has_line(text, "# TYPE etcddruid_etcd_condition gauge"));
  EXPECT_TRUE(has_line(text, "etcddruid_etcd_condition{condition=\"Ready\"," + la + "} 1"));
  EXPECT_TRUE(has_line(text, "etcddruid_etcd_condition{condition=\"BackupReady\"," + la + "} -1"));
  EXPECT_TRUE(has_line(text, "etcddruid_etcd_members_desired{" + la + "} 3"));
  EXPECT_TRUE(has_line(text, "etcddruid_etcd_members_desired{" + lb + "} 1"));
  EXPECT_TRUE(has_line(text, "etcddruid_etcd_members_ready{" + la + "} 2"));
  EXPECT_TRUE(has_line(text, "etcddruid_etcd_members_ready{" + lb + "} 0"));
  EXPECT_TRUE(has_line(text, "# TYPE etcddruid_etcd_leader_changes_total counter"));
  EXPECT_TRUE(has_line(text, "etcddruid_etcd_leader_changes_total{" + la + "} 4"));
  EXPECT_TRUE(has_line(text, "etcddruid_etcd_last_reconcile_duration_seconds{" + la + "} 0.25"));
  EXPECT_TRUE(has_line(text, "etcddruid_etcd_last_reconcile_success{" + la + "} 1"));
  EXPECT_TRUE(
      has_line(text, "etcddruid_etcd_last_reconcile_timestamp_seconds{" + la + "} 1.7e+09"));
  EXPECT_TRUE(has_line(text, "etcddruid_etcd_reconcile_errors_total{" + la + "} 1"));
  EXPECT_TRUE(
      has_line(text, "etcddruid_etcd_snapshot_lease_age_seconds{" + la + ",kind=\"full\"} 3600"));
  EXPECT_TRUE(
      has_line(text, "etcddruid_etcd_snapshot_period_seconds{" + la + ",kind=\"full\"} 86400"));
  EXPECT_TRUE(
      has_line(text, "etcddruid_etcd_snapshot_period_seconds{" + la + ",kind=\"delta\"} 20"));
  EXPECT_EQ(text.find("kind=\"delta\"} 3600"), std::string::npos);
  EXPECT_EQ(text.find("etcddruid_etcd_reconcile_errors_total{" + lb), std::string::npos)
      << "no recorded reconcile, no series";
  // One HELP/TYPE per family: every Etcd's samples follow it.
  const auto first = text.find("# TYPE etcddruid_etcd_members_desired");
  EXPECT_EQ(text.find("# TYPE etcddruid_etcd_members_desired", first + 1), std::string::npos);
}

}  // namespace
}  // namespace druid::operator_
