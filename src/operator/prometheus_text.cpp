#include "operator/prometheus_text.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>

namespace druid::operator_ {
namespace {

// Every controller has these reconcile results from the start (at 0), as
// controller-runtime initialises them, so rate() works from the first scrape.
constexpr std::array<const char*, 4> kReconcileResults = {"error", "requeue", "requeue_after",
                                                          "success"};

// client-go counts a watch as the GET it is on the wire.
std::string wire_method(const std::string& method) {
  return method == "WATCH" ? "GET" : method;
}

// client-go's label for a request that got no response.
std::string code_label(int code) {
  return code == 0 ? "<error>" : std::to_string(code);
}

void write_controller_metrics(PrometheusWriter& w, const std::vector<kube::ControllerMetrics>& cs) {
  w.family("controller_runtime_reconcile_total", "Reconciles per controller and result.",
           "counter");
  for (const auto& c : cs) {
    std::map<std::string, std::uint64_t> totals(c.reconcile_total.begin(), c.reconcile_total.end());
    for (const char* result : kReconcileResults) totals.try_emplace(result, 0);
    for (const auto& [result, count] : totals) {
      w.sample("controller_runtime_reconcile_total", {{"controller", c.name}, {"result", result}},
               static_cast<double>(count));
    }
  }
  w.family("controller_runtime_reconcile_errors_total", "Reconciles that returned an error.",
           "counter");
  for (const auto& c : cs) {
    w.sample("controller_runtime_reconcile_errors_total", {{"controller", c.name}},
             static_cast<double>(c.reconcile_errors_total));
  }
  w.family("controller_runtime_reconcile_panics_total", "Reconciles that threw an exception.",
           "counter");
  for (const auto& c : cs) {
    w.sample("controller_runtime_reconcile_panics_total", {{"controller", c.name}},
             static_cast<double>(c.reconcile_panics_total));
  }
  w.family("controller_runtime_reconcile_time_seconds", "Duration of reconciles in seconds.",
           "histogram");
  for (const auto& c : cs) {
    w.histogram("controller_runtime_reconcile_time_seconds", {{"controller", c.name}},
                c.reconcile_time);
  }
  w.family("controller_runtime_max_concurrent_reconciles", "Workers of the controller.", "gauge");
  for (const auto& c : cs) {
    w.sample("controller_runtime_max_concurrent_reconciles", {{"controller", c.name}},
             c.max_concurrent_reconciles);
  }
  w.family("controller_runtime_active_workers", "Workers reconciling right now.", "gauge");
  for (const auto& c : cs) {
    w.sample("controller_runtime_active_workers", {{"controller", c.name}}, c.active_workers);
  }
}

void write_queue_metrics(PrometheusWriter& w, const std::vector<kube::ControllerMetrics>& cs) {
  w.family("workqueue_depth", "Keys waiting in the work queue.", "gauge");
  for (const auto& c : cs) {
    w.sample("workqueue_depth", {{"name", c.queue.name}}, static_cast<double>(c.queue.depth));
  }
  w.family("workqueue_adds_total", "Keys added to the work queue.", "counter");
  for (const auto& c : cs) {
    w.sample("workqueue_adds_total", {{"name", c.queue.name}},
             static_cast<double>(c.queue.adds_total));
  }
  w.family("workqueue_retries_total", "Keys re-added with backoff.", "counter");
  for (const auto& c : cs) {
    w.sample("workqueue_retries_total", {{"name", c.queue.name}},
             static_cast<double>(c.queue.retries_total));
  }
  w.family("workqueue_queue_duration_seconds",
           "Seconds a key waited in the queue before a worker took it.", "histogram");
  for (const auto& c : cs) {
    w.histogram("workqueue_queue_duration_seconds", {{"name", c.queue.name}},
                c.queue.queue_duration);
  }
  w.family("workqueue_work_duration_seconds", "Seconds a worker spent on a key.", "histogram");
  for (const auto& c : cs) {
    w.histogram("workqueue_work_duration_seconds", {{"name", c.queue.name}}, c.queue.work_duration);
  }
  w.family("workqueue_unfinished_work_seconds",
           "Seconds of work in progress not yet counted in work_duration.", "gauge");
  for (const auto& c : cs) {
    w.sample("workqueue_unfinished_work_seconds", {{"name", c.queue.name}},
             c.queue.unfinished_work_seconds);
  }
  w.family("workqueue_longest_running_processor_seconds",
           "Seconds the longest running worker has been busy with its key.", "gauge");
  for (const auto& c : cs) {
    w.sample("workqueue_longest_running_processor_seconds", {{"name", c.queue.name}},
             c.queue.longest_running_processor_seconds);
  }
}

void write_request_metrics(PrometheusWriter& w,
                           const std::map<kube::RequestKey, std::uint64_t>& requests) {
  // Several keys may meet in one series (WATCH and GET both count as GET).
  std::map<std::tuple<std::string, std::string, std::string>, std::uint64_t> series;
  for (const auto& [key, count] : requests) {
    series[{code_label(key.code), key.host, wire_method(key.method)}] += count;
  }
  w.family("rest_client_requests_total", "API server requests by status code, method and host.",
           "counter");
  for (const auto& [labels, count] : series) {
    const auto& [code, host, method] = labels;
    w.sample("rest_client_requests_total", {{"code", code}, {"method", method}, {"host", host}},
             static_cast<double>(count));
  }
}

void write_process_metrics(PrometheusWriter& w, const ProcessStats& p) {
  w.family("process_cpu_seconds_total", "User and system CPU seconds the process used.", "counter");
  w.sample("process_cpu_seconds_total", {}, p.cpu_seconds_total);
  w.family("process_max_fds", "Limit of open file descriptors.", "gauge");
  w.sample("process_max_fds", {}, p.max_fds);
  w.family("process_open_fds", "Open file descriptors.", "gauge");
  w.sample("process_open_fds", {}, p.open_fds);
  w.family("process_resident_memory_bytes", "Resident memory in bytes.", "gauge");
  w.sample("process_resident_memory_bytes", {}, p.resident_memory_bytes);
  w.family("process_start_time_seconds", "When the process started, in seconds since the epoch.",
           "gauge");
  w.sample("process_start_time_seconds", {}, p.start_time_seconds);
  w.family("process_virtual_memory_bytes", "Virtual memory in bytes.", "gauge");
  w.sample("process_virtual_memory_bytes", {}, p.virtual_memory_bytes);
}

std::string escape_help(std::string_view help) {
  std::string out;
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string format_sample_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  // The shortest round-trip digits, then Go's choice between %e and %f: %e
  // when the decimal exponent is below -4 or at least 6 (the 'g' rule for
  // shortest precision).
  std::array<char, 64> buffer{};
  const auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value,
                                       std::chars_format::scientific);
  if (ec != std::errc()) return "NaN";
  const std::string_view text(buffer.data(), static_cast<std::size_t>(end - buffer.data()));
  const bool negative = text.front() == '-';
  const auto e = text.find('e');
  std::string digits;
  for (char c : text.substr(negative ? 1 : 0, e - (negative ? 1 : 0))) {
    if (c != '.') digits += c;
  }
  const int exponent = std::atoi(std::string(text.substr(e + 1)).c_str());
  const int n = static_cast<int>(digits.size());

  std::string out = negative ? "-" : "";
  if (exponent < -4 || exponent >= 6) {
    out += digits.front();
    if (n > 1) out += "." + digits.substr(1);
    out += exponent < 0 ? "e-" : "e+";
    const int magnitude = std::abs(exponent);
    if (magnitude < 10) out += '0';
    out += std::to_string(magnitude);
    return out;
  }
  const int point = exponent + 1;  // digits before the decimal point
  if (point <= 0) {
    out += "0." + std::string(static_cast<std::size_t>(-point), '0') + digits;
  } else if (point >= n) {
    out += digits + std::string(static_cast<std::size_t>(point - n), '0');
  } else {
    out += digits.substr(0, static_cast<std::size_t>(point)) + "." +
           digits.substr(static_cast<std::size_t>(point));
  }
  return out;
}

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

void PrometheusWriter::family(std::string_view name, std::string_view help, std::string_view type) {
  out_ += "# HELP ";
  out_ += name;
  out_ += ' ';
  out_ += escape_help(help);
  out_ += "\n# TYPE ";
  out_ += name;
  out_ += ' ';
  out_ += type;
  out_ += '\n';
}

void PrometheusWriter::sample(std::string_view name, Labels labels, double value) {
  write(name, std::move(labels), nullptr, value);
}

void PrometheusWriter::write(std::string_view name, Labels labels, const std::string* le,
                             double value) {
  std::stable_sort(labels.begin(), labels.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  // The Go client sorts a metric's own labels but appends a histogram's `le` last.
  if (le != nullptr) labels.emplace_back("le", *le);
  out_ += name;
  if (!labels.empty()) {
    out_ += '{';
    for (std::size_t i = 0; i < labels.size(); ++i) {
      if (i > 0) out_ += ',';
      out_ += labels[i].first + "=\"" + escape_label_value(labels[i].second) + '"';
    }
    out_ += '}';
  }
  out_ += ' ';
  out_ += format_sample_value(value);
  out_ += '\n';
}

void PrometheusWriter::histogram(std::string_view name, const Labels& labels,
                                 const kube::DurationHistogram& h) {
  const std::string base(name);
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < h.upper_bounds.size(); ++i) {
    cumulative += i < h.buckets.size() ? h.buckets[i] : 0;
    const std::string le = format_sample_value(h.upper_bounds[i]);
    write(base + "_bucket", labels, &le, static_cast<double>(cumulative));
  }
  const std::string inf = "+Inf";
  write(base + "_bucket", labels, &inf, static_cast<double>(h.count));
  sample(base + "_sum", labels, h.sum);
  sample(base + "_count", labels, static_cast<double>(h.count));
}

namespace {

// The compaction controller's families, each once it has a sample (upstream's
// vectors have no pre-created series).
void write_compaction_metrics(PrometheusWriter& w,
                              const controller::compaction::CompactionMetrics::Snapshot& m) {
  namespace metric = controller::compaction::metric;
  const auto job_labels = [](const auto& key) -> Labels {
    const auto& [succeeded, failure_reason, ns] = key;
    return {{metric::kSucceededLabel, succeeded},
            {metric::kFailureReasonLabel, failure_reason},
            {metric::kEtcdNamespaceLabel, ns}};
  };
  if (!m.jobs_total.empty()) {
    w.family(metric::kJobsTotal, metric::kJobsTotalHelp, "counter");
    for (const auto& [key, count] : m.jobs_total) {
      w.sample(metric::kJobsTotal, job_labels(key), static_cast<double>(count));
    }
  }
  if (!m.full_snapshot_triggered_total.empty()) {
    w.family(metric::kFullSnapshotTriggeredTotal, metric::kFullSnapshotTriggeredTotalHelp,
             "counter");
    for (const auto& [key, count] : m.full_snapshot_triggered_total) {
      w.sample(metric::kFullSnapshotTriggeredTotal,
               {{metric::kSucceededLabel, key.first}, {metric::kEtcdNamespaceLabel, key.second}},
               static_cast<double>(count));
    }
  }
  if (!m.jobs_current.empty()) {
    w.family(metric::kJobsCurrent, metric::kJobsCurrentHelp, "gauge");
    for (const auto& [ns, value] : m.jobs_current) {
      w.sample(metric::kJobsCurrent, {{metric::kEtcdNamespaceLabel, ns}}, value);
    }
  }
  if (!m.job_duration_seconds.empty()) {
    w.family(metric::kJobDurationSeconds, metric::kJobDurationSecondsHelp, "histogram");
    for (const auto& [key, histogram] : m.job_duration_seconds) {
      w.histogram(metric::kJobDurationSeconds, job_labels(key), histogram);
    }
  }
  if (!m.num_delta_events.empty()) {
    w.family(metric::kNumDeltaEvents, metric::kNumDeltaEventsHelp, "gauge");
    for (const auto& [ns, value] : m.num_delta_events) {
      w.sample(metric::kNumDeltaEvents, {{metric::kEtcdNamespaceLabel, ns}}, value);
    }
  }
}

// One family over every Etcd that has a sample for it; absent without any.
template <class Value>
void write_etcd_family(PrometheusWriter& w, const std::vector<controller::etcd::EtcdSeries>& etcds,
                       const char* name, const char* help, const char* type, Value value) {
  namespace metric = controller::etcd::metric;
  bool written = false;
  for (const auto& etcd : etcds) {
    const Labels labels{{metric::kNamespaceLabel, etcd.namespace_},
                        {metric::kNameLabel, etcd.name}};
    value(etcd, [&](Labels extra, double sample) {
      if (!written) w.family(name, help, type);
      written = true;
      extra.insert(extra.begin(), labels.begin(), labels.end());
      w.sample(name, std::move(extra), sample);
    });
  }
}

// Per-Etcd families (controller/etcd/metrics.hpp; docs/monitoring.md).
void write_etcd_metrics(PrometheusWriter& w,
                        const std::vector<controller::etcd::EtcdSeries>& etcds) {
  namespace metric = controller::etcd::metric;
  using Series = controller::etcd::EtcdSeries;
  write_etcd_family(w, etcds, metric::kCondition,
                    "Status of each condition of the Etcd: 1 True, 0 False, -1 Unknown.", "gauge",
                    [](const Series& e, auto add) {
                      for (const auto& [type, value] : e.conditions) {
                        add({{metric::kConditionLabel, type}}, value);
                      }
                    });
  write_etcd_family(w, etcds, metric::kMembersDesired, "Members the Etcd's spec asks for.", "gauge",
                    [](const Series& e, auto add) { add({}, e.members_desired); });
  write_etcd_family(w, etcds, metric::kMembersReady, "Members the Etcd's status reports Ready.",
                    "gauge", [](const Series& e, auto add) { add({}, e.members_ready); });
  write_etcd_family(w, etcds, metric::kLeaderChangesTotal,
                    "Changes of the etcd leader seen by the operator's status checks.", "counter",
                    [](const Series& e, auto add) {
                      if (e.recorded) add({}, static_cast<double>(e.recorded->leader_changes));
                    });
  write_etcd_family(w, etcds, metric::kLastReconcileDurationSeconds,
                    "Duration of the Etcd's last reconcile in seconds.", "gauge",
                    [](const Series& e, auto add) {
                      if (e.recorded) add({}, e.recorded->last_reconcile_duration_seconds);
                    });
  write_etcd_family(w, etcds, metric::kLastReconcileSuccess,
                    "1 when the Etcd's last reconcile succeeded, else 0.", "gauge",
                    [](const Series& e, auto add) {
                      if (e.recorded) add({}, e.recorded->last_reconcile_succeeded ? 1 : 0);
                    });
  write_etcd_family(w, etcds, metric::kLastReconcileTimestampSeconds,
                    "When the Etcd's last reconcile ended, in seconds since the epoch.", "gauge",
                    [](const Series& e, auto add) {
                      if (e.recorded) add({}, e.recorded->last_reconcile_timestamp_seconds);
                    });
  write_etcd_family(w, etcds, metric::kReconcileErrorsTotal,
                    "Reconciles of the Etcd that ended with an error.", "counter",
                    [](const Series& e, auto add) {
                      if (e.recorded) add({}, static_cast<double>(e.recorded->reconcile_errors));
                    });
  write_etcd_family(w, etcds, metric::kSnapshotLeaseAgeSeconds,
                    "Seconds since the last full or delta snapshot renewed its lease.", "gauge",
                    [](const Series& e, auto add) {
                      if (e.full_snapshot_age_seconds) {
                        add({{metric::kKindLabel, "full"}}, *e.full_snapshot_age_seconds);
                      }
                      if (e.delta_snapshot_age_seconds) {
                        add({{metric::kKindLabel, "delta"}}, *e.delta_snapshot_age_seconds);
                      }
                    });
  write_etcd_family(w, etcds, metric::kSnapshotPeriodSeconds,
                    "Expected seconds between two full or two delta snapshots.", "gauge",
                    [](const Series& e, auto add) {
                      if (e.full_snapshot_period_seconds) {
                        add({{metric::kKindLabel, "full"}}, *e.full_snapshot_period_seconds);
                      }
                      if (e.delta_snapshot_period_seconds) {
                        add({{metric::kKindLabel, "delta"}}, *e.delta_snapshot_period_seconds);
                      }
                    });
}

}  // namespace

std::string render_prometheus_text(const MetricsSnapshot& snapshot) {
  PrometheusWriter w;
  write_controller_metrics(w, snapshot.controllers);
  write_queue_metrics(w, snapshot.controllers);
  write_request_metrics(w, snapshot.requests);
  if (snapshot.leader_election) {
    w.family("leader_election_master_status",
             "1 while this process holds the lease named in `name`, else 0.", "gauge");
    w.sample("leader_election_master_status", {{"name", snapshot.leader_election->lease_name}},
             snapshot.leader_election->leading ? 1 : 0);
  }
  // Like a Go CounterVec: the family appears once a sample exists.
  if (!snapshot.ondelete_pod_updates.empty()) {
    w.family("etcddruid_ondelete_pod_updates_total",
             "Pods deleted by the OnDelete controller for an update, by outcome.", "counter");
    for (const auto& [labels, count] : snapshot.ondelete_pod_updates) {
      w.sample("etcddruid_ondelete_pod_updates_total",
               {{"etcd_namespace", labels.first}, {"outcome", labels.second}},
               static_cast<double>(count));
    }
  }
  write_compaction_metrics(w, snapshot.compaction);
  write_etcd_metrics(w, snapshot.etcds);
  if (snapshot.process) write_process_metrics(w, *snapshot.process);
  return w.text();
}

}  // namespace druid::operator_
