// `druid-member-agent start-etcd` as a process against a fake backup-restore
// sidecar (cpp-httplib) and the installed etcd: the boot handshake, /readyz,
// the exit_code file and how the process ends.

#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "etcd/client.hpp"
#include "operator/child_process.hpp"

namespace druid::localenv {
namespace {

namespace fs = std::filesystem;
using operator_::test::ChildProcess;
using operator_::test::free_port;
using operator_::test::read_text;
using operator_::test::TempDir;

// The binary: $MEMBER_AGENT_BIN, else next to this test executable.
fs::path member_agent_bin() {
  if (const char* bin = std::getenv("MEMBER_AGENT_BIN"); bin != nullptr && *bin != '\0') {
    return bin;
  }
  std::error_code ec;
  return fs::read_symlink("/proc/self/exe", ec).parent_path() / "druid-member-agent";
}

// Polls `condition` every 50 ms until it holds or `timeout` passes.
template <class F>
bool poll(F&& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return condition();
}

// backup-restore's /initialization/* and /config for one member on loopback.
// The first initialization fails (the wrapper must start over from New), the
// second succeeds after one Progress answer.
class FakeBackupServer {
 public:
  FakeBackupServer(int client_port, int peer_port, const fs::path& data_dir) {
    config_ =
        "name: member-0\n"
        "data-dir: " +
        data_dir.string() +
        "\n"
        "listen-client-urls: http://127.0.0.1:" +
        std::to_string(client_port) +
        "\n"
        "advertise-client-urls: http://127.0.0.1:" +
        std::to_string(client_port) +
        "\n"
        "listen-peer-urls: http://127.0.0.1:" +
        std::to_string(peer_port) +
        "\n"
        "initial-advertise-peer-urls: http://127.0.0.1:" +
        std::to_string(peer_port) +
        "\n"
        "initial-cluster: member-0=http://127.0.0.1:" +
        std::to_string(peer_port) +
        "\n"
        "initial-cluster-state: new\n"
        "initial-cluster-token: etcd-cluster\n"
        "enable-grpc-gateway: true\n"
        "logger: zap\n"
        "log-level: warn\n";
    server_.Get("/initialization/status", [this](const httplib::Request&, httplib::Response& res) {
      std::lock_guard lock(mu_);
      res.set_content(state_, "text/plain");
      if (state_ == "Progress") {
        state_ = starts_.size() == 1 ? "Failed" : "Successful";
      } else if (state_ == "Failed" || state_ == "Successful") {
        state_ = "New";  // one-shot, as upstream
      }
    });
    server_.Get("/initialization/start", [this](const httplib::Request& req, httplib::Response&) {
      std::lock_guard lock(mu_);
      starts_.push_back(req.get_param_value("mode"));
      if (state_ == "New") state_ = "Progress";
    });
    server_.Get("/config", [this](const httplib::Request&, httplib::Response& res) {
      config_requests_++;
      res.set_content(config_, "application/yaml");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() before the listen loop runs would be lost (and join would hang).
    poll([this] { return server_.is_running(); }, std::chrono::seconds(5));
  }
  ~FakeBackupServer() {
    server_.stop();
    thread_.join();
  }

  int port() const { return port_; }
  std::vector<std::string> starts() {
    std::lock_guard lock(mu_);
    return starts_;
  }
  int config_requests() const { return config_requests_; }

 private:
  httplib::Server server_;
  std::string config_;
  std::mutex mu_;
  std::string state_ = "New";
  std::vector<std::string> starts_;  // the mode of each /initialization/start
  std::atomic<int> config_requests_{0};
  int port_ = 0;
  std::thread thread_;
};

int readyz_status(int port) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(std::chrono::seconds(1));
  client.set_read_timeout(std::chrono::seconds(2));
  auto res = client.Get("/readyz");
  return res ? res->status : 0;
}

class StartEtcd : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists("/usr/bin/etcd")) GTEST_SKIP() << "/usr/bin/etcd is not installed";
    if (!fs::exists(member_agent_bin())) {
      GTEST_SKIP() << member_agent_bin() << " is not built (set MEMBER_AGENT_BIN)";
    }
    fs::create_directories(data_volume());
    fs::create_directories(home());
    ports_ = {free_port(), free_port(), free_port()};
    while (ports_[1] == ports_[0]) ports_[1] = free_port();
    while (ports_[2] == ports_[0] || ports_[2] == ports_[1]) ports_[2] = free_port();
    backup_ =
        std::make_unique<FakeBackupServer>(client_port(), ports_[1], data_volume() / "new.etcd");
  }

  fs::path data_volume() const { return dir_.path() / "data"; }
  fs::path home() const { return dir_.path() / "home"; }
  int client_port() const { return ports_[0]; }
  int wrapper_port() const { return ports_[2]; }

  std::unique_ptr<ChildProcess> start_agent(std::map<std::string, std::string> env = {}) {
    env["DATA_VOLUME_DIR"] = data_volume().string();
    env["HOME"] = home().string();
    const std::vector<std::string> args = {
        "start-etcd",
        "--backup-restore-host-port=127.0.0.1:" +
            std::to_string(backup_ ? backup_->port() : free_port()),
        "--etcd-server-name=etcd-main-local",
        "--backup-restore-tls-enabled=false",
        "--etcd-client-port=" + std::to_string(client_port()),
        "--etcd-wrapper-port=" + std::to_string(wrapper_port()),
        "--etcd-ready-timeout=2m",
        "--a-flag-from-the-future=1",
    };
    return std::make_unique<ChildProcess>(member_agent_bin().string(), args, env, dir_.path());
  }

  TempDir dir_;
  std::vector<int> ports_;
  std::unique_ptr<FakeBackupServer> backup_;
};

TEST_F(StartEtcd, BootsEtcdServesReadyzAndRecordsSigterm) {
  // A previous clean stop: the wrapper asks for sanity validation only.
  std::ofstream(data_volume() / "exit_code") << "terminated";
  std::ofstream(data_volume() / "validation_marker") << "";

  auto agent = start_agent();
  ASSERT_TRUE(poll([&] { return readyz_status(wrapper_port()) == 200; }, std::chrono::seconds(60)))
      << agent->stdout_text() << agent->stderr_text();

  // Initialization failed once and was started again from New.
  EXPECT_EQ(backup_->starts(), (std::vector<std::string>{"sanity", "sanity"}));
  EXPECT_GE(backup_->config_requests(), 1);
  EXPECT_TRUE(fs::exists(home() / "etcd.conf.yaml"));
  EXPECT_TRUE(
      poll([&] { return !fs::exists(data_volume() / "exit_code"); }, std::chrono::seconds(10)));
  EXPECT_FALSE(fs::exists(data_volume() / "validation_marker"));
  const auto output = agent->stdout_text() + agent->stderr_text();
  EXPECT_NE(output.find("ignoring unknown flag --a-flag-from-the-future=1"), std::string::npos)
      << output;

  etcd::ClientOptions options;
  options.endpoints = {"http://127.0.0.1:" + std::to_string(client_port())};
  etcd::Client client(options);
  auto put = client.put("written-through", "the agent's etcd");
  ASSERT_TRUE(put) << put.error().message;
  auto read = client.range("written-through");
  ASSERT_TRUE(read) << read.error().message;
  ASSERT_EQ(read->kvs.size(), 1u);
  EXPECT_EQ(read->kvs[0].value, "the agent's etcd");

  agent->signal(SIGTERM);
  const auto code = agent->wait(std::chrono::seconds(30));
  ASSERT_TRUE(code) << "start-etcd did not exit after SIGTERM";
  EXPECT_EQ(*code, 0);
  EXPECT_EQ(read_text(data_volume() / "exit_code"), "terminated");
  options.timeout = std::chrono::milliseconds(500);
  EXPECT_FALSE(etcd::Client(options).status()) << "etcd still answers after the agent exited";
}

TEST_F(StartEtcd, WithoutExitCodeAsksForFullValidationAndStopsOnPostStop) {
  auto agent = start_agent();
  ASSERT_TRUE(poll([&] { return readyz_status(wrapper_port()) == 200; }, std::chrono::seconds(60)))
      << agent->stdout_text() << agent->stderr_text();
  EXPECT_EQ(backup_->starts(), (std::vector<std::string>{"full", "full"}));

  httplib::Client client("127.0.0.1", wrapper_port());
  auto res = client.Post("/stop");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  const auto code = agent->wait(std::chrono::seconds(30));
  ASSERT_TRUE(code) << "start-etcd did not exit after POST /stop";
  EXPECT_EQ(*code, 0);
  EXPECT_FALSE(fs::exists(data_volume() / "exit_code"));
}

TEST_F(StartEtcd, EtcdExitingByItselfEndsTheAgentWithItsCode) {
  auto agent = start_agent({{"ETCD_BIN", "/bin/false"}});
  const auto code = agent->wait(std::chrono::seconds(30));
  ASSERT_TRUE(code) << agent->stdout_text() << agent->stderr_text();
  EXPECT_EQ(*code, 1);
}

TEST_F(StartEtcd, SigintBeforeInitializationRecordsInterrupt) {
  // Nothing answers on the backup port: the boot loop keeps polling.
  backup_.reset();
  auto agent = start_agent();
  EXPECT_TRUE(poll(
      [&] {
        return agent->stderr_text().find("initialization status") != std::string::npos ||
               agent->stdout_text().find("initialization status") != std::string::npos;
      },
      std::chrono::seconds(10)));
  agent->signal(SIGINT);
  const auto code = agent->wait(std::chrono::seconds(10));
  ASSERT_TRUE(code);
  EXPECT_EQ(*code, 0);
  EXPECT_EQ(read_text(data_volume() / "exit_code"), "interrupt");
}

TEST(MemberAgentCommandLine, UnknownCommandAndBadFlagsAreUsageErrors) {
  if (!fs::exists(member_agent_bin())) GTEST_SKIP() << member_agent_bin() << " is not built";
  TempDir dir;
  for (const auto& args : std::vector<std::vector<std::string>>{
           {},
           {"bogus"},
           {"start-etcd", "--etcd-client-port=abc"},
           {"start-etcd", "--backup-restore-host-port=http://x:8080"},
           {"start-etcd", "--backup-restore-tls-enabled=true"},  // no CA bundle
       }) {
    ChildProcess agent(member_agent_bin().string(), args, {}, dir.path());
    EXPECT_EQ(agent.wait(std::chrono::seconds(10)), 2) << ::testing::PrintToString(args);
  }
}

}  // namespace
}  // namespace druid::localenv
