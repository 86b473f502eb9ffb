// `druid-member-agent start-etcd`: plays gardener/etcd-wrapper (its internal/bootstrap/ and
// internal/app/, test/localenv/README.md) with the installed etcd as a child process instead of an
// embedded one.
//
// Signals: SIGTERM and SIGINT are blocked in every thread and taken with
// sigtimedwait by the main thread, which also reaps etcd; so a signal that
// arrives during the boot loop or while etcd runs is handled in one place.

#include <httplib.h>
#include <signal.h>
#include <spawn.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include "etcd/client.hpp"
#include "kube/http_transport.hpp"
#include "localenv/member_agent/commands.hpp"
#include "localenv/member_agent/start_etcd_flags.hpp"
#include "util/yaml.hpp"

extern char** environ;  // NOLINT: POSIX

namespace druid::localenv {
namespace {

using wrapper::StartEtcdFlags;
namespace fs = std::filesystem;

constexpr auto kBootDeadline = std::chrono::hours(1);
constexpr auto kReadinessPeriod = std::chrono::seconds(2);
constexpr auto kReadinessTimeout = std::chrono::seconds(5);
constexpr auto kStopGrace = std::chrono::seconds(60);  // SIGTERM to SIGKILL of etcd

std::string env_or(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::string(value) : fallback;
}

std::optional<std::string> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

bool write_file(const fs::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  return static_cast<bool>(out);
}

std::string trim(std::string text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

// The paths a pod has at fixed places; env overrides let tests run unprivileged.
struct Paths {
  fs::path data_volume = env_or("DATA_VOLUME_DIR", "/var/etcd/data");
  fs::path home = env_or("HOME", "/home/nonroot");
  fs::path etcd_ca_dir = env_or("ETCD_CA_DIR", "/var/etcd/ssl/ca");
  std::string etcd_bin = env_or("ETCD_BIN", "/usr/bin/etcd");

  fs::path exit_code() const { return data_volume / "exit_code"; }
  fs::path validation_marker() const { return data_volume / "validation_marker"; }
  fs::path etcd_config() const { return home / "etcd.conf.yaml"; }
};

// Waits up to `timeout` for SIGTERM/SIGINT (blocked in every thread); 0 when none came.
int wait_for_signal(std::chrono::milliseconds timeout) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  timespec ts{static_cast<time_t>(timeout.count() / 1000),
              static_cast<long>((timeout.count() % 1000) * 1000000)};
  const int signal = ::sigtimedwait(&set, nullptr, &ts);
  return signal > 0 ? signal : 0;
}

// What the wrapper records in the data volume, so the next start validates
// only in sanity mode after a clean stop (Go's signal names).
void record_signal(const Paths& paths, int signal) {
  const char* name = signal == SIGINT ? "interrupt" : "terminated";
  if (!write_file(paths.exit_code(), name)) {
    spdlog::error("cannot write {}", paths.exit_code().string());
  }
}

// GETs on the backup-restore sidecar.
class BackupRestoreClient {
 public:
  explicit BackupRestoreClient(const StartEtcdFlags& flags)
      : transport_(tls_of(flags), std::chrono::minutes(1), "druid-member-agent/start-etcd"),
        base_((flags.backup_restore_tls_enabled ? "https://" : "http://") +
              host_port(flags.backup_restore_host_port)) {}

  util::Expected<std::string, std::string> get(const std::string& path) {
    kube::HttpRequest request;
    request.url = base_ + path;
    auto response = transport_.perform(request);
    if (!response) return util::unexpected(response.error().message);
    if (response->status != 200) {
      return util::unexpected(
          fmt::format("GET {}: HTTP {}: {}", path, response->status, trim(response->body)));
    }
    return std::move(response->body);
  }

 private:
  static kube::TlsConfig tls_of(const StartEtcdFlags& flags) {
    kube::TlsConfig tls;
    if (flags.backup_restore_tls_enabled) {
      tls.ca_pem = read_file(flags.backup_restore_ca_cert_bundle_path).value_or("");
    }
    return tls;
  }
  // ":8080" (the flag's default) means this host.
  static std::string host_port(const std::string& text) {
    return text.rfind(':', 0) == 0 ? "127.0.0.1" + text : text;
  }

  kube::HttpTransport transport_;
  std::string base_;
};

enum class BootOutcome { kInitialized, kSignalled, kTimedOut };

// The wrapper's boot loop: ask backup-restore to initialise the member and
// wait until it reports success.
BootOutcome initialize_member(BackupRestoreClient& backup, const Paths& paths, int& signal) {
  const auto deadline = std::chrono::steady_clock::now() + kBootDeadline;
  while (std::chrono::steady_clock::now() < deadline) {
    auto status = backup.get("/initialization/status");
    if (!status) {
      spdlog::warn("initialization status: {}", status.error());
    } else {
      const auto state = trim(*status);
      if (state == "Successful") return BootOutcome::kInitialized;
      if (state == "New") {
        const auto exit_code = read_file(paths.exit_code()).value_or("");
        const bool clean_stop = exit_code.find("terminated") != std::string::npos ||
                                exit_code.find("interrupt") != std::string::npos;
        const std::string mode = clean_stop ? "sanity" : "full";
        spdlog::info("starting member initialization (validation mode {})", mode);
        if (auto started = backup.get("/initialization/start?mode=" + mode); !started) {
          spdlog::warn("initialization start: {}", started.error());
        }
      } else if (state == "Failed") {
        spdlog::error("member initialization failed; retrying");
      } else {
        spdlog::info("member initialization: {}", state);
      }
    }
    signal = wait_for_signal(std::chrono::seconds(1));
    if (signal != 0) return BootOutcome::kSignalled;
  }
  return BootOutcome::kTimedOut;
}

// GET /config (5 tries, 1 s apart).
util::Expected<std::string, std::string> fetch_config(BackupRestoreClient& backup) {
  std::string last;
  for (int attempt = 1; attempt <= 5; ++attempt) {
    auto config = backup.get("/config");
    if (config) return config;
    last = config.error();
    spdlog::warn("fetching /config (attempt {}/5): {}", attempt, last);
    if (attempt < 5) std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  return util::unexpected(last);
}

// "https" when the config's listen-client-urls are https, else "http".
std::string client_scheme_of(const std::string& config_yaml) {
  auto config = util::parse_yaml(config_yaml);
  if (!config || !config->is_object()) return "http";
  const auto urls = config->value("listen-client-urls", std::string());
  return urls.rfind("https://", 0) == 0 ? "https" : "http";
}

// The first CA file in the etcd CA mount (ca.crt preferred), empty when none.
std::string etcd_ca_pem(const Paths& paths) {
  std::error_code ec;
  if (!fs::is_directory(paths.etcd_ca_dir, ec)) return {};
  if (auto ca = read_file(paths.etcd_ca_dir / "ca.crt")) return *ca;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(paths.etcd_ca_dir, ec)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files.empty() ? std::string() : read_file(files.front()).value_or("");
}

// etcd as a child process sharing our stdout/stderr, with the default signal
// disposition and mask.
class EtcdProcess {
 public:
  EtcdProcess(const std::string& binary, const fs::path& config) {
    std::vector<std::string> args = {binary, "--config-file", config.string()};
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGTERM);
    sigaddset(&defaults, SIGINT);
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setsigdefault(&attributes, &defaults);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    const int rc = ::posix_spawn(&pid_, binary.c_str(), nullptr, &attributes, argv.data(), environ);
    posix_spawnattr_destroy(&attributes);
    if (rc != 0) {
      pid_ = -1;
      error_ = fmt::format("cannot start {}: {}", binary, std::strerror(rc));
    }
  }
  ~EtcdProcess() {
    if (running()) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
  }
  EtcdProcess(const EtcdProcess&) = delete;
  EtcdProcess& operator=(const EtcdProcess&) = delete;

  const std::string& error() const { return error_; }
  bool running() const { return pid_ > 0 && !exit_code_; }
  pid_t pid() const { return pid_; }
  void signal(int signal) const {
    if (running()) ::kill(pid_, signal);
  }
  // The exit code once etcd ended (128 + signal when killed by one).
  std::optional<int> poll() {
    if (!exit_code_ && pid_ > 0) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
    }
    return exit_code_;
  }

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
  std::string error_;
};

// Polls a linearizable read of "foo" every 2 s; ready when the last one succeeded.
class ReadinessProbe {
 public:
  explicit ReadinessProbe(etcd::ClientOptions options)
      : client_(std::move(options)), thread_([this] { run(); }) {}
  ~ReadinessProbe() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  ReadinessProbe(const ReadinessProbe&) = delete;
  ReadinessProbe& operator=(const ReadinessProbe&) = delete;

  bool ready() const { return ready_; }
  bool ever_ready() const { return ever_ready_; }

 private:
  void run() {
    std::unique_lock lock(mu_);
    while (!stop_) {
      lock.unlock();
      auto read = client_.range("foo");
      if (!read && ready_) spdlog::warn("etcd readiness check failed: {}", read.error().message);
      ready_ = static_cast<bool>(read);
      if (ready_) ever_ready_ = true;
      lock.lock();
      cv_.wait_for(lock, kReadinessPeriod, [this] { return stop_; });
    }
  }

  etcd::Client client_;
  std::atomic<bool> ready_{false}, ever_ready_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;  // last: starts once everything above exists
};

// The wrapper's own endpoints: GET /readyz, POST /stop.
class WrapperServer {
 public:
  WrapperServer(const StartEtcdFlags& flags, const ReadinessProbe& probe,
                std::atomic<bool>& stop_requested) {
    const bool tls = !flags.etcd_client_cert_path.empty() && !flags.etcd_client_key_path.empty();
    if (tls) {
      server_ = std::make_unique<httplib::SSLServer>(flags.etcd_client_cert_path.c_str(),
                                                     flags.etcd_client_key_path.c_str());
    } else {
      server_ = std::make_unique<httplib::Server>();
    }
    server_->Get("/readyz", [&probe](const httplib::Request&, httplib::Response& res) {
      const bool ready = probe.ready();
      res.status = ready ? 200 : 503;
      res.set_content(ready ? "ok" : "etcd is not ready", "text/plain");
    });
    server_->Post("/stop", [&stop_requested](const httplib::Request&, httplib::Response& res) {
      stop_requested = true;
      res.status = 200;
      res.set_content("stopping etcd", "text/plain");
    });
    if (!server_->is_valid() || !server_->bind_to_port("0.0.0.0", flags.etcd_wrapper_port)) {
      error_ = fmt::format("cannot serve on 0.0.0.0:{}", flags.etcd_wrapper_port);
      return;
    }
    spdlog::info("etcd-wrapper endpoints on {}://0.0.0.0:{}", tls ? "https" : "http",
                 flags.etcd_wrapper_port);
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    // A stop() before the listen loop runs would be lost (and join would hang).
    for (int i = 0; i < 500 && !server_->is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  ~WrapperServer() {
    server_->stop();
    if (thread_.joinable()) thread_.join();
  }
  WrapperServer(const WrapperServer&) = delete;
  WrapperServer& operator=(const WrapperServer&) = delete;

  const std::string& error() const { return error_; }

 private:
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::string error_;
};

etcd::ClientOptions local_etcd_client(const StartEtcdFlags& flags, const Paths& paths,
                                      const std::string& scheme) {
  etcd::ClientOptions options;
  // With TLS the server certificate names the etcd server name (`<etcd>-local`,
  // a hostAlias of 127.0.0.1 in the pod); without, plain loopback.
  const std::string host =
      scheme == "https" && !flags.etcd_server_name.empty() ? flags.etcd_server_name : "127.0.0.1";
  options.endpoints = {fmt::format("{}://{}:{}", scheme, host, flags.etcd_client_port)};
  options.timeout = kReadinessTimeout;
  if (scheme == "https") {
    options.tls.ca_pem = etcd_ca_pem(paths);
    options.tls.client_cert_pem = read_file(flags.etcd_client_cert_path).value_or("");
    options.tls.client_key_pem = read_file(flags.etcd_client_key_path).value_or("");
  }
  return options;
}

int run(const StartEtcdFlags& flags) {
  const Paths paths;
  BackupRestoreClient backup(flags);

  int signal = 0;
  switch (initialize_member(backup, paths, signal)) {
    case BootOutcome::kInitialized:
      break;
    case BootOutcome::kSignalled:
      spdlog::info("received {} before etcd started", strsignal(signal));
      record_signal(paths, signal);
      return 0;
    case BootOutcome::kTimedOut:
      spdlog::error("member initialization did not succeed within {}h",
                    std::chrono::duration_cast<std::chrono::hours>(kBootDeadline).count());
      return 1;
  }
  spdlog::info("member initialization successful");

  auto config = fetch_config(backup);
  if (!config) {
    spdlog::error("cannot fetch the etcd config: {}", config.error());
    return 1;
  }
  if (!write_file(paths.etcd_config(), *config)) {
    spdlog::error("cannot write {}", paths.etcd_config().string());
    return 1;
  }

  std::atomic<bool> stop_requested{false};
  ReadinessProbe probe(local_etcd_client(flags, paths, client_scheme_of(*config)));
  WrapperServer server(flags, probe, stop_requested);
  if (!server.error().empty()) {
    spdlog::error("{}", server.error());
    return 1;
  }

  EtcdProcess etcd(paths.etcd_bin, paths.etcd_config());
  if (!etcd.error().empty()) {
    spdlog::error("{}", etcd.error());
    return 1;
  }
  spdlog::info("etcd started (pid {}) with {}", etcd.pid(), paths.etcd_config().string());

  const auto started_at = std::chrono::steady_clock::now();
  bool cleaned_up = false, stopping = false, ready_timeout_reported = false;
  std::chrono::steady_clock::time_point stop_sent;
  const auto stop_etcd = [&] {
    if (stopping) return;
    etcd.signal(SIGTERM);
    stopping = true;
    stop_sent = std::chrono::steady_clock::now();
  };
  while (true) {
    if (const auto code = etcd.poll()) {
      spdlog::info("etcd exited with code {}", *code);
      return stopping ? 0 : *code;
    }
    if (!cleaned_up && probe.ever_ready()) {
      // A successful start: the next start validates fully unless we are
      // stopped cleanly again.
      std::error_code ec;
      fs::remove(paths.exit_code(), ec);
      fs::remove(paths.validation_marker(), ec);
      cleaned_up = true;
      spdlog::info("etcd is ready");
    }
    if (!cleaned_up && !ready_timeout_reported && flags.etcd_ready_timeout.count() > 0 &&
        std::chrono::steady_clock::now() - started_at > flags.etcd_ready_timeout) {
      spdlog::warn("etcd not ready within --etcd-ready-timeout");
      ready_timeout_reported = true;
    }
    if (stop_requested && !stopping) {
      spdlog::info("stop requested over HTTP; stopping etcd");
      stop_etcd();
    }
    if (stopping && std::chrono::steady_clock::now() - stop_sent > kStopGrace) {
      spdlog::warn("etcd did not stop within {}s; killing it",
                   std::chrono::duration_cast<std::chrono::seconds>(kStopGrace).count());
      etcd.signal(SIGKILL);
    }
    if (const int received = wait_for_signal(std::chrono::milliseconds(100)); received != 0) {
      spdlog::info("received {}; stopping etcd", strsignal(received));
      record_signal(paths, received);
      stop_etcd();
    }
  }
}

}  // namespace

int run_start_etcd(const std::vector<std::string>& args) {
  auto flags = wrapper::parse_start_etcd_flags(args);
  if (!flags) {
    spdlog::error("start-etcd: {}", flags.error());
    return 2;
  }
  for (const auto& unknown : flags->unknown) {
    spdlog::warn("start-etcd: ignoring unknown flag {}", unknown);
  }
  // Before any thread exists, so every thread inherits the mask.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  ::pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return run(*flags);
}

}  // namespace druid::localenv
