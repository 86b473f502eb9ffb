// The etcd-druid binary's start-up as a user meets it: --version, and every
// start-up error ends the process with a non-zero code and one line naming
// the file, flag or field at fault. None of these needs an API server: each
// fails before the operator would connect.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "operator/child_process.hpp"

namespace druid::operator_::test {
namespace {

constexpr const char* kBinary = ETCD_DRUID_BIN;

struct ProcessOutput {
  std::optional<int> exit_code;
  std::string out;
  std::string err;
};

class BinaryStartupTest : public ::testing::Test {
 protected:
  ProcessOutput run(const std::vector<std::string>& args,
                    const std::map<std::string, std::string>& env = {}) {
    ChildProcess process(kBinary, args, env, dir_.path());
    ProcessOutput outcome;
    outcome.exit_code = process.wait(std::chrono::seconds(20));
    outcome.out = process.stdout_text();
    outcome.err = process.stderr_text();
    return outcome;
  }

  // A configuration file with `body` after the type header.
  std::string config(const std::string& body) {
    return dir_
        .write("config-" + std::to_string(++files_) + ".yaml",
               "apiVersion: config.druid.gardener.cloud/v1alpha1\n"
               "kind: OperatorConfiguration\n" +
                   body)
        .string();
  }

  // The start-up error: the last line on stderr, "etcd-druid: ...", and the
  // only one that is not a JSON log record (the log may have started).
  static std::string error_line(const ProcessOutput& outcome) {
    const auto lines = lines_of(outcome.err);
    EXPECT_FALSE(lines.empty());
    if (lines.empty()) return {};
    for (std::size_t i = 0; i + 1 < lines.size(); ++i) {
      EXPECT_TRUE(nlohmann::json::accept(lines[i])) << lines[i];
    }
    EXPECT_EQ(lines.back().rfind("etcd-druid: ", 0), 0u) << lines.back();
    return lines.back();
  }

  TempDir dir_;
  int files_ = 0;
};

TEST_F(BinaryStartupTest, VersionPrintsTheVersionAndExitsZero) {
  const auto outcome = run({"--version"});
  EXPECT_EQ(outcome.exit_code, 0);
  EXPECT_TRUE(std::regex_match(outcome.out, std::regex("etcd-druid v[0-9]+\\.[0-9]+\\.[0-9]+\n")))
      << outcome.out;
  EXPECT_EQ(outcome.err, "");
}

TEST_F(BinaryStartupTest, HelpListsTheFlagsAndExitsZero) {
  const auto outcome = run({"--help"});
  EXPECT_EQ(outcome.exit_code, 0);
  for (const char* flag : {"--config", "--kubeconfig", "--health-probe-port", "--etcd-workers",
                           "--enable-etcd-spec-auto-reconcile", "--feature-gates"}) {
    EXPECT_NE(outcome.out.find(flag), std::string::npos) << flag;
  }
}

TEST_F(BinaryStartupTest, FeatureGatesFlagAppliesNextToConfig) {
  // Merged over the file's featureGates (not ignored like the other deprecated
  // flags), so an unknown gate given this way stops the start as well.
  const auto outcome = run({"--config", config("featureGates:\n  UpgradeEtcdVersion: true\n"),
                            "--feature-gates=Teleport=true"});
  EXPECT_EQ(outcome.exit_code, 1);
  EXPECT_NE(error_line(outcome).find("and --feature-gates: unrecognized feature gate: Teleport"),
            std::string::npos)
      << error_line(outcome);
}

TEST_F(BinaryStartupTest, InvalidYamlNamesTheFile) {
  const auto path = dir_.write("broken.yaml", "apiVersion: [unclosed\n").string();
  const auto outcome = run({"--config", path});
  EXPECT_EQ(outcome.exit_code, 1);
  const auto line = error_line(outcome);
  EXPECT_NE(line.find("invalid configuration file " + path), std::string::npos) << line;
  EXPECT_NE(line.find("error converting YAML to JSON"), std::string::npos) << line;
}

TEST_F(BinaryStartupTest, MissingConfigFileNamesThePath) {
  const auto path = (dir_.path() / "absent.yaml").string();
  const auto outcome = run({"--config=" + path});
  EXPECT_EQ(outcome.exit_code, 1);
  EXPECT_NE(error_line(outcome).find("cannot read configuration file " + path + ": No such file"),
            std::string::npos);
}

TEST_F(BinaryStartupTest, ValidationErrorNamesTheField) {
  const auto path = config("controllers:\n  etcd:\n    concurrentSyncs: 0\n");
  const auto outcome = run({"--config", path});
  EXPECT_EQ(outcome.exit_code, 1);
  const auto line = error_line(outcome);
  EXPECT_NE(line.find(path), std::string::npos) << line;
  EXPECT_NE(line.find("controllers.etcd.concurrentSyncs: Invalid value: 0"), std::string::npos)
      << line;
}

// A table of malformed OperatorConfigurations: each is a start-up error (exit code 1) whose line
// names the file and the field at fault; none starts the operator.
TEST_F(BinaryStartupTest, EveryMalformedConfigurationNamesItsField) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"clientConnection:\n  qps: fast\n", "clientConnection.qps"},
      {"clientConnection:\n  burst: -1\n", "clientConnection.burst: Invalid value: -1"},
      {"leaderElection:\n  enabled: true\n  leaseDuration: 10s\n  renewDeadline: 15s\n",
       "leaderElection.leaseDuration: Invalid value: \"10s\": must be greater than "
       "leaderElection.renewDeadline"},
      {"leaderElection:\n  enabled: true\n  retryPeriod: often\n", "leaderElection.retryPeriod"},
      {"leaderElection:\n  enabled: true\n  renewDeadline: -10s\n",
       "leaderElection.renewDeadline: Invalid value: \"-10s\""},
      {"controllers:\n  etcd:\n    etcdStatusSyncPeriod: -15s\n",
       "controllers.etcd.etcdStatusSyncPeriod: Invalid value: \"-15s\""},
      {"controllers:\n  etcd:\n    etcdMember:\n      notReadyThreshold: -5m\n",
       "controllers.etcd.etcdMember.notReadyThreshold"},
      {"controllers:\n  compaction:\n    enabled: true\n    eventsThreshold: -5\n",
       "controllers.compaction.eventsThreshold: Invalid value: -5"},
      {"controllers:\n  secret:\n    concurrentSyncs: -2\n",
       "controllers.secret.concurrentSyncs: Invalid value: -2"},
      {"controllers:\n  etcdOpsTask:\n    requeueInterval: later\n",
       "controllers.etcdOpsTask.requeueInterval"},
      {"controllers:\n  etcdCopyBackupsTask:\n    enabled: true\n    concurrentSyncs: -1\n",
       "controllers.etcdCopyBackupsTask.concurrentSyncs: Invalid value: -1"},
      {"logging:\n  logFormat: xml\n", "log.logFormat: Unsupported value: \"xml\""},
      {"controllers: [1, 2]\n", "controllers"},
  };
  for (const auto& [body, field] : cases) {
    const auto path = config(body);
    const auto outcome = run({"--config", path});
    EXPECT_EQ(outcome.exit_code, 1) << body;
    const auto line = error_line(outcome);
    EXPECT_NE(line.find(path), std::string::npos) << body << "\n" << line;
    EXPECT_NE(line.find(field), std::string::npos) << body << "\n" << line;
  }
}

TEST_F(BinaryStartupTest, TypeErrorNamesTheField) {
  const auto path = config("server:\n  metrics:\n    port: eighty\n");
  const auto outcome = run({"--config", path});
  EXPECT_EQ(outcome.exit_code, 1);
  EXPECT_NE(error_line(outcome).find("server.metrics.port"), std::string::npos);
}

TEST_F(BinaryStartupTest, UnknownKeysAreIgnoredButLoggingValuesAreValidated) {
  // Non-strict decoding: `logConfiguration` (the chart's key) is dropped; the
  // bad level under `logging` is reported under upstream's `log.*` path.
  const auto path = config("logConfiguration: {logLevel: chatty}\nlogging:\n  logLevel: chatty\n");
  const auto outcome = run({"--config", path});
  EXPECT_EQ(outcome.exit_code, 1);
  const auto line = error_line(outcome);
  EXPECT_NE(line.find("log.logLevel"), std::string::npos) << line;
  EXPECT_EQ(line.find("logConfiguration"), std::string::npos) << line;
}

TEST_F(BinaryStartupTest, UnknownFeatureGateIsAStartupError) {
  const auto outcome = run({"--config", config("featureGates:\n  Teleport: true\n")});
  EXPECT_EQ(outcome.exit_code, 1);
  EXPECT_NE(error_line(outcome).find("unrecognized feature gate: Teleport"), std::string::npos);
}

TEST_F(BinaryStartupTest, ChangingALockedFeatureGateIsAStartupError) {
  const auto outcome = run({"--feature-gates", "UseEtcdWrapper=false"});
  EXPECT_EQ(outcome.exit_code, 1);
  EXPECT_NE(error_line(outcome).find(
                "cannot set feature gate UseEtcdWrapper to false, feature is locked to true"),
            std::string::npos);
}

TEST_F(BinaryStartupTest, DeprecatedFlagsAreValidatedWithoutConfig) {
  const auto outcome = run({"--etcd-workers=0"});
  EXPECT_EQ(outcome.exit_code, 1);
  const auto line = error_line(outcome);
  EXPECT_NE(line.find("command-line flags"), std::string::npos) << line;
  EXPECT_NE(line.find("controllers.etcd.concurrentSyncs"), std::string::npos) << line;
}

TEST_F(BinaryStartupTest, MalformedFlagValueNamesTheFlag) {
  const auto outcome = run({"--etcd-status-sync-period=soon"});
  EXPECT_EQ(outcome.exit_code, 2);
  EXPECT_NE(
      error_line(outcome).find("invalid argument \"soon\" for \"--etcd-status-sync-period\" flag"),
      std::string::npos);
}

TEST_F(BinaryStartupTest, UnreadableImageVectorOverwriteNamesThePath) {
  const auto path = (dir_.path() / "no-such-images.yaml").string();
  const auto outcome = run({}, {{"IMAGEVECTOR_OVERWRITE", path}});
  EXPECT_EQ(outcome.exit_code, 1);
  const auto line = error_line(outcome);
  EXPECT_NE(line.find("image vector"), std::string::npos) << line;
  EXPECT_NE(line.find(path), std::string::npos) << line;
}

TEST_F(BinaryStartupTest, InvalidImageVectorOverwriteNamesThePathAndEntry) {
  const auto path = dir_.write("images.yaml", "images:\n- name: etcd-wrapper\n").string();
  const auto outcome = run({}, {{"IMAGEVECTOR_OVERWRITE", path}});
  EXPECT_EQ(outcome.exit_code, 1);
  const auto line = error_line(outcome);
  EXPECT_NE(line.find(path), std::string::npos) << line;
  EXPECT_NE(line.find("images[0]"), std::string::npos) << line;
}

TEST_F(BinaryStartupTest, WebhookWithoutCertificatesNamesTheMissingFile) {
  const auto cert_dir = (dir_.path() / "no-certs").string();
  const auto outcome =
      run({"--config", config("server:\n  webhooks:\n    serverCertDir: " + cert_dir +
                              "\nwebhooks:\n  etcdComponentProtection:\n    enabled: true\n"
                              "    serviceAccountInfo: {name: etcd-druid, namespace: default}\n")});
  EXPECT_EQ(outcome.exit_code, 1);
  const auto line = error_line(outcome);
  EXPECT_NE(line.find(cert_dir + "/tls.crt"), std::string::npos) << line;
}

TEST_F(BinaryStartupTest, WebhookWithoutReconcilerIdentityIsRejected) {
  const auto outcome = run({"--enable-etcd-components-webhook"});
  EXPECT_EQ(outcome.exit_code, 1);
  EXPECT_NE(error_line(outcome).find(
                "either reconcilerServiceAccountFQDN or serviceAccountInfo must be set"),
            std::string::npos);
}

TEST_F(BinaryStartupTest, NoReachableClusterNamesWhatWasTried) {
  const auto outcome = run({"--kubeconfig", (dir_.path() / "missing-kubeconfig").string()});
  EXPECT_EQ(outcome.exit_code, 1);
  const auto line = error_line(outcome);
  EXPECT_NE(line.find("cannot find the API server"), std::string::npos) << line;
  EXPECT_NE(line.find("missing-kubeconfig"), std::string::npos) << line;
}

// A kubeconfig naming a closed port: the client connects lazily, so the
// process gets as far as its servers without an API server.
std::string unreachable_kubeconfig(TempDir& dir) {
  return dir
      .write("kubeconfig", R"(apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}
users:
- name: u
  user: {token: t}
contexts:
- name: x
  context: {cluster: c, user: u}
current-context: x
)")
      .string();
}

// A listening socket on a free port, closed on destruction. With `share`, it
// sets SO_REUSEPORT as httplib's default does, so a process that also sets it
// could bind the same port.
class HeldPort {
 public:
  explicit HeldPort(bool share) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    int yes = 1;
    if (share) ::setsockopt(fd_, SOL_SOCKET, SO_REUSEPORT, &yes, sizeof(yes));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_ANY);
    bound_ = ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
             ::listen(fd_, 1) == 0;
    socklen_t length = sizeof(address);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
  }
  ~HeldPort() { ::close(fd_); }
  HeldPort(const HeldPort&) = delete;
  HeldPort& operator=(const HeldPort&) = delete;
  bool bound() const { return bound_; }
  int port() const { return port_; }

 private:
  int fd_;
  bool bound_ = false;
  int port_ = 0;
};

TEST_F(BinaryStartupTest, TakenMetricsPortIsAStartupError) {
  const HeldPort taken(/*share=*/false);
  ASSERT_TRUE(taken.bound());
  const auto outcome = run({"--kubeconfig", unreachable_kubeconfig(dir_), "--metrics-port",
                            std::to_string(taken.port()), "--health-probe-port", "0"});
  EXPECT_EQ(outcome.exit_code, 1);
  EXPECT_NE(error_line(outcome).find("metrics server: cannot listen on 0.0.0.0:" +
                                     std::to_string(taken.port())),
            std::string::npos);
}

// A second operator (or anything) holding the port with SO_REUSEPORT must not
// let this one share it: two `make run`s would split each other's scrapes and
// probes without a word (issue 15).
TEST_F(BinaryStartupTest, PortsHeldForSharingAreNotShared) {
  const HeldPort metrics(/*share=*/true);
  ASSERT_TRUE(metrics.bound());
  const auto on_metrics = run({"--kubeconfig", unreachable_kubeconfig(dir_), "--metrics-port",
                               std::to_string(metrics.port()), "--health-probe-port", "0"});
  EXPECT_EQ(on_metrics.exit_code, 1);
  EXPECT_NE(error_line(on_metrics)
                .find("metrics server: cannot listen on 0.0.0.0:" + std::to_string(metrics.port())),
            std::string::npos)
      << on_metrics.err;

  const HeldPort probes(/*share=*/true);
  ASSERT_TRUE(probes.bound());
  const auto on_probes = run({"--kubeconfig", unreachable_kubeconfig(dir_), "--metrics-port", "0",
                              "--health-probe-port", std::to_string(probes.port())});
  EXPECT_EQ(on_probes.exit_code, 1);
  EXPECT_NE(error_line(on_probes).find(":" + std::to_string(probes.port())), std::string::npos)
      << on_probes.err;
}

TEST_F(BinaryStartupTest, PrintConfigShowsWhatTheFlagsAmountTo) {
  const auto outcome = run({"--print-config", "--etcd-workers=7",
                            "--enable-etcd-spec-auto-reconcile", "--metrics-port=9999"});
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_EQ(outcome.err, "");
  // The output is a configuration file etcd-druid accepts and reads back the same.
  const auto path = dir_.write("printed.yaml", outcome.out).string();
  const auto again = run({"--print-config", "--config", path});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out, outcome.out);
  for (const char* line : {"concurrentSyncs: 7", "enableEtcdSpecAutoReconcile: true", "port: 9999",
                           "kind: OperatorConfiguration"}) {
    EXPECT_NE(outcome.out.find(line), std::string::npos) << line << "\n" << outcome.out;
  }
}

TEST_F(BinaryStartupTest, PrintConfigSaysOnStderrWhatIsIgnored) {
  const auto outcome =
      run({"--print-config", "--config", config("controllers:\n  etcd:\n    concurrentSyncs: 2\n"),
           "--etcd-workers=7", "--enable-etcd-spec-auto-reconcile", "--no-such-flag"});
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_NE(outcome.out.find("concurrentSyncs: 2"), std::string::npos) << outcome.out;
  EXPECT_EQ(outcome.out.find("enableEtcdSpecAutoReconcile: true"), std::string::npos)
      << outcome.out;
  EXPECT_NE(outcome.err.find("etcd-druid: Deprecated flags are ignored because --config is set: "
                             "--etcd-workers, --enable-etcd-spec-auto-reconcile"),
            std::string::npos)
      << outcome.err;
  EXPECT_NE(outcome.err.find("etcd-druid: Ignoring unknown command-line argument: --no-such-flag"),
            std::string::npos)
      << outcome.err;
}

TEST_F(BinaryStartupTest, PrintConfigRefusesAnInvalidConfiguration) {
  const auto outcome = run({"--print-config", "--etcd-workers=0"});
  EXPECT_EQ(outcome.exit_code, 1);
  EXPECT_EQ(outcome.out, "");
  EXPECT_NE(error_line(outcome).find("concurrentSyncs"), std::string::npos) << outcome.err;
}

}  // namespace
}  // namespace druid::operator_::test
