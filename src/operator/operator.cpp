#include "operator/operator.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <malloc.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>

#include "api/image_vector.hpp"
#include "api/operator_config.hpp"
#include "controller/compaction/setup.hpp"
#include "controller/etcd/setup.hpp"
#include "controller/etcdcopybackupstask/setup.hpp"
#include "controller/etcdopstask/setup.hpp"
#include "controller/ondelete/setup.hpp"
#include "controller/secret/setup.hpp"
#include "kube/client.hpp"
#include "kube/manager.hpp"
#include "kube/rest_config.hpp"
#include "operator/backup_sidecar_client.hpp"
#include "operator/config_mapping.hpp"
#include "operator/endpoints.hpp"
#include "operator/etcd_leader_transfer.hpp"
#include "operator/health_checks.hpp"
#include "operator/http_listener.hpp"
#include "operator/logging.hpp"
#include "operator/options.hpp"
#include "operator/startup_config.hpp"
#include "operator/stop_signals.hpp"
#include "operator/webhook_server.hpp"
#include "util/expected.hpp"
#include "util/yaml.hpp"

namespace druid::operator_ {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;

// Start-up errors are one plain line, whatever the log format, so a person
// running the binary reads the cause at once.
int fail(const std::string& cause) {
  spdlog::default_logger()->flush();
  std::cerr << kProgramName << ": " << cause << std::endl;
  return kExitFailure;
}

std::string hostname() {
  std::array<char, 256> buffer{};
  if (::gethostname(buffer.data(), buffer.size() - 1) != 0) return {};
  return buffer.data();
}

const char* env(const char* name) {
  const char* value = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): read before threads
  return value != nullptr && *value != '\0' ? value : nullptr;
}

// Both files must be readable before the server starts; the error names the path.
util::Expected<void, std::string> check_webhook_certificates(const std::string& cert_dir) {
  for (const char* file : {"tls.crt", "tls.key"}) {
    const std::string path = cert_dir + "/" + file;
    std::ifstream in(path);
    if (!in) {
      return util::unexpected("webhook server certificate " + path +
                              " cannot be read: " + std::strerror(errno));
    }
  }
  return {};
}

// What the command line asked for that this run will not do, one message with
// its fields each: logged at start-up, printed on stderr by --print-config.
struct StartupNote {
  std::string message;
  nlohmann::json fields;
};

std::vector<StartupNote> startup_notes(const CommandLine& command_line) {
  std::vector<StartupNote> notes;
  for (const auto& argument : command_line.unknown_arguments) {
    notes.push_back({"Ignoring unknown command-line argument", {{"argument", argument}}});
  }
  for (const auto& entry : command_line.skipped_feature_gates) {
    notes.push_back({"Ignoring malformed --feature-gates entry", {{"entry", entry}}});
  }
  if (command_line.config_file && !command_line.deprecated_flags_given.empty()) {
    std::vector<std::string> ignored;
    for (const auto& flag : command_line.deprecated_flags_given) {
      if (flag != kFeatureGatesFlag) ignored.push_back(flag);
    }
    if (!ignored.empty()) {
      notes.push_back(
          {"Deprecated flags are ignored because --config is set", {{"flags", ignored}}});
    }
  }
  return notes;
}

void log_startup_notes(const CommandLine& command_line) {
  for (const auto& note : startup_notes(command_line)) {
    spdlog::warn(with_fields(note.message, note.fields));
  }
}

// --print-config: the configuration on stdout (YAML a --config file accepts),
// each note on stderr as "etcd-druid: <message>: <values>".
int print_config(const CommandLine& command_line, const StartupConfig& startup) {
  for (const auto& note : startup_notes(command_line)) {
    std::vector<std::string> values;
    for (const auto& field : note.fields) {
      if (field.is_array()) {
        for (const auto& item : field) values.push_back(item.get<std::string>());
      } else {
        values.push_back(field.get<std::string>());
      }
    }
    std::cerr << fmt::format("{}: {}: {}", kProgramName, note.message, fmt::join(values, ", "))
              << std::endl;
  }
  std::cout << util::to_yaml(api::encode_operator_config(startup.config)) << std::flush;
  return kExitOk;
}

void log_runtime_info(std::string_view version, const StartupConfig& startup) {
  spdlog::info(with_fields("etcd-druid runtime info", {{"version", "v" + std::string(version)},
                                                       {"compiler", DRUID_COMPILER},
                                                       {"platform", DRUID_PLATFORM}}));
  spdlog::info(with_fields(
      "Using operator configuration",
      {{"source", startup.source}, {"config", api::encode_operator_config(startup.config)}}));
}

// One run of the operator once the configuration is known.
class OperatorRun {
 public:
  OperatorRun(const CommandLine& command_line, StartupConfig startup, StopSignals& signals)
      : command_line_(command_line), startup_(std::move(startup)), signals_(signals) {}

  int run() {
    if (auto prepared = prepare(); !prepared) return fail(prepared.error());
    if (auto started = start_servers(); !started) return fail(started.error());
    signals_.watch([this](int signal) {
      spdlog::info(
          with_fields("Stop signal received, shutting down", {{"signal", ::strsignal(signal)}}));
      manager_->request_stop();
    });
    spdlog::info(with_fields("Starting etcd-druid controller manager",
                             {{"metricsPort", metrics_->port()},
                              {"healthProbePort", probes_->port()},
                              {"leaderElection", lease_name_.has_value()},
                              {"namespace", namespace_}}));
    auto result = manager_->run();
    signals_.unwatch();
    stop_servers();
    if (!result) {
      spdlog::error(
          with_fields("etcd-druid controller manager failed", {{"error", result.error().message}}));
      spdlog::default_logger()->flush();
      return kExitFailure;
    }
    spdlog::info("etcd-druid stopped");
    spdlog::default_logger()->flush();
    return kExitOk;
  }

 private:
  util::Expected<void, std::string> prepare() {
    const auto& config = startup_.config;
    const char* overwrite = env("IMAGEVECTOR_OVERWRITE");
    auto images = api::load_image_vector(
        overwrite != nullptr ? std::optional<std::string>(overwrite) : std::nullopt);
    if (!images) return util::unexpected("cannot load the image vector: " + images.error());
    images_ = std::move(*images);

    const auto& webhook = config.webhooks.etcd_component_protection;
    if (webhook.enabled) {
      auto identity = reconciler_identity(webhook);
      if (!identity) return util::unexpected(identity.error());
      webhook_options_ = webhook_server_options(config, *identity);
      if (auto certificates = check_webhook_certificates(webhook_options_->cert_dir);
          !certificates) {
        return certificates;
      }
    }

    auto rest = kube::load_rest_config(command_line_.kubeconfig);
    if (!rest) return util::unexpected("cannot find the API server: " + rest.error());
    apply_client_connection(config.client_connection, *rest);
    namespace_ = operator_namespace(env("POD_NAMESPACE"), *rest);
    client_ = std::make_unique<kube::Client>(std::move(*rest));

    const std::string host = hostname();
    auto election =
        leader_election_config(config.leader_election, namespace_, leader_election_identity(host));
    if (!election) return util::unexpected(election.error());
    kube::ManagerOptions options;
    options.leader_election = std::move(*election);
    if (options.leader_election) lease_name_ = options.leader_election->lease_name;
    options.events.host = host;
    // glibc keeps freed heap inside its arenas: after a burst (creating
    // hundreds of Etcds, a relist) the memory stays resident though unused.
    // Returning it every 30 s keeps RSS at what is live, as Go's scavenger
    // does for Go druid (docs/benchmarks.md, "Index entries, deflate streams and freed heap").
    options.housekeeping = [] { malloc_trim(0); };
    manager_ = std::make_unique<kube::Manager>(*client_, std::move(options));
    etcd_controller_ = controller::etcd::add_etcd_controller(
        *manager_, images_, etcd_controller_config(config, startup_.feature_gates));
    // Always registered: inert unless a StatefulSet uses updateStrategy OnDelete
    // (the QuorumAwareUpdatesWithOnDelete gate, or one left over from it).
    leader_transfer_ = std::make_unique<EtcdLeaderTransfer>(*client_);
    ondelete_controller_ =
        controller::ondelete::add_ondelete_controller(*manager_, leader_transfer_.get());
    backup_sidecar_ = std::make_unique<BackupSidecarClient>();
    etcd_ops_task_controller_ = controller::etcdopstask::add_etcd_ops_task_controller(
        *manager_, *backup_sidecar_, etcd_ops_task_controller_config(config));
    if (auto compaction = compaction_controller_config(config, startup_.feature_gates)) {
      compaction_controller_ = controller::compaction::add_compaction_controller(
          *manager_, images_, *backup_sidecar_, *compaction);
    }
    if (auto copy_tasks =
            etcd_copy_backups_task_controller_config(config, startup_.feature_gates)) {
      etcd_copy_backups_task_controller_ =
          controller::etcdcopybackupstask::add_etcd_copy_backups_task_controller(*manager_, images_,
                                                                                 *copy_tasks);
    }
    secret_controller_ = controller::secret::add_secret_controller(
        *manager_, {static_cast<int>(config.controllers.secret.concurrent_syncs.value_or(
                       api::operator_config_defaults::kSecretConcurrentSyncs))});
    return {};
  }

  util::Expected<void, std::string> start_servers() {
    if (webhook_options_) {
      auto server = WebhookServer::start(*webhook_options_, *client_);
      if (!server) return util::unexpected("cannot start the webhook server: " + server.error());
      webhook_ = std::move(*server);
    }
    add_health_checks();

    const auto metrics_config = startup_.config.server.metrics.value_or(
        api::HttpServerConfiguration{"", api::operator_config_defaults::kMetricsPort});
    auto metrics_address = metrics_listen_address(metrics_config);
    if (!metrics_address) return util::unexpected(metrics_address.error());
    auto metrics =
        HttpListener::start("metrics server", *metrics_address, [this](httplib::Server& server) {
          add_metrics_route(server, [this] {
            MetricsSnapshot snapshot = gather_metrics(*manager_, *client_, lease_name_);
            snapshot.ondelete_pod_updates = ondelete_controller_->metrics->snapshot();
            snapshot.etcds = controller::etcd::collect_etcd_series(*etcd_controller_->reader,
                                                                   *etcd_controller_->metrics,
                                                                   kube::system_clock().wall_now());
            if (compaction_controller_) {
              snapshot.compaction = compaction_controller_->metrics->snapshot();
            }
            return snapshot;
          });
        });
    if (!metrics) return util::unexpected(metrics.error());
    metrics_ = std::move(*metrics);

    auto probes = HttpListener::start(
        "health probe server", ListenAddress{"", command_line_.health_probe_port},
        [this](httplib::Server& server) { add_health_routes(server, healthz_, readyz_); });
    if (!probes) return util::unexpected(probes.error());
    probes_ = std::move(*probes);
    return {};
  }

  void add_health_checks() {
    healthz_.add(kPingCheck, [] { return util::Expected<void, std::string>(); });
    readyz_.add(kInformerSyncCheck, [this]() -> util::Expected<void, std::string> {
      if (manager_->caches_synced()) return {};
      return util::unexpected("informer caches are not synced yet");
    });
    if (webhook_) {
      readyz_.add(kWebhookServerCheck, [this]() -> util::Expected<void, std::string> {
        if (webhook_->listening()) return {};
        return util::unexpected("webhook server is not listening");
      });
    }
  }

  void stop_servers() {
    if (webhook_) webhook_->stop();
    if (probes_) probes_->stop();
    if (metrics_) metrics_->stop();
  }

  const CommandLine& command_line_;
  StartupConfig startup_;
  StopSignals& signals_;

  api::ImageVector images_;
  std::optional<WebhookServerOptions> webhook_options_;
  std::string namespace_;
  std::optional<std::string> lease_name_;
  std::unique_ptr<kube::Client> client_;
  std::unique_ptr<kube::Manager> manager_;
  std::unique_ptr<controller::etcd::EtcdController> etcd_controller_;
  std::unique_ptr<EtcdLeaderTransfer> leader_transfer_;
  std::unique_ptr<controller::ondelete::OnDeleteController> ondelete_controller_;
  std::unique_ptr<BackupSidecarClient> backup_sidecar_;
  std::unique_ptr<controller::etcdopstask::EtcdOpsTaskController> etcd_ops_task_controller_;
  // Null when controllers.compaction.enabled is false.
  std::unique_ptr<controller::compaction::CompactionController> compaction_controller_;
  // Null when controllers.etcdCopyBackupsTask.enabled is false.
  std::unique_ptr<controller::etcdcopybackupstask::EtcdCopyBackupsTaskController>
      etcd_copy_backups_task_controller_;
  std::unique_ptr<controller::secret::SecretController> secret_controller_;
  std::unique_ptr<WebhookServer> webhook_;
  HealthChecks healthz_{"healthz"};
  HealthChecks readyz_{"readyz"};
  std::unique_ptr<HttpListener> metrics_;
  std::unique_ptr<HttpListener> probes_;
};

}  // namespace

int run_etcd_druid(const std::vector<std::string>& args, std::string_view version) {
  // First: block the stop signals before any thread exists.
  StopSignals signals;

  auto command_line = parse_command_line(args);
  if (!command_line) {
    const auto& exit = command_line.error();
    (exit.exit_code == 0 ? std::cout : std::cerr)
        << (exit.exit_code == 0 ? "" : std::string(kProgramName) + ": ") << exit.message
        << std::endl;
    return exit.exit_code;
  }
  if (command_line->version) {
    std::cout << kProgramName << " v" << version << std::endl;
    return kExitOk;
  }

  // Logs before the configuration is known (unknown flags) use the defaults.
  configure_logging(spdlog::level::info, LogFormat::kJson);
  auto startup = resolve_startup_config(*command_line);
  if (!startup) return fail(startup.error());
  if (command_line->print_config) return print_config(*command_line, *startup);
  configure_logging(parse_log_level(startup->config.logging.log_level),
                    parse_log_format(startup->config.logging.log_format));
  log_startup_notes(*command_line);
  if (!startup->feature_gates_from_flag.empty()) {
    spdlog::info(with_fields("--feature-gates overrides the configuration file's featureGates",
                             {{"featureGates", startup->feature_gates_from_flag}}));
  }
  log_runtime_info(version, *startup);

  return OperatorRun(*command_line, std::move(*startup), signals).run();
}

}  // namespace druid::operator_
