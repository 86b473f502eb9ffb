// Watches share one HTTP/2 connection where the API server offers h2 (as kube-apiserver does),
// and fall back to one HTTP/1.1 connection each where it does not. The test API server speaks
// HTTP/1.1 only; for HTTP/2 it sits behind nghttpx (Debian's nghttp2-proxy), an HTTP/2 TLS front
// end that forwards each stream to it. Connections are counted in /proc/net/tcp: established
// sockets whose peer is the port the client was given.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "apiserver/tls.hpp"
#include "kube/client.hpp"
#include "kube/resource.hpp"
#include "operator/child_process.hpp"
#include "support/eventually.hpp"
#include "support/live_server.hpp"

namespace druid::kube {
namespace {

using namespace std::chrono_literals;
using operator_::test::ChildProcess;
using operator_::test::free_port;
using operator_::test::read_text;
using operator_::test::TempDir;

// Established TCP connections (IPv4) from any local socket to 127.0.0.1:`port`.
int established_connections_to(int port) {
  std::ifstream table("/proc/net/tcp");
  std::string line;
  std::getline(table, line);  // header
  int count = 0;
  while (std::getline(table, line)) {
    std::istringstream fields(line);
    std::string slot, local, remote, state;
    fields >> slot >> local >> remote >> state;
    const auto colon = remote.find(':');
    if (colon == std::string::npos || state != "01") continue;
    if (std::stoi(remote.substr(colon + 1), nullptr, 16) == port) ++count;
  }
  return count;
}

std::string url_port(const std::string& url) {
  return url.substr(url.rfind(':') + 1);
}

// nghttpx in front of the test API server: HTTP/2 over TLS to clients, the server as its
// TLS backend.
class Http2Front {
 public:
  Http2Front(const std::string& backend_url, const std::filesystem::path& dir)
      : port_(free_port()),
        credentials_(druid::testing::generate_tls_credentials({"localhost"}, {"127.0.0.1"})) {
    const auto key = dir / "front.key";
    const auto cert = dir / "front.crt";
    std::ofstream(key) << credentials_.key_pem;
    std::ofstream(cert) << credentials_.cert_pem;
    process_ = std::make_unique<ChildProcess>(
        binary(),
        std::vector<std::string>{
            // Not Debian's /etc/nghttpx/nghttpx.conf: it adds a front end on port 3000 (where
            // another test's server may listen, and then nghttpx exits) and logs to syslog.
            "--conf=/dev/null", "--errorlog-file=/dev/stderr",
            "--frontend=127.0.0.1," + std::to_string(port_),
            "--backend=127.0.0.1," + url_port(backend_url) + ";;tls",
            "--insecure",  // the backend's certificate is the test server's own
            "--workers=1", "--backend-read-timeout=1h", "--frontend-read-timeout=1h", "--no-ocsp",
            key.string(), cert.string()},
        std::map<std::string, std::string>{}, dir);
  }
  ~Http2Front() {
    if (process_) {
      process_->signal(SIGTERM);
      process_->wait(10s);
    }
  }

  static std::string binary() {
    for (const char* path : {"/usr/sbin/nghttpx", "/usr/bin/nghttpx"}) {
      if (std::filesystem::exists(path)) return path;
    }
    return {};
  }

  int port() const { return port_; }
  const std::string& ca_pem() const { return credentials_.ca_pem; }
  std::string log() const { return process_->stderr_text(); }
  // Accepts connections (it was just started).
  bool ready() const {
    return test::eventually(
        [&] {
          const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
          sockaddr_in address{};
          address.sin_family = AF_INET;
          address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
          address.sin_port = htons(static_cast<std::uint16_t>(port_));
          const bool connected =
              ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
          ::close(fd);
          return connected;
        },
        10s);
  }

 private:
  int port_;
  druid::testing::TlsCredentials credentials_;
  std::unique_ptr<ChildProcess> process_;
};

// Watches of several types through one client, each counting its events.
class Watches {
 public:
  Watches(Client& client, const std::vector<const util::ResourceType*>& types) {
    for (const auto* type : types) {
      auto& watch = watches_.emplace_back(std::make_unique<Watch>());
      watch->thread = std::thread([&client, type, w = watch.get(), this] {
        w->end = client.watch(
            *type, "default", {},
            [w](const WatchEvent&) {
              ++w->events;
              return true;
            },
            &stop_);
      });
    }
  }
  ~Watches() { stop(); }

  bool every_one_saw_an_event() const {
    for (const auto& w : watches_) {
      if (w->events.load() == 0) return false;
    }
    return true;
  }
  // Stops them; each ended as asked (not with an error).
  bool stop() {
    stop_ = true;
    bool clean = true;
    for (auto& w : watches_) {
      if (w->thread.joinable()) w->thread.join();
      if (!w->end || *w->end != WatchEnd::kStopRequested) clean = false;
    }
    return clean;
  }

 private:
  struct Watch {
    std::atomic<int> events{0};
    std::thread thread;
    ApiResult<WatchEnd> end = WatchEnd::kServerClosed;
  };
  std::atomic<bool> stop_{false};
  std::vector<std::unique_ptr<Watch>> watches_;
};

const std::vector<const util::ResourceType*> kWatchedTypes = {
    &resources::kConfigMaps, &resources::kSecrets,         &resources::kServices,
    &resources::kLeases,     &resources::kServiceAccounts, &resources::kPods};

class WatchConnectionsTest : public ::testing::Test {
 protected:
  std::unique_ptr<Client> client_for(const std::string& server, const std::string& ca_pem) {
    RestConfig config;
    config.server = server;
    config.ca_pem = ca_pem;
    config.bearer_token = live_.server().admin_token();
    config.qps = -1;
    config.timeout = 10s;
    return std::make_unique<Client>(config);
  }

  // One object of every watched type, written into the store directly (no client connection).
  void create_one_of_each() {
    int i = 0;
    for (const auto* type : kWatchedTypes) {
      nlohmann::json object = {{"apiVersion", type->api_version()},
                               {"kind", type->kind},
                               {"metadata", {{"name", "o" + std::to_string(i++)}}}};
      if (type == &resources::kPods) {
        object["spec"] = {{"containers", {{{"name", "c"}, {"image", "busybox"}}}}};
      }
      if (type == &resources::kServices) object["spec"] = {{"ports", {{{"port", 80}}}}};
      auto stored = live_.server().put(object);
      ASSERT_TRUE(stored) << stored.error().message;
    }
  }

  test::LiveServer live_;
  TempDir dir_;
};

// The same behind nghttpx: a client that speaks HTTP/2 to the front.
class Http2WatchConnectionsTest : public WatchConnectionsTest {
 protected:
  void SetUp() override {
    if (Http2Front::binary().empty()) {
      GTEST_SKIP() << "nghttpx (Debian package nghttp2-proxy) is not installed: no HTTP/2 server";
    }
    front_ = std::make_unique<Http2Front>(live_.server().url(), dir_.path());
    ASSERT_TRUE(front_->ready()) << front_->log();
    client_ = client_for("https://127.0.0.1:" + std::to_string(front_->port()), front_->ca_pem());
  }

  std::unique_ptr<Http2Front> front_;
  std::unique_ptr<Client> client_;
};

TEST_F(Http2WatchConnectionsTest, AllWatchesShareOneConnection) {
  Watches watches(*client_, kWatchedTypes);
  create_one_of_each();
  ASSERT_TRUE(test::eventually([&] { return watches.every_one_saw_an_event(); }, 20s))
      << front_->log();
  EXPECT_EQ(established_connections_to(front_->port()), 1)
      << read_text("/proc/net/tcp") << front_->log();
  EXPECT_TRUE(watches.stop());
}

// A consumer that falls behind pauses its own stream (HTTP/2 flow control per stream): the
// other watches of the connection go on, and the slow one loses nothing once it catches up.
TEST_F(Http2WatchConnectionsTest, ASlowWatchHoldsUpNoOtherAndLosesNothing) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::mutex names_mutex;
  std::vector<std::string> slow_names;
  std::atomic<int> fast_events{0};
  std::atomic<bool> stop{false};
  ApiResult<WatchEnd> slow_end = WatchEnd::kServerClosed;
  ApiResult<WatchEnd> fast_end = WatchEnd::kServerClosed;
  std::thread slow([&] {
    slow_end = client_->watch(
        resources::kConfigMaps, "default", {},
        [&](const WatchEvent& event) {
          released.wait();  // blocked until the test has written far more than is queued
          std::lock_guard lock(names_mutex);
          slow_names.push_back(event.object["metadata"]["name"]);
          return true;
        },
        &stop);
  });
  std::thread fast([&] {
    fast_end = client_->watch(
        resources::kSecrets, "default", {},
        [&](const WatchEvent&) {
          ++fast_events;
          return true;
        },
        &stop);
  });
  // Both streams are open once a first Secret event arrives.
  auto put = [&](const util::ResourceType& type, const std::string& name, std::size_t bytes) {
    auto stored = live_.server().put({{"apiVersion", "v1"},
                                      {"kind", type.kind},
                                      {"metadata", {{"name", name}}},
                                      {"data", {{"blob", std::string(bytes, 'x')}}}});
    ASSERT_TRUE(stored) << stored.error().message;
  };
  put(resources::kSecrets, "first", 10);
  ASSERT_TRUE(test::eventually([&] { return fast_events.load() == 1; }, 20s)) << front_->log();

  // 48 ConfigMaps of 128 KiB: 6 MiB for a consumer that takes none of it.
  constexpr int kConfigMaps = 48;
  for (int i = 0; i < kConfigMaps; ++i) {
    put(resources::kConfigMaps, "cm-" + std::to_string(100 + i), 128 << 10);
  }
  put(resources::kSecrets, "second", 10);
  EXPECT_TRUE(test::eventually([&] { return fast_events.load() == 2; }, 20s)) << front_->log();

  release.set_value();
  EXPECT_TRUE(test::eventually(
      [&] {
        std::lock_guard lock(names_mutex);
        return slow_names.size() == kConfigMaps;
      },
      30s));
  {
    std::lock_guard lock(names_mutex);
    for (std::size_t i = 0; i < slow_names.size(); ++i) {
      EXPECT_EQ(slow_names[i], "cm-" + std::to_string(100 + i));
    }
  }
  stop = true;
  slow.join();
  fast.join();
  EXPECT_TRUE(slow_end && *slow_end == WatchEnd::kStopRequested);
  EXPECT_TRUE(fast_end && *fast_end == WatchEnd::kStopRequested);
}

// A consumer that throws gets its exception back from watch() once the stream has ended, and
// the client's next watch runs as usual.
TEST_F(WatchConnectionsTest, AConsumerThatThrowsEndsOnlyItsOwnWatch) {
  auto client = client_for(live_.server().url(), live_.server().ca_pem());
  create_one_of_each();
  EXPECT_THROW((void)client->watch(
                   resources::kConfigMaps, "default", {},
                   [](const WatchEvent&) -> bool { throw std::runtime_error("consumer failed"); }),
               std::runtime_error);
  Watches watches(*client, kWatchedTypes);
  ASSERT_TRUE(test::eventually([&] { return watches.every_one_saw_an_event(); }, 20s));
  EXPECT_TRUE(watches.stop());
}

TEST_F(WatchConnectionsTest, OverHttp1EachWatchHasItsOwnConnection) {
  const std::string url = live_.server().url();
  auto client = client_for(url, live_.server().ca_pem());
  // The admin client of the fixture holds no connection: it sent nothing.
  const int before = established_connections_to(std::stoi(url_port(url)));

  Watches watches(*client, kWatchedTypes);
  create_one_of_each();
  ASSERT_TRUE(test::eventually([&] { return watches.every_one_saw_an_event(); }, 20s));
  EXPECT_EQ(established_connections_to(std::stoi(url_port(url))) - before,
            static_cast<int>(kWatchedTypes.size()));
  EXPECT_TRUE(watches.stop());
}

}  // namespace
}  // namespace druid::kube
