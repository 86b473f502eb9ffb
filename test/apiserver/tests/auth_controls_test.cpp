// Bearer-token authentication and the test controls: error injection,
// latency, request counters.

#include <gtest/gtest.h>

#include <map>

#include "apiserver/tests/fixture.hpp"

namespace druid::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class AuthControlsTest : public ApiServerTest {};

TEST_F(AuthControlsTest, RequestsWithoutValidTokenAreUnauthorized) {
  TestClient stranger(server_, "not-a-token");
  auto r = stranger.get(kConfigMaps);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.body, json({{"kind", "Status"},
                          {"apiVersion", "v1"},
                          {"metadata", json::object()},
                          {"status", "Failure"},
                          {"message", "Unauthorized"},
                          {"reason", "Unauthorized"},
                          {"code", 401}}));
  EXPECT_EQ(stranger.get("/version").status, 200) << "/version is public";
  EXPECT_EQ(stranger.get("/apis").status, 401);
}

TEST_F(AuthControlsTest, AddedUsersAreAuthenticated) {
  server_.add_user("druid-token", "system:serviceaccount:default:druid");
  TestClient druid(server_, "druid-token");
  EXPECT_EQ(druid.get(kConfigMaps).status, 200);
}

TEST_F(AuthControlsTest, StopDoesNotWaitForIdleKeepAliveConnections) {
  auto client = make_client(server_);
  client->set_keep_alive(true);
  auto r = client->Get("/version");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  const auto start = std::chrono::steady_clock::now();
  server_.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST_F(AuthControlsTest, KubeconfigNamesServerCaAndToken) {
  const std::string config = server_.kubeconfig("tok");
  EXPECT_NE(config.find("server: " + server_.url()), std::string::npos);
  EXPECT_NE(config.find("certificate-authority-data: "), std::string::npos);
  EXPECT_NE(config.find("token: tok"), std::string::npos);
}

// FaultMix at rate 1: every request meets a fault, each kind of its verb's list appears, and each
// behaves as described — a 504 after the write was applied, a 409 before anything was, a cut
// connection (no answer), 429 with the configured Retry-After.
TEST_F(AuthControlsTest, RandomFaultsCoverEveryKindAndATimeoutComesAfterTheWrite) {
  server_.controls().set_fault_mix({1.0, 2s, 7});
  std::map<int, int> statuses;
  for (int i = 0; i < 60; ++i) {
    const std::string name = "cm-" + std::to_string(i);
    auto r = client_->post(kConfigMaps, configmap(name));
    ++statuses[r.status];
    const bool stored = server_.get("configmaps", "default", name).has_value();
    switch (r.status) {
      case 504:
        EXPECT_EQ(r.body["reason"], "Timeout");
        EXPECT_TRUE(stored) << "a timeout after the write leaves it applied";
        break;
      case 429:
        EXPECT_EQ(r.headers.find("Retry-After")->second, "2");
        EXPECT_FALSE(stored);
        break;
      case 409:
      case 500:
      case 503:
        EXPECT_FALSE(stored) << r.status;
        break;
      case -1:  // the connection was cut halfway through the answer (after applying)
        EXPECT_TRUE(stored);
        break;
      default:
        ADD_FAILURE() << "unexpected answer " << r.status << " " << r.text;
    }
    client_ = std::make_unique<TestClient>(server_);  // a cut connection is gone
  }
  for (int status : {429, 500, 503, 409, 504, -1}) EXPECT_GT(statuses[status], 0) << status;
  std::int64_t injected = 0;
  for (const auto& [kind, count] : server_.controls().injected_faults()) injected += count;
  EXPECT_EQ(injected, 60);
  // Reads never meet write-only faults.
  for (int i = 0; i < 30; ++i) {
    const int status = client_->get(kConfigMaps).status;
    EXPECT_TRUE(status == 429 || status == 500 || status == 503 || status == -1) << status;
    client_ = std::make_unique<TestClient>(server_);
  }
  server_.controls().set_fault_mix({});
  EXPECT_EQ(client_->get(kConfigMaps).status, 200);
}

TEST_F(AuthControlsTest, RestartKeepsDataCredentialsAndPort) {
  create(kConfigMaps, configmap("kept"));
  const int port = server_.port();
  const std::string ca = server_.ca_pem();
  server_.restart();
  EXPECT_EQ(server_.port(), port);
  EXPECT_EQ(server_.ca_pem(), ca);
  client_ = std::make_unique<TestClient>(server_);
  EXPECT_EQ(client_->get(std::string(kConfigMaps) + "/kept").status, 200);
}

TEST_F(AuthControlsTest, InjectedErrorsHitTheNextMatchingRequests) {
  create(kConfigMaps, configmap("a"));
  server_.controls().fail_next("get", "configmaps", 500, 2);
  EXPECT_EQ(client_->get(kConfigMaps).status, 200) << "a list is not a get";
  auto first = client_->get(std::string(kConfigMaps) + "/a");
  EXPECT_EQ(first.status, 500);
  EXPECT_EQ(first.body["reason"], "InternalError");
  EXPECT_EQ(client_->get(std::string(kConfigMaps) + "/a").status, 500);
  EXPECT_EQ(client_->get(std::string(kConfigMaps) + "/a").status, 200);
}

TEST_F(AuthControlsTest, InjectedTooManyRequestsCarriesRetryAfter) {
  server_.controls().fail_next("list", "", 429, 1, std::chrono::seconds(3));
  auto r = client_->get(kConfigMaps);
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.body["reason"], "TooManyRequests");
  EXPECT_EQ(r.body["details"]["retryAfterSeconds"], 3);
  auto header = r.headers.find("Retry-After");
  ASSERT_NE(header, r.headers.end());
  EXPECT_EQ(header->second, "3");
}

TEST_F(AuthControlsTest, InjectedConflictOnStatusUpdates) {
  create(kStatefulSets, statefulset("s"));
  server_.controls().inject_error(
      {.match = {.verb = "patch", .resource = "statefulsets/status"}, .code = 409});
  EXPECT_EQ(
      client_->patch(std::string(kStatefulSets) + "/s", json{{"spec", {{"replicas", 2}}}}).status,
      200);
  auto r =
      client_->patch(std::string(kStatefulSets) + "/s/status", json{{"status", {{"replicas", 2}}}});
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.body["message"],
            "Operation cannot be fulfilled on statefulsets.apps \"s\": the object has been "
            "modified; please apply your changes to the latest version and try again");
}

TEST_F(AuthControlsTest, LatencyDelaysMatchingRequests) {
  server_.controls().add_latency({.verb = "list", .resource = "configmaps"}, 300ms);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(client_->get(kConfigMaps).status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 300ms);
  EXPECT_EQ(server_.controls().latency_for({.verb = "list", .resource = "secrets"}), 0ms);
  EXPECT_EQ(server_.controls().latency_for({.verb = "get", .resource = "configmaps"}), 0ms);
}

TEST_F(AuthControlsTest, RequestCounters) {
  server_.controls().reset_counts();
  create(kConfigMaps, configmap("a"));
  client_->get(std::string(kConfigMaps) + "/a");
  client_->get(std::string(kConfigMaps) + "/a");
  client_->get(kConfigMaps);
  EXPECT_EQ(server_.controls().request_count("get", "configmaps"), 2);
  EXPECT_EQ(server_.controls().request_count("create", "configmaps"), 1);
  EXPECT_EQ(server_.controls().request_count("list", "configmaps"), 1);
  EXPECT_EQ(server_.controls().write_count(), 1);
  auto debug = client_->get("/debug/requests");
  ASSERT_EQ(debug.status, 200);
  EXPECT_EQ(debug.body["get"]["configmaps"], 2);
}

}  // namespace
}  // namespace druid::testing
