#include "kube/exec_credential.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <spawn.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <nlohmann/json.hpp>
#include <vector>

#include "util/base64.hpp"
#include "util/text.hpp"

extern char** environ;  // NOLINT: POSIX

namespace druid::kube {
namespace {

using nlohmann::json;
using util::unexpected;

// How much of a failing plugin's stderr goes into the error.
constexpr std::size_t kStderrExcerpt = 1024;

struct ProcessResult {
  int exit_code = 0;  // valid unless killed_by_signal
  int signal = 0;     // non-zero: killed by this signal
  std::string out, err;
};

// Closes a descriptor once.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

// The process environment with `overrides` replacing or adding variables;
// client-go appends the plugin's env to os.Environ() and Go's exec keeps the
// last value of a repeated name, which this reproduces.
std::vector<std::string> plugin_environment(
    const std::vector<std::pair<std::string, std::string>>& overrides) {
  std::vector<std::string> out;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    std::string_view name = entry.substr(0, entry.find('='));
    bool replaced = false;
    for (const auto& [n, v] : overrides) replaced = replaced || n == name;
    if (!replaced) out.emplace_back(entry);
  }
  for (const auto& variable : overrides) {
    std::string prefix = variable.first;
    prefix += '=';
    // A name given twice: the last one counts.
    std::erase_if(out, [&](const std::string& e) { return e.starts_with(prefix); });
    out.push_back(prefix + variable.second);
  }
  return out;
}

// Runs `argv` without a shell: stdin from /dev/null (a plugin never gets a
// terminal here), stdout and stderr captured. A command containing '/' is a
// path; anything else is looked up in $PATH. Returns errno when it cannot start.
util::Expected<ProcessResult, int> run_process(const std::vector<std::string>& argv,
                                               const std::vector<std::string>& envp) {
  std::array<int, 2> out_pipe{};
  std::array<int, 2> err_pipe{};
  if (::pipe2(out_pipe.data(), O_CLOEXEC) != 0) return unexpected(errno);
  Fd out_read(out_pipe[0]);
  Fd out_write(out_pipe[1]);
  if (::pipe2(err_pipe.data(), O_CLOEXEC) != 0) return unexpected(errno);
  Fd err_read(err_pipe[0]);
  Fd err_write(err_pipe[1]);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_write.get(), 1);
  posix_spawn_file_actions_adddup2(&actions, err_write.get(), 2);
  // The operator's threads block signals; the plugin starts with none blocked
  // and default dispositions.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigset_t all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<char*> env;
  env.reserve(envp.size() + 1);
  for (const auto& e : envp) env.push_back(const_cast<char*>(e.c_str()));
  env.push_back(nullptr);

  pid_t pid = 0;
  const bool is_path = argv[0].find('/') != std::string::npos;
  const int rc = is_path ? ::posix_spawn(&pid, args[0], &actions, &attr, args.data(), env.data())
                         : ::posix_spawnp(&pid, args[0], &actions, &attr, args.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  out_write.reset();
  err_write.reset();
  if (rc != 0) return unexpected(rc);

  // Both pipes are drained together so a plugin that writes much to stderr
  // cannot block on a full pipe while we wait for stdout.
  ProcessResult result;
  std::array<pollfd, 2> fds{pollfd{out_read.get(), POLLIN, 0}, pollfd{err_read.get(), POLLIN, 0}};
  std::array<std::string*, 2> sinks{&result.out, &result.err};
  int open_fds = 2;
  std::array<char, 4096> buffer{};
  while (open_fds > 0) {
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      const ssize_t n = ::read(fds[i].fd, buffer.data(), buffer.size());
      if (n > 0) {
        sinks[i]->append(buffer.data(), static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        fds[i].fd = -1;  // EOF (closed by the Fd objects)
        --open_fds;
      }
    }
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status)) {
    result.signal = WTERMSIG(status);
  } else {
    result.exit_code = WEXITSTATUS(status);
  }
  return result;
}

std::string excerpt(std::string_view text) {
  text = util::trim_go_space(text);
  if (text.size() <= kStderrExcerpt) return std::string(text);
  return std::string(text.substr(0, kStderrExcerpt)) + "...";
}

// A string field of status; absent and null read as "".
util::Expected<std::string, std::string> status_string(const json& status, const char* key) {
  auto it = status.find(key);
  if (it == status.end() || it->is_null()) return std::string();
  if (!it->is_string())
    return unexpected(fmt::format("status.{} must be a string, got {}", key, it->dump()));
  return it->get<std::string>();
}

}  // namespace

std::string exec_info_json(const ExecConfig& config, const ExecClusterInfo& cluster) {
  // Field order and omitempty as client-go's clientauthentication v1/v1beta1 types.
  nlohmann::ordered_json spec = nlohmann::ordered_json::object();
  if (config.provide_cluster_info) {
    nlohmann::ordered_json c = nlohmann::ordered_json::object();
    c["server"] = cluster.server;
    if (cluster.insecure_skip_tls_verify) c["insecure-skip-tls-verify"] = true;
    if (!cluster.ca_pem.empty())
      c["certificate-authority-data"] = util::base64_encode(cluster.ca_pem);
    spec["cluster"] = std::move(c);
  }
  spec["interactive"] = false;
  nlohmann::ordered_json credential = nlohmann::ordered_json::object();
  credential["kind"] = "ExecCredential";
  credential["apiVersion"] = config.api_version;
  credential["spec"] = std::move(spec);
  return credential.dump();
}

util::Expected<ExecCredential, std::string> parse_exec_credential(std::string_view output,
                                                                  std::string_view api_version) {
  auto parsed = json::parse(output, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object())
    return unexpected(
        fmt::format("output is not an ExecCredential JSON object: \"{}\"", excerpt(output)));
  // The same checks, in the same order, as client-go's refreshCredsLocked.
  const std::string got_version = parsed.value("apiVersion", json()).is_string()
                                      ? parsed["apiVersion"].get<std::string>()
                                      : std::string();
  if (got_version != api_version)
    return unexpected(
        fmt::format(R"(returned apiVersion "{}", expected "{}")", got_version, api_version));
  const std::string kind =
      parsed.value("kind", json()).is_string() ? parsed["kind"].get<std::string>() : std::string();
  if (kind != "ExecCredential")
    return unexpected(fmt::format(R"(returned kind "{}", expected "ExecCredential")", kind));
  auto status = parsed.find("status");
  if (status == parsed.end() || status->is_null())
    return unexpected(std::string("returned no status"));
  if (!status->is_object())
    return unexpected(fmt::format("status must be an object, got {}", status->dump()));

  ExecCredential credential;
  auto token = status_string(*status, "token");
  if (!token) return unexpected(token.error());
  auto cert = status_string(*status, "clientCertificateData");
  if (!cert) return unexpected(cert.error());
  auto key = status_string(*status, "clientKeyData");
  if (!key) return unexpected(key.error());
  credential.token = std::move(token).value();
  credential.client_cert_pem = std::move(cert).value();
  credential.client_key_pem = std::move(key).value();
  if (credential.token.empty() && credential.client_cert_pem.empty() &&
      credential.client_key_pem.empty())
    return unexpected(std::string(
        "returned neither status.token nor status.clientCertificateData and status.clientKeyData"));
  if (credential.client_cert_pem.empty() != credential.client_key_pem.empty())
    return unexpected(std::string(
        "returned only one of status.clientCertificateData and status.clientKeyData, not both"));
  auto expiration = status_string(*status, "expirationTimestamp");
  if (!expiration) return unexpected(expiration.error());
  if (!expiration->empty()) {
    auto at = util::parse_rfc3339(*expiration);
    if (!at) return unexpected(fmt::format("status.expirationTimestamp: {}", at.error().message()));
    credential.expiration = *at;
  }
  return credential;
}

ExecCredentialSource::ExecCredentialSource(ExecConfig config, ExecClusterInfo cluster,
                                           const Clock& clock)
    : config_(std::move(config)), cluster_(std::move(cluster)), clock_(clock) {}

util::Expected<ExecCredentialSource::Credential, std::string> ExecCredentialSource::get() {
  std::lock_guard lock(mu_);
  // No expiration: valid until a 401 says otherwise (client-go's isValid).
  if (cached_ && (!cached_->expiration || clock_.wall_now() < *cached_->expiration)) return cached_;
  return run_locked();
}

util::Expected<ExecCredentialSource::Credential, std::string>
ExecCredentialSource::refresh_after_unauthorized(const Credential& used) {
  std::lock_guard lock(mu_);
  // client-go's maybeRefreshCreds: refresh only if the refused credential is
  // still the current one, so N concurrent 401s run the plugin once.
  if (cached_ && cached_ != used) return cached_;
  return run_locked();
}

util::Expected<ExecCredentialSource::Credential, std::string> ExecCredentialSource::run_locked() {
  std::vector<std::string> argv{config_.command};
  argv.insert(argv.end(), config_.args.begin(), config_.args.end());
  auto env_overrides = config_.env;
  // client-go sets KUBERNETES_EXEC_INFO for every plugin; spec.cluster only
  // with provideClusterInfo.
  env_overrides.emplace_back("KUBERNETES_EXEC_INFO", exec_info_json(config_, cluster_));

  const std::string what = fmt::format("{}: exec plugin \"{}\"", config_.origin, config_.command);
  auto result = run_process(argv, plugin_environment(env_overrides));
  if (!result) {
    std::string message;
    if (result.error() == ENOENT) {
      message = config_.command.find('/') != std::string::npos
                    ? fmt::format("{}: no such file", what)
                    : fmt::format("{}: executable not found in $PATH", what);
    } else {
      message = fmt::format("{}: cannot run: {}", what, std::strerror(result.error()));
    }
    if (!config_.install_hint.empty())
      message += fmt::format(" ({})", util::trim_go_space(config_.install_hint));
    return unexpected(std::move(message));
  }
  if (result->signal != 0)
    return unexpected(fmt::format("{} was killed by signal {}; stderr: \"{}\"", what,
                                  result->signal, excerpt(result->err)));
  if (result->exit_code != 0)
    return unexpected(fmt::format("{} failed with exit code {}; stderr: \"{}\"", what,
                                  result->exit_code, excerpt(result->err)));
  if (!result->err.empty()) spdlog::debug("{} wrote to stderr: {}", what, excerpt(result->err));
  auto credential = parse_exec_credential(result->out, config_.api_version);
  if (!credential) return unexpected(fmt::format("{}: {}", what, credential.error()));
  cached_ = std::make_shared<const ExecCredential>(std::move(credential).value());
  return cached_;
}

}  // namespace druid::kube
