#include "operator/options.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <cctype>
#include <functional>
#include <memory>

#include "api/duration.hpp"
#include "util/text.hpp"

namespace druid::operator_ {
namespace {

namespace defaults = api::operator_config_defaults;

// The raw values of the deprecated flags (upstream's cmd/opts/deprecatedoptions.go), with their
// defaults.
struct DeprecatedFlags {
  std::string metrics_bind_address;
  std::int64_t metrics_port = defaults::kMetricsPort;
  std::string webhook_bind_address;
  std::int64_t webhook_port = defaults::kWebhookPort;
  std::string webhook_cert_dir = defaults::kWebhookServerCertDir;
  bool leader_election = false;
  std::string leader_election_id = defaults::kResourceName;
  std::string leader_election_resource_lock = defaults::kResourceLock;
  bool disable_lease_cache = false;
  std::int64_t etcd_workers = defaults::kEtcdConcurrentSyncs;
  bool etcd_spec_auto_reconcile = false;
  bool disable_etcd_service_account_automount = false;
  std::string etcd_status_sync_period = "15s";
  std::string etcd_member_not_ready_threshold = "5m";
  std::string etcd_member_unknown_threshold = "1m";
  bool compaction = false;
  std::int64_t compaction_workers = defaults::kCompactionConcurrentSyncs;
  std::int64_t etcd_events_threshold = defaults::kCompactionEventsThreshold;
  std::string active_deadline_duration = "3h";
  std::string metrics_scrape_wait_duration = "0";
  // Upstream keeps `true` here for backward compatibility.
  bool etcd_copy_backups_task = true;
  std::int64_t etcd_copy_backups_task_workers = defaults::kEtcdCopyBackupsTaskConcurrentSyncs;
  std::int64_t etcd_ops_task_workers = defaults::kEtcdOpsTaskConcurrentSyncs;
  std::string etcd_ops_task_requeue_interval = "15s";
  std::int64_t secret_workers = defaults::kSecretConcurrentSyncs;
  bool etcd_components_webhook = false;
  std::string reconciler_service_account;
  std::vector<std::string> exempt_service_accounts;
  std::string feature_gates;
};

// Each deprecated flag's name, for "ignored with --config" messages.
struct FlagRegistry {
  std::vector<CLI::Option*> deprecated;
};

CLI::Option* add_deprecated(FlagRegistry& registry, CLI::Option* option) {
  option->group("Deprecated (used only without --config)");
  registry.deprecated.push_back(option);
  return option;
}

void add_deprecated_flags(CLI::App& app, DeprecatedFlags& f, FlagRegistry& r) {
  add_deprecated(r, app.add_option("--metrics-bind-address", f.metrics_bind_address,
                                   "IP address the metrics endpoint binds to"));
  add_deprecated(r,
                 app.add_option("--metrics-port", f.metrics_port, "port of the metrics endpoint"));
  add_deprecated(r, app.add_option("--webhook-server-bind-address", f.webhook_bind_address,
                                   "IP address the HTTPS webhook server binds to"));
  add_deprecated(r, app.add_option("--webhook-server-port", f.webhook_port,
                                   "port of the HTTPS webhook server"));
  add_deprecated(r, app.add_option("--webhook-server-tls-server-cert-dir", f.webhook_cert_dir,
                                   "directory holding the webhook server's tls.crt and tls.key"));
  add_deprecated(r, app.add_flag("--enable-leader-election", f.leader_election,
                                 "elect one active operator among replicas"));
  add_deprecated(r, app.add_option("--leader-election-id", f.leader_election_id,
                                   "name of the leader election Lease"));
  add_deprecated(r,
                 app.add_option("--leader-election-resource-lock", f.leader_election_resource_lock,
                                "resource type of the leader election lock (leases)"));
  add_deprecated(r, app.add_flag("--disable-lease-cache", f.disable_lease_cache,
                                 "read Leases without a cache"));
  add_deprecated(r, app.add_option("--etcd-workers", f.etcd_workers,
                                   "concurrent reconciles of the Etcd controller"));
  add_deprecated(r, app.add_flag("--enable-etcd-spec-auto-reconcile,--ignore-operation-annotation",
                                 f.etcd_spec_auto_reconcile,
                                 "reconcile every spec change, without waiting for the annotation "
                                 "gardener.cloud/operation: reconcile"));
  add_deprecated(r,
                 app.add_flag("--disable-etcd-serviceaccount-automount",
                              f.disable_etcd_service_account_automount,
                              "set automountServiceAccountToken: false on etcd ServiceAccounts"));
  add_deprecated(r, app.add_option("--etcd-status-sync-period", f.etcd_status_sync_period,
                                   "period of Etcd status syncs"));
  add_deprecated(
      r, app.add_option("--etcd-member-notready-threshold", f.etcd_member_not_ready_threshold,
                        "time after which an unknown member counts as not ready"));
  add_deprecated(r,
                 app.add_option("--etcd-member-unknown-threshold", f.etcd_member_unknown_threshold,
                                "time after which a member without lease renewal is unknown"));
  add_deprecated(r, app.add_flag("--enable-backup-compaction", f.compaction,
                                 "compact etcd backups automatically"));
  add_deprecated(r, app.add_option("--compaction-workers", f.compaction_workers,
                                   "concurrent reconciles of the compaction controller"));
  add_deprecated(r, app.add_option("--etcd-events-threshold", f.etcd_events_threshold,
                                   "etcd events after which a compaction job starts"));
  add_deprecated(r, app.add_option("--active-deadline-duration", f.active_deadline_duration,
                                   "time after which a running compaction job is ended"));
  add_deprecated(r, app.add_option("--metrics-scrape-wait-duration", f.metrics_scrape_wait_duration,
                                   "wait after a compaction job so its metrics can be scraped"));
  add_deprecated(r, app.add_flag("--enable-etcd-copy-backups-task", f.etcd_copy_backups_task,
                                 "run the EtcdCopyBackupsTask controller"));
  add_deprecated(
      r, app.add_option("--etcd-copy-backups-task-workers", f.etcd_copy_backups_task_workers,
                        "concurrent reconciles of the EtcdCopyBackupsTask controller"));
  add_deprecated(r, app.add_option("--etcd-ops-task-workers", f.etcd_ops_task_workers,
                                   "concurrent reconciles of the EtcdOpsTask controller"));
  add_deprecated(
      r, app.add_option("--etcd-ops-task-requeue-interval", f.etcd_ops_task_requeue_interval,
                        "requeue interval of the EtcdOpsTask controller"));
  add_deprecated(r, app.add_option("--secret-workers", f.secret_workers,
                                   "concurrent reconciles of the secret controller"));
  add_deprecated(r, app.add_flag("--enable-etcd-components-webhook", f.etcd_components_webhook,
                                 "protect the objects druid manages from changes by others"));
  add_deprecated(r, app.add_option("--reconciler-service-account", f.reconciler_service_account,
                                   "fully qualified name of druid's service account"));
  add_deprecated(r, app.add_option("--etcd-components-webhook-exempt-service-accounts",
                                   f.exempt_service_accounts,
                                   "comma-separated service accounts the webhook lets through")
                        ->delimiter(',')
                        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll));
  add_deprecated(
      r, app.add_option("--feature-gates", f.feature_gates,
                        "feature gates as Name=true|false,... (QuorumAwareUpdatesWithOnDelete, "
                        "UpgradeEtcdVersion); with --config, merged over its "
                        "featureGates"));
}

// pflag's wording for a value it cannot parse.
std::string invalid_argument(const std::string& value, const std::string& flag,
                             const std::string& cause) {
  return "invalid argument \"" + value + "\" for \"" + flag + "\" flag: " + cause;
}

// A duration flag in the canonical form the configuration holds ("5m0s").
util::Expected<std::string, std::string> duration_flag(const std::string& value,
                                                       const std::string& flag) {
  auto parsed = api::parse_duration(value);
  if (!parsed) return util::unexpected(invalid_argument(value, flag, parsed.error().message()));
  return parsed->to_string();
}

util::Expected<api::OperatorConfiguration, std::string> to_operator_config(
    const DeprecatedFlags& f, std::vector<std::string>& skipped_gates) {
  api::OperatorConfiguration c;
  c.server.metrics = api::HttpServerConfiguration{f.metrics_bind_address, f.metrics_port};
  c.server.webhooks =
      api::TlsServerConfiguration{f.webhook_bind_address, f.webhook_port, f.webhook_cert_dir};
  c.leader_election.enabled = f.leader_election;
  c.leader_election.resource_name = f.leader_election_id;
  c.leader_election.resource_lock = f.leader_election_resource_lock;

  auto& controllers = c.controllers;
  controllers.disable_lease_cache = f.disable_lease_cache;
  controllers.etcd.concurrent_syncs = f.etcd_workers;
  controllers.etcd.enable_etcd_spec_auto_reconcile = f.etcd_spec_auto_reconcile;
  controllers.etcd.disable_etcd_service_account_automount =
      f.disable_etcd_service_account_automount;
  controllers.compaction.enabled = f.compaction;
  controllers.compaction.concurrent_syncs = f.compaction_workers;
  controllers.compaction.events_threshold = f.etcd_events_threshold;
  controllers.etcd_copy_backups_task.enabled = f.etcd_copy_backups_task;
  controllers.etcd_copy_backups_task.concurrent_syncs = f.etcd_copy_backups_task_workers;
  controllers.etcd_ops_task.concurrent_syncs = f.etcd_ops_task_workers;
  controllers.secret.concurrent_syncs = f.secret_workers;

  struct DurationFlag {
    const std::string& value;
    const char* flag;
    std::string& target;
  };
  std::string requeue_interval;
  const std::array<DurationFlag, 6> durations = {{
      {f.etcd_status_sync_period, "--etcd-status-sync-period",
       controllers.etcd.etcd_status_sync_period},
      {f.etcd_member_not_ready_threshold, "--etcd-member-notready-threshold",
       controllers.etcd.etcd_member.not_ready_threshold},
      {f.etcd_member_unknown_threshold, "--etcd-member-unknown-threshold",
       controllers.etcd.etcd_member.unknown_threshold},
      {f.active_deadline_duration, "--active-deadline-duration",
       controllers.compaction.active_deadline_duration},
      {f.metrics_scrape_wait_duration, "--metrics-scrape-wait-duration",
       controllers.compaction.metrics_scrape_wait_duration},
      {f.etcd_ops_task_requeue_interval, "--etcd-ops-task-requeue-interval", requeue_interval},
  }};
  for (const auto& d : durations) {
    auto canonical = duration_flag(d.value, d.flag);
    if (!canonical) return util::unexpected(canonical.error());
    d.target = *canonical;
  }
  controllers.etcd_ops_task.requeue_interval = requeue_interval;

  auto& webhook = c.webhooks.etcd_component_protection;
  webhook.enabled = f.etcd_components_webhook;
  const bool blank =
      std::all_of(f.reconciler_service_account.begin(), f.reconciler_service_account.end(),
                  [](unsigned char ch) { return std::isspace(ch) != 0; });
  if (!blank) webhook.reconciler_service_account_fqdn = f.reconciler_service_account;
  for (const auto& account : f.exempt_service_accounts) {
    if (!account.empty()) webhook.exempt_service_accounts.push_back(account);
  }
  c.feature_gates = parse_feature_gates_flag(f.feature_gates, &skipped_gates);
  api::apply_operator_config_defaults(c);
  return c;
}

// Go's strconv.ParseBool.
std::optional<bool> parse_go_bool(const std::string& text) {
  static const std::vector<std::string> kTrue = {"1", "t", "T", "TRUE", "true", "True"};
  static const std::vector<std::string> kFalse = {"0", "f", "F", "FALSE", "false", "False"};
  if (std::find(kTrue.begin(), kTrue.end(), text) != kTrue.end()) return true;
  if (std::find(kFalse.begin(), kFalse.end(), text) != kFalse.end()) return false;
  return std::nullopt;
}

}  // namespace

std::map<std::string, bool> parse_feature_gates_flag(const std::string& text,
                                                     std::vector<std::string>* skipped) {
  std::map<std::string, bool> gates;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    const std::string entry(
        util::trim_go_space(std::string_view(text).substr(start, comma - start)));
    start = comma + 1;
    if (entry.empty()) continue;
    const auto eq = entry.find('=');
    const std::string name =
        eq == std::string::npos
            ? std::string()
            : std::string(util::trim_go_space(std::string_view(entry).substr(0, eq)));
    const auto value = eq == std::string::npos ? std::nullopt
                                               : parse_go_bool(std::string(util::trim_go_space(
                                                     std::string_view(entry).substr(eq + 1))));
    if (name.empty() || !value) {
      if (skipped != nullptr) skipped->push_back(entry);
      continue;
    }
    gates[name] = *value;
  }
  return gates;
}

util::Expected<CommandLine, CommandLineExit> parse_command_line(
    const std::vector<std::string>& args) {
  CLI::App app{"etcd-druid: the operator for etcd clusters described by Etcd resources",
               kProgramName};
  app.allow_extras();
  // pflag semantics: a repeated flag takes its last value.
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);

  CommandLine cl;
  std::string config_file;
  std::string kubeconfig;
  app.add_option("--config", config_file, "path of the OperatorConfiguration file");
  app.add_flag("--version", cl.version, "print the version and exit");
  app.add_flag("--print-config", cl.print_config,
               "print the effective OperatorConfiguration (from --config or the deprecated "
               "flags, defaults applied) as YAML and exit; notes about ignored flags go to stderr");
  app.add_option("--kubeconfig", kubeconfig,
                 "kubeconfig of the cluster (default: $KUBECONFIG, ~/.kube/config, in-cluster)");
  app.add_option("--health-probe-port", cl.health_probe_port,
                 "port of /healthz and /readyz (0: any free port)")
      ->capture_default_str();

  DeprecatedFlags flags;
  FlagRegistry registry;
  add_deprecated_flags(app, flags, registry);

  // CLI11 wants argv order reversed for its vector overload.
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    return util::unexpected(CommandLineExit{0, app.help()});
  } catch (const CLI::ParseError& e) {
    return util::unexpected(CommandLineExit{2, e.what()});
  }

  if (!config_file.empty()) cl.config_file = config_file;
  if (!kubeconfig.empty()) cl.kubeconfig = kubeconfig;
  cl.unknown_arguments = app.remaining();
  for (const auto* option : registry.deprecated) {
    if (option->count() > 0) cl.deprecated_flags_given.push_back(option->get_name());
  }
  auto config = to_operator_config(flags, cl.skipped_feature_gates);
  if (!config) return util::unexpected(CommandLineExit{2, config.error()});
  cl.flag_config = std::move(*config);
  if (std::find(cl.deprecated_flags_given.begin(), cl.deprecated_flags_given.end(),
                kFeatureGatesFlag) != cl.deprecated_flags_given.end()) {
    cl.explicit_feature_gates = cl.flag_config.feature_gates;
  }
  return cl;
}

}  // namespace druid::operator_
