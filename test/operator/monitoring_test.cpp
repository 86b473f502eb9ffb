// The Grafana dashboard and the Prometheus alert rules of deploy/monitoring
// (docs/monitoring.md): both are well formed, the rules have the documented
// alerts, and every metric their expressions use is one the etcd-druid binary
// exports on /metrics, checked against the real binary reconciling an Etcd
// with a backup store whose snapshot leases are renewed.

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "api/resources.hpp"
#include "operator/child_process.hpp"
#include "support/cluster_simulator.hpp"
#include "support/eventually.hpp"
#include "support/fixtures.hpp"
#include "support/operator_binary.hpp"
#include "util/yaml.hpp"

namespace druid::operator_::test {
namespace {

namespace fs = std::filesystem;
using druid::kube::test::eventually;
using druid::test::kTestEtcdName;
using druid::test::kTestNamespace;
using nlohmann::json;

const fs::path kMonitoring = fs::path(DRUID_SOURCE_DIR) / "deploy" / "monitoring";

json load_dashboard() {
  return json::parse(read_text(kMonitoring / "grafana-dashboard.json"), nullptr, false);
}

json load_rules() {
  auto rules = util::parse_yaml(read_text(kMonitoring / "prometheus-rules.yaml"));
  if (!rules) throw std::runtime_error(rules.error().message());
  return *rules;
}

// Every panel of the dashboard, with the panels nested in (collapsed) rows.
void collect_panels(const json& panels, std::vector<json>& out) {
  for (const auto& panel : panels) {
    out.push_back(panel);
    if (panel.contains("panels")) collect_panels(panel["panels"], out);
  }
}

std::vector<json> all_panels(const json& dashboard) {
  std::vector<json> out;
  collect_panels(dashboard.value("panels", json::array()), out);
  return out;
}

// A query variable's query: a string, or (Grafana 10+) an object with `query`.
std::string variable_query(const json& variable) {
  const json& query = variable.value("query", json());
  if (query.is_string()) return query.get<std::string>();
  if (query.is_object()) return query.value("query", "");
  return "";
}

// The expressions of every panel target and every query variable.
std::vector<std::string> dashboard_expressions(const json& dashboard) {
  std::vector<std::string> out;
  for (const auto& panel : all_panels(dashboard)) {
    for (const auto& target : panel.value("targets", json::array())) {
      out.push_back(target.value("expr", ""));
    }
  }
  for (const auto& variable : dashboard["templating"].value("list", json::array())) {
    if (variable.value("type", "") == "query") out.push_back(variable_query(variable));
  }
  return out;
}

std::vector<json> alert_rules(const json& rules) {
  std::vector<json> out;
  for (const auto& group : rules["spec"].value("groups", json::array())) {
    for (const auto& rule : group.value("rules", json::array())) out.push_back(rule);
  }
  return out;
}

// The metric names an expression uses: identifiers that start with one of the
// prefixes of the operator's metric families.
std::set<std::string> metric_names(const std::string& expression) {
  static const std::regex name(
      "(^|[^A-Za-z0-9_:])((etcddruid|controller_runtime|workqueue|rest_client|leader_election|"
      "process)_[A-Za-z0-9_:]*)");
  std::set<std::string> out;
  for (auto it = std::sregex_iterator(expression.begin(), expression.end(), name);
       it != std::sregex_iterator(); ++it) {
    out.insert((*it)[2].str());
  }
  return out;
}

std::set<std::string> asset_metric_names() {
  std::set<std::string> out;
  for (const auto& expression : dashboard_expressions(load_dashboard())) {
    out.merge(metric_names(expression));
  }
  for (const auto& rule : alert_rules(load_rules()))
    out.merge(metric_names(rule.value("expr", "")));
  return out;
}

// The sample names of a text exposition: each sample line up to `{` or ` `.
std::set<std::string> sample_names(const std::string& text) {
  std::set<std::string> out;
  for (const auto& line : lines_of(text)) {
    if (line.empty() || line[0] == '#') continue;
    out.insert(line.substr(0, line.find_first_of("{ ")));
  }
  return out;
}

std::string joined(const std::set<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += "\n  " + name;
  return out;
}

TEST(MonitoringAssets, MetricNamesAreTheIdentifiersWithTheOperatorsPrefixes) {
  EXPECT_EQ(metric_names("histogram_quantile(0.99, sum by (controller, le) (rate("
                         "controller_runtime_reconcile_time_seconds_bucket{job=~\"$job\"}"
                         "[$__rate_interval]))) / on() process_cpu_seconds_total"),
            (std::set<std::string>{"controller_runtime_reconcile_time_seconds_bucket",
                                   "process_cpu_seconds_total"}));
  EXPECT_EQ(metric_names("label_values(etcddruid_etcd_condition{etcd_namespace=~\"$ns\"}, "
                         "etcd_name)"),
            (std::set<std::string>{"etcddruid_etcd_condition"}));
  EXPECT_EQ(metric_names("my_process_seconds + up{name=\"x\"} + sum by (etcd_name) (x_workqueue)"),
            std::set<std::string>{});
}

TEST(MonitoringAssets, DashboardIsGrafanaJsonWithPanelsAndVariables) {
  const json dashboard = load_dashboard();
  ASSERT_FALSE(dashboard.is_discarded()) << "grafana-dashboard.json is not valid JSON";
  ASSERT_TRUE(dashboard.is_object());
  EXPECT_EQ(dashboard.value("schemaVersion", 0), 39);
  EXPECT_FALSE(dashboard.value("title", "").empty());

  std::map<std::string, json> variables;
  for (const auto& variable : dashboard["templating"].value("list", json::array())) {
    variables[variable.value("name", "")] = variable;
  }
  ASSERT_TRUE(variables.contains("datasource"));
  EXPECT_EQ(variables["datasource"].value("type", ""), "datasource");
  EXPECT_EQ(variables["datasource"].value("query", ""), "prometheus");
  for (const char* name : {"etcd_namespace", "etcd_name"}) {
    ASSERT_TRUE(variables.contains(name)) << name;
    EXPECT_EQ(variables[name].value("type", ""), "query") << name;
    EXPECT_EQ(variable_query(variables[name]).rfind("label_values(etcddruid_etcd_condition", 0), 0u)
        << name;
    EXPECT_NE(variable_query(variables[name]).find(std::string(", ") + name + ")"),
              std::string::npos)
        << name;
  }

  const json datasource = {{"type", "prometheus"}, {"uid", "${datasource}"}};
  const auto panels = all_panels(dashboard);
  std::set<int> ids;
  int rows = 0, nested = 0, queried = 0;
  for (const auto& panel : panels) {
    const std::string title = panel.value("title", "");
    EXPECT_TRUE(ids.insert(panel.value("id", 0)).second) << "duplicate id: " << title;
    EXPECT_TRUE(panel["gridPos"].is_object()) << title;
    if (panel.value("type", "") == "row") {
      ++rows;
      nested += static_cast<int>(panel.value("panels", json::array()).size());
      continue;
    }
    EXPECT_EQ(panel.value("datasource", json()), datasource) << title;
    const auto targets = panel.value("targets", json::array());
    EXPECT_FALSE(targets.empty()) << title;
    for (const auto& target : targets) {
      EXPECT_FALSE(target.value("expr", "").empty()) << title;
      EXPECT_EQ(target.value("datasource", json()), datasource) << title;
      ++queried;
    }
  }
  EXPECT_EQ(rows, 3) << "fleet overview, per Etcd, operator";
  EXPECT_GT(nested, 0) << "the collapsed operator row holds its panels";
  EXPECT_GE(queried, 20);
}

TEST(MonitoringAssets, RulesArePrometheusRuleWithTheAlerts) {
  const json rules = load_rules();
  EXPECT_EQ(rules.value("apiVersion", ""), "monitoring.coreos.com/v1");
  EXPECT_EQ(rules.value("kind", ""), "PrometheusRule");
  const auto base = util::parse_yaml(
      read_text(fs::path(DRUID_SOURCE_DIR) / "deploy" / "base" / "kustomization.yaml"));
  ASSERT_TRUE(base);
  EXPECT_EQ(rules["metadata"].value("namespace", ""), base->value("namespace", "<none>"))
      << "the operator's namespace";
  const auto groups = rules["spec"].value("groups", json::array());
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].value("name", ""), "etcd-druid");

  struct Expected {
    std::string severity, for_;
    bool per_etcd;
  };
  const std::map<std::string, Expected> expected = {
      {"EtcdQuorumLost", {"critical", "1m", true}},
      {"EtcdMemberNotReady", {"warning", "5m", true}},
      {"EtcdBackupStale", {"warning", "5m", true}},
      {"EtcdReconcileErrors", {"warning", "15m", true}},
      {"EtcdDruidDown", {"critical", "5m", false}},
      {"EtcdDruidReconcileErrorsHigh", {"warning", "15m", false}},
  };
  std::set<std::string> seen;
  for (const auto& rule : alert_rules(rules)) {
    const std::string alert = rule.value("alert", "");
    EXPECT_TRUE(seen.insert(alert).second) << "duplicate alert " << alert;
    EXPECT_FALSE(rule.value("expr", "").empty()) << alert;
    EXPECT_TRUE(rule.contains("for") && rule["for"].is_string()) << alert;
    const std::string severity = rule.value("labels", json::object()).value("severity", "");
    EXPECT_TRUE(severity == "critical" || severity == "warning") << alert << ": " << severity;
    const auto annotations = rule.value("annotations", json::object());
    const std::string summary = annotations.value("summary", "");
    EXPECT_FALSE(summary.empty()) << alert;
    EXPECT_FALSE(annotations.value("description", "").empty()) << alert;
    const auto it = expected.find(alert);
    if (it == expected.end()) continue;
    EXPECT_EQ(severity, it->second.severity) << alert;
    EXPECT_EQ(rule.value("for", ""), it->second.for_) << alert;
    if (it->second.per_etcd) {
      EXPECT_NE(summary.find("{{ $labels.etcd_namespace }}/{{ $labels.etcd_name }}"),
                std::string::npos)
          << alert << ": " << summary;
    }
  }
  for (const auto& [alert, _] : expected) EXPECT_TRUE(seen.contains(alert)) << alert;
}

class MonitoringBinaryTest : public OperatorBinaryTest {};

// Every metric name of the dashboard and the rules is a sample name on
// /metrics of an operator with leader election on and an Etcd with a backup
// store, once its snapshot leases were renewed (the per-Etcd snapshot lease
// ages exist only then). No name needs excluding: the assets use no
// compaction metric (those exist only once a compaction job ran).
TEST_F(MonitoringBinaryTest, EveryMetricTheAssetsUseIsExported) {
  const auto used = asset_metric_names();
  ASSERT_TRUE(used.contains("etcddruid_etcd_condition")) << joined(used);
  ASSERT_TRUE(used.contains("controller_runtime_reconcile_time_seconds_bucket")) << joined(used);

  auto op = start(metrics_config() +
                      "leaderElection:\n  enabled: true\n  leaseDuration: 3s\n"
                      "  renewDeadline: 2s\n  retryPeriod: 200ms\n"
                      "controllers:\n  etcd:\n    etcdStatusSyncPeriod: 1s\n",
                  {}, {{"POD_NAMESPACE", kTestNamespace}});
  ASSERT_TRUE(wait_until_ready()) << op->stderr_text();

  auto etcd = druid::test::base_etcd_json(1);
  druid::test::add_store(etcd);
  etcd["metadata"].erase("uid");
  etcd["metadata"].erase("generation");
  ASSERT_TRUE(live_.client().create(api::resources::kEtcds, kTestNamespace, etcd));

  // The simulator plays the StatefulSet controller, the kubelet and the
  // backup-restore sidecar: it renews the member lease and, once the operator
  // created them, the full and delta snapshot leases (holderIdentity and
  // renewTime, as etcd-backup-restore does).
  druid::test::ClusterSimulator cluster(live_.client());
  HttpAnswer metrics;
  const bool snapshot_ages = eventually(
      [&] {
        cluster.sync();
        metrics = http_get(metrics_port_, "/metrics");
        return sample_names(metrics.body).contains("etcddruid_etcd_snapshot_lease_age_seconds");
      },
      std::chrono::seconds(30), std::chrono::milliseconds(100));
  const auto lease_spec = [&](const std::string& name) {
    const auto lease = live_.server().get("leases.coordination.k8s.io", kTestNamespace, name);
    return lease ? lease->value("spec", json::object()).dump() : std::string("<none>");
  };
  EXPECT_TRUE(snapshot_ages)
      << "no etcddruid_etcd_snapshot_lease_age_seconds on /metrics\nfull lease: "
      << lease_spec(std::string(kTestEtcdName) + "-full-snap")
      << "\ndelta lease: " << lease_spec(std::string(kTestEtcdName) + "-delta-snap")
      << "\nsimulator: " << cluster.last_error();
  ASSERT_EQ(metrics.status, 200) << op->stderr_text();

  const auto exported = sample_names(metrics.body);
  std::set<std::string> missing;
  for (const auto& name : used) {
    if (!exported.contains(name)) missing.insert(name);
  }
  EXPECT_TRUE(missing.empty()) << "used by deploy/monitoring but not on /metrics:"
                               << joined(missing);

  op->signal(SIGTERM);
  EXPECT_EQ(op->wait(std::chrono::seconds(15)), 0) << op->stderr_text();
}

}  // namespace
}  // namespace druid::operator_::test
