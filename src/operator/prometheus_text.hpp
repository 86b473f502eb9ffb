#pragma once
// The operator's metrics in Prometheus' text exposition format (version
// 0.0.4), as pure functions of a snapshot: the names and label sets of
// controller-runtime, client-go and the Prometheus process collector, so
// dashboards written for Go operators work unchanged. The HTTP endpoint
// (metrics_endpoint.hpp) only gathers the snapshot and serves the text.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "controller/compaction/metrics.hpp"
#include "controller/etcd/metrics.hpp"
#include "kube/client.hpp"
#include "kube/controller.hpp"
#include "kube/work_queue.hpp"

namespace druid::operator_ {

inline constexpr const char* kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

// What the process collector reports (from /proc, see process_stats.hpp).
struct ProcessStats {
  double cpu_seconds_total = 0;
  double resident_memory_bytes = 0;
  double virtual_memory_bytes = 0;
  double open_fds = 0;
  double max_fds = 0;
  double start_time_seconds = 0;  // since the Unix epoch
};

struct LeaderElectionStatus {
  std::string lease_name;  // the `name` label
  bool leading = false;
};

struct MetricsSnapshot {
  std::vector<kube::ControllerMetrics> controllers;
  std::map<kube::RequestKey, std::uint64_t> requests;
  std::optional<LeaderElectionStatus> leader_election;  // only when enabled
  std::optional<ProcessStats> process;                  // absent where /proc is not readable
  // etcddruid_ondelete_pod_updates_total by (etcd_namespace, outcome).
  std::map<std::pair<std::string, std::string>, std::uint64_t> ondelete_pod_updates;
  // etcddruid_compaction_* (empty when the compaction controller is off).
  controller::compaction::CompactionMetrics::Snapshot compaction;
  // etcddruid_etcd_*, one entry per Etcd in the caches.
  std::vector<controller::etcd::EtcdSeries> etcds;
};

std::string render_prometheus_text(const MetricsSnapshot& snapshot);

// --- building blocks, exposed for tests --------------------------------------

using Labels = std::vector<std::pair<std::string, std::string>>;

// A sample value as Go's strconv.FormatFloat(v, 'g', -1, 64) prints it (what
// the Go client library writes): "1", "0.005", "1e-08", "1e+06", "+Inf", "NaN".
std::string format_sample_value(double value);

// Escapes a label value (backslash, double quote, newline).
std::string escape_label_value(std::string_view value);

// Writes metric families: HELP and TYPE once per family, then its samples.
// Labels are written sorted by name, as the Go client does (a histogram's
// `le` comes last).
class PrometheusWriter {
 public:
  void family(std::string_view name, std::string_view help, std::string_view type);
  void sample(std::string_view name, Labels labels, double value);
  // `<name>_bucket` (cumulative, le="+Inf" last), `<name>_sum`, `<name>_count`.
  void histogram(std::string_view name, const Labels& labels, const kube::DurationHistogram& h);
  const std::string& text() const { return out_; }

 private:
  // `le` (may be null) is appended after the sorted labels.
  void write(std::string_view name, Labels labels, const std::string* le, double value);

  std::string out_;
};

}  // namespace druid::operator_
