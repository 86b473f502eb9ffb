#include "localenv/member_agent/backup_server.hpp"

#include <httplib.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <fstream>
#include <sstream>

#include "api/cron.hpp"
#include "api/go_yaml.hpp"
#include "kube/rest_config.hpp"
#include "localenv/member_agent/commands.hpp"
#include "localenv/member_agent/member_etcd_config.hpp"
#include "localenv/member_agent/member_initializer.hpp"
#include "localenv/member_agent/member_leases.hpp"
#include "util/yaml.hpp"

namespace druid::localenv::backup {
namespace {

constexpr auto kTick = std::chrono::milliseconds(500);
constexpr const char* kForwardedHeader = "X-Druid-Member-Agent-Forwarded";

util::Time now() {
  return std::chrono::time_point_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now());
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

void answer_error(httplib::Response& res, int status, const std::string& message) {
  res.status = status;
  res.set_content(message + "\n", "text/plain");
}

// Host part of a URL such as "https://etcd-main-0.etcd-main-peer.ns.svc:2379".
std::string url_host(const std::string& url) {
  auto rest = url;
  if (const auto scheme = rest.find("://"); scheme != std::string::npos) rest.erase(0, scheme + 3);
  rest = rest.substr(0, rest.find('/'));
  if (!rest.empty() && rest.front() == '[') return rest.substr(0, rest.find(']') + 1);
  return rest.substr(0, rest.rfind(':'));
}

}  // namespace

std::string to_string(InitializationState state) {
  switch (state) {
    case InitializationState::kNew:
      return "New";
    case InitializationState::kProgress:
      return "Progress";
    case InitializationState::kSuccessful:
      return "Successful";
    case InitializationState::kFailed:
      return "Failed";
  }
  return "New";
}

BackupServer::BackupServer(BackupServerFlags flags, BackupServerEnvironment env,
                           std::unique_ptr<kube::Client> kube)
    : flags_(std::move(flags)), env_(std::move(env)), kube_(std::move(kube)) {
  etcd_ = std::make_unique<etcd::Client>(etcd_options(flags_.endpoints, std::chrono::seconds(5)));
  snapshot_etcd_ = std::make_unique<etcd::Client>(etcd_options(
      flags_.endpoints,
      std::chrono::duration_cast<std::chrono::milliseconds>(flags_.etcd_snapshot_timeout)));
  if (flags_.storage_provider == "Local") {
    const auto container =
        flags_.store_container.empty() ? env_.storage_container : flags_.store_container;
    store_.emplace(env_.local_store_root, container, flags_.store_prefix);
    SnapshotterOptions options;
    options.compress = flags_.compress_snapshots;
    if (options.compress && flags_.compression_policy != "gzip") {
      spdlog::warn("compression policy {} is not supported here; snapshots are gzip (.gz)",
                   flags_.compression_policy);
    }
    options.lease_namespace = env_.pod_namespace;
    if (flags_.enable_snapshot_lease_renewal) {
      options.full_snapshot_lease = flags_.full_snapshot_lease_name;
      options.delta_snapshot_lease = flags_.delta_snapshot_lease_name;
    }
    snapshotter_ = std::make_unique<Snapshotter>(*snapshot_etcd_, *store_, kube_.get(), options);
  } else if (!flags_.storage_provider.empty()) {
    spdlog::warn("storage provider {} is not supported by the local member agent: no snapshots",
                 flags_.storage_provider);
  }
}

BackupServer::~BackupServer() {
  stop();
}

etcd::ClientOptions BackupServer::etcd_options(std::vector<std::string> endpoints,
                                               std::chrono::milliseconds timeout) const {
  etcd::ClientOptions options;
  options.endpoints = std::move(endpoints);
  options.timeout = timeout;
  if (!flags_.cacert.empty()) options.tls.ca_pem = read_file(flags_.cacert);
  if (!flags_.cert.empty()) options.tls.client_cert_pem = read_file(flags_.cert);
  if (!flags_.key.empty()) options.tls.client_key_pem = read_file(flags_.key);
  options.tls.insecure_skip_verify = flags_.insecure_skip_tls_verify;
  return options;
}

util::Expected<int, std::string> BackupServer::start() {
  const bool tls = !flags_.server_cert.empty() && !flags_.server_key.empty();
  if (tls) {
    auto server =
        std::make_unique<httplib::SSLServer>(flags_.server_cert.c_str(), flags_.server_key.c_str());
    if (!server->is_valid()) {
      return util::unexpected("cannot load server certificate " + flags_.server_cert + " / key " +
                              flags_.server_key);
    }
    http_ = std::move(server);
    http_->set_default_headers(
        {{"Strict-Transport-Security", "max-age=31536000; includeSubDomains"},
         {"Content-Security-Policy", "default-src 'self'"}});
  } else {
    http_ = std::make_unique<httplib::Server>();
  }
  http_->set_read_timeout(std::chrono::seconds(5));
  routes();
  int port = flags_.server_port;
  if (port == 0) {
    port = http_->bind_to_any_port("0.0.0.0");
  } else if (!http_->bind_to_port("0.0.0.0", port)) {
    port = -1;
  }
  if (port < 0)
    return util::unexpected("cannot listen on port " + std::to_string(flags_.server_port));
  started_ = true;
  http_thread_ = std::thread([this] { http_->listen_after_bind(); });
  maintenance_thread_ = std::thread([this] { maintain(); });
  spdlog::info("backup server listening on {}://0.0.0.0:{}", tls ? "https" : "http", port);
  return port;
}

void BackupServer::stop() {
  if (stop_.exchange(true)) return;
  {
    std::lock_guard lock(mutex_);
    wake_.notify_all();
  }
  if (http_) http_->stop();
  if (http_thread_.joinable()) http_thread_.join();
  if (maintenance_thread_.joinable()) maintenance_thread_.join();
  std::thread init;
  {
    std::lock_guard lock(mutex_);
    init = std::move(init_thread_);
  }
  if (init.joinable()) init.join();
}

util::Expected<nlohmann::json, std::string> BackupServer::load_config() const {
  std::error_code ec;
  if (!std::filesystem::exists(env_.etcd_conf, ec)) {
    return util::unexpected("etcd config " + env_.etcd_conf.string() + " does not exist");
  }
  auto config = util::parse_yaml(read_file(env_.etcd_conf));
  if (!config)
    return util::unexpected("etcd config " + env_.etcd_conf.string() + ": " +
                            config.error().message());
  return *config;
}

std::optional<std::vector<etcd::Member>> BackupServer::service_member_list(int attempts) {
  if (flags_.service_endpoints.empty()) return std::nullopt;
  etcd::Client client(etcd_options(flags_.service_endpoints, std::chrono::seconds(5)));
  for (int attempt = 0; attempt < attempts; ++attempt) {
    if (auto members = client.member_list()) return *members;
  }
  return std::nullopt;
}

util::Expected<std::string, std::string> BackupServer::member_config_yaml() {
  auto config = load_config();
  if (!config) return util::unexpected(config.error());
  auto names = initial_cluster_members(*config);
  if (!names) return util::unexpected(names.error());
  std::optional<std::vector<etcd::Member>> members;
  if (names->size() > 1) members = service_member_list(2);
  auto member_config = member_etcd_config(*config, env_.pod_name, members);
  if (!member_config) return util::unexpected(member_config.error());
  auto yaml = api::go_yaml_marshal(*member_config);
  if (!yaml) return util::unexpected(yaml.error());
  const auto path = env_.home / "etcd.conf.yaml";
  std::ofstream out(path, std::ios::trunc);
  out << *yaml;
  if (!out) return util::unexpected("cannot write " + path.string());
  return *yaml;
}

void BackupServer::run_initializer(const std::string& mode) {
  InitializerInputs inputs;
  auto config = load_config();
  bool ok = false;
  if (!config) {
    spdlog::error("initialization failed: {}", config.error());
  } else {
    inputs.config = std::move(*config);
    inputs.pod_name = env_.pod_name;
    inputs.pod_namespace = env_.pod_namespace;
    inputs.data_dir = flags_.data_dir;
    inputs.data_volume_dir = env_.data_volume_dir;
    inputs.quota_bytes = flags_.embedded_etcd_quota_bytes;
    inputs.service_endpoints = etcd_options(flags_.service_endpoints, std::chrono::seconds(5));
    inputs.kube = kube_.get();
    inputs.store = store_ ? &*store_ : nullptr;
    inputs.stop = &stop_;
    auto result = initialize_member(inputs, validation_mode_from(mode));
    ok = result.has_value();
    if (ok) {
      spdlog::info("initialization ({}) successful", mode);
    } else {
      spdlog::error("initialization ({}) failed: {}", mode, result.error());
    }
  }
  std::lock_guard lock(mutex_);
  init_state_ = ok ? InitializationState::kSuccessful : InitializationState::kFailed;
}

util::Expected<std::string, std::string> BackupServer::leader_agent_address() {
  auto status = etcd_->status();
  if (!status) return util::unexpected("etcd status: " + status.error().message);
  if (status->leader == 0) return util::unexpected(std::string("etcd has no leader"));
  auto members = etcd_->member_list();
  if (!members) return util::unexpected("member list: " + members.error().message);
  for (const auto& member : *members) {
    if (member.id == status->leader && !member.client_urls.empty()) {
      return url_host(member.client_urls.front()) + ":" + std::to_string(flags_.server_port);
    }
  }
  return util::unexpected(std::string("the leader has no client URL"));
}

void BackupServer::routes() {
  http_->Get("/initialization/start", [this](const httplib::Request& req, httplib::Response& res) {
    const std::string mode = req.has_param("mode") ? req.get_param_value("mode") : "full";
    std::lock_guard lock(mutex_);
    if (init_state_ == InitializationState::kNew && !stop_) {
      init_state_ = InitializationState::kProgress;
      healthy_ = false;
      if (init_thread_.joinable()) init_thread_.join();  // a finished earlier run
      init_thread_ = std::thread([this, mode] { run_initializer(mode); });
    }
    res.status = 200;
  });
  http_->Get("/initialization/status", [this](const httplib::Request&, httplib::Response& res) {
    std::lock_guard lock(mutex_);
    res.set_content(to_string(init_state_), "text/plain");
    if (init_state_ == InitializationState::kSuccessful ||
        init_state_ == InitializationState::kFailed) {
      init_state_ = InitializationState::kNew;
    }
  });
  http_->Get("/config", [this](const httplib::Request&, httplib::Response& res) {
    auto yaml = member_config_yaml();
    if (!yaml) {
      spdlog::error("/config: {}", yaml.error());
      return answer_error(res, 500, yaml.error());
    }
    res.set_content(*yaml, "application/yaml");
  });
  http_->Get("/healthz", [this](const httplib::Request&, httplib::Response& res) {
    const bool health = healthy_.load();
    res.status = health ? 200 : 503;
    res.set_content(nlohmann::json{{"health", health}}.dump(), "application/json");
  });

  const auto snapshot_handler = [this](bool full) {
    return [this, full](const httplib::Request& req, httplib::Response& res) {
      if (!snapshotter_) return answer_error(res, 405, "no snapshot store is configured");
      bool final = false;
      if (req.has_param("final")) {
        const auto value = req.get_param_value("final");
        if (value == "true") {
          final = true;
        } else if (value != "false") {
          return answer_error(res, 400, "invalid value \"" + value + "\" for parameter final");
        }
      }
      if (!leader_.load()) {
        if (req.has_header(kForwardedHeader)) {
          return answer_error(res, 500, "forwarded snapshot request reached a non-leader");
        }
        auto address = leader_agent_address();
        if (!address)
          return answer_error(res, 500, "cannot find the leading member agent: " + address.error());
        const bool tls = !flags_.server_cert.empty();
        // Agents' TLS is verified by druid with the backup CA, which the
        // sidecar gets no flag for; forwarding between agents skips it.
        httplib::Client client((tls ? "https://" : "http://") + *address);
        client.enable_server_certificate_verification(false);
        client.set_read_timeout(
            std::chrono::duration_cast<std::chrono::seconds>(flags_.etcd_snapshot_timeout));
        std::string target = req.path;
        if (req.has_param("final")) target += "?final=" + req.get_param_value("final");
        auto forwarded = client.Post(target, {{kForwardedHeader, "true"}}, "", "text/plain");
        if (!forwarded) {
          return answer_error(res, 500,
                              "forwarding to the leader's agent " + *address + ": " +
                                  httplib::to_string(forwarded.error()));
        }
        res.status = forwarded->status;
        res.set_content(forwarded->body, forwarded->get_header_value("Content-Type"));
        return;
      }
      if (full) {
        auto snapshot = snapshotter_->take_full(final, now());
        if (!snapshot) return answer_error(res, 500, snapshot.error());
        res.set_content(snapshot->to_json().dump(), "application/json");
      } else {
        auto snapshot = snapshotter_->take_delta(now());
        if (!snapshot) return answer_error(res, 500, snapshot.error());
        res.set_content(*snapshot ? (*snapshot)->to_json().dump() : "null", "application/json");
      }
    };
  };
  for (const char* path : {"/snapshot/full", "/snapshot/delta"}) {
    const bool full = std::string_view(path) == "/snapshot/full";
    http_->Get(path, snapshot_handler(full));
    http_->Post(path, snapshot_handler(full));
    http_->Put(path, snapshot_handler(full));
  }
  http_->Get("/snapshot/latest", [this](const httplib::Request&, httplib::Response& res) {
    if (!store_) return answer_error(res, 405, "no snapshot store is configured");
    const auto latest = store_->latest();
    nlohmann::json body = {{"fullSnapshot", nullptr}, {"deltaSnapshots", nlohmann::json::array()}};
    if (latest.full) body["fullSnapshot"] = latest.full->to_json();
    for (const auto& delta : latest.deltas) body["deltaSnapshots"].push_back(delta.to_json());
    res.set_content(body.dump(), "application/json");
  });
}

void BackupServer::maintain() {
  auto next_heartbeat = std::chrono::steady_clock::now();
  auto next_delta = std::chrono::steady_clock::now();
  util::Time next_full = util::Time::max();
  bool was_leader = false;
  while (!stop_) {
    maintenance_tick(next_heartbeat, next_delta, next_full, was_leader);
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, kTick, [this] { return stop_.load(); });
  }
}

void BackupServer::maintenance_tick(std::chrono::steady_clock::time_point& next_heartbeat,
                                    std::chrono::steady_clock::time_point& next_delta,
                                    util::Time& next_full, bool& was_leader) {
  auto status = etcd_->status();
  if (!status) {
    healthy_ = false;
    leader_ = false;
    was_leader = false;
    return;
  }
  const bool leader = status->leader != 0 && status->leader == status->member_id;
  leader_ = leader;
  {
    std::lock_guard lock(mutex_);
    healthy_ = leader && init_state_ != InitializationState::kProgress;
  }
  const auto steady_now = std::chrono::steady_clock::now();
  if (steady_now >= next_heartbeat) {
    next_heartbeat = steady_now + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                      flags_.k8s_heartbeat_duration);
    if (flags_.enable_member_lease_renewal && kube_) {
      bool peer_tls = false;
      if (auto members = etcd_->member_list()) {
        for (const auto& member : *members) {
          if (member.id != status->member_id) continue;
          for (const auto& url : member.peer_urls)
            peer_tls = peer_tls || url.starts_with("https://");
        }
      }
      auto config = load_config();
      const auto name = member_name(config ? *config : nlohmann::json::object(), env_.pod_name);
      auto renewed = renew_member_lease(*kube_, env_.pod_namespace, name, *status, peer_tls, now());
      if (!renewed) spdlog::warn("cannot renew member lease {}: {}", name, renewed.error().what());
    }
    if (status->is_learner) {
      // A learner cannot serve MemberPromote; ask the ready members.
      etcd::Client promoter(etcd_options(
          flags_.service_endpoints.empty() ? flags_.endpoints : flags_.service_endpoints,
          std::chrono::seconds(5)));
      auto promoted = promoter.member_promote(status->member_id);
      if (promoted) {
        spdlog::info("promoted learner {} to voting member", etcd::id_to_hex(status->member_id));
      } else {
        spdlog::info("learner not promoted yet: {}", promoted.error().message);
      }
    }
  }
  if (!snapshotter_ || !leader) {
    was_leader = false;
    return;
  }
  const auto period =
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(flags_.delta_snapshot_period);
  if (!was_leader) {
    was_leader = true;
    if (!store_->latest().full) {
      if (auto full = snapshotter_->take_full(false, now()); !full) {
        spdlog::error("full snapshot on becoming leader: {}", full.error());
      }
    }
    snapshotter_->initialise_delta_lease(now());
    auto schedule = api::CronSchedule::parse(flags_.schedule);
    if (schedule) {
      next_full = schedule->next(now());
    } else {
      spdlog::error("--schedule: {}; no scheduled full snapshots", schedule.error().message());
      next_full = util::Time::max();
    }
    next_delta = std::chrono::steady_clock::now() + period;
    return;
  }
  if (now() >= next_full) {
    if (auto full = snapshotter_->take_full(false, now()); !full) {
      spdlog::error("scheduled full snapshot: {}", full.error());
    }
    if (auto schedule = api::CronSchedule::parse(flags_.schedule))
      next_full = schedule->next(now());
  }
  if (flags_.delta_snapshot_period >= std::chrono::seconds(1) &&
      std::chrono::steady_clock::now() >= next_delta) {
    next_delta = std::chrono::steady_clock::now() + period;
    if (auto delta = snapshotter_->take_delta(now()); !delta) {
      spdlog::error("delta snapshot: {}", delta.error());
    }
  }
}

}  // namespace druid::localenv::backup

namespace druid::localenv {

int run_backup_server(const std::vector<std::string>& args) {
  auto flags = backup::parse_backup_server_flags(args);
  if (!flags) {
    spdlog::error("server: {}", flags.error());
    return 2;
  }
  for (const auto& warning : flags->warnings) spdlog::warn("server: {}", warning);
  // Signals are taken by sigwait below; blocked before any thread starts so
  // every thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::unique_ptr<kube::Client> kube;
  const char* kubeconfig = std::getenv("KUBECONFIG");
  if (auto rest = kube::load_rest_config(kubeconfig != nullptr && *kubeconfig != '\0'
                                             ? std::optional<std::string>(kubeconfig)
                                             : std::nullopt)) {
    kube = std::make_unique<kube::Client>(*rest);
  } else {
    spdlog::warn("server: no Kubernetes access, leases are not written: {}", rest.error());
  }
  backup::BackupServer server(std::move(*flags), backup::BackupServerEnvironment::from_process(),
                              std::move(kube));
  auto started = server.start();
  if (!started) {
    spdlog::error("server: {}", started.error());
    return 1;
  }
  int received = 0;
  sigwait(&signals, &received);
  spdlog::info("server: received signal {}, stopping", received);
  server.stop();
  return 0;
}

}  // namespace druid::localenv
