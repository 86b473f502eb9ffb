#pragma once
// A started test API server and a client of it as the admin user, for the
// runtime tests that need real HTTP (informers, leader election, events).

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "apiserver/server.hpp"
#include "kube/client.hpp"
#include "kube/leader_election.hpp"

namespace druid::kube::test {

class LiveServer {
 public:
  explicit LiveServer(druid::testing::TestApiServerOptions options = {})
      : server_(std::move(options)) {
    server_.start();
    client_ = make_client();
  }

  druid::testing::TestApiServer& server() { return server_; }
  Client& client() { return *client_; }

  // Another client (its own connections), e.g. for a second elector.
  std::unique_ptr<Client> make_client() const {
    RestConfig config;
    config.server = server_.url();
    config.ca_pem = server_.ca_pem();
    config.bearer_token = server_.admin_token();
    config.qps = -1;  // no client-side throttling in tests
    config.timeout = std::chrono::seconds(10);
    return std::make_unique<Client>(config);
  }

 private:
  druid::testing::TestApiServer server_;
  std::unique_ptr<Client> client_;
};

// Creates a namespace; "" on success, the error otherwise (for ASSERT_EQ).
inline std::string create_namespace(Client& client, const std::string& name) {
  auto created =
      client.create(resources::kNamespaces, "",
                    {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name}}}});
  return created ? std::string() : created.error().what();
}

// Requests of one verb on one resource ("list", "configmaps").
inline druid::testing::RequestMatch match(std::string verb, std::string resource) {
  druid::testing::RequestMatch m;
  m.verb = std::move(verb);
  m.resource = std::move(resource);
  return m;
}

// The next `count` such requests fail with `code`.
inline druid::testing::ErrorInjection failure(std::string verb, std::string resource, int code,
                                              int count) {
  druid::testing::ErrorInjection injection;
  injection.match = match(std::move(verb), std::move(resource));
  injection.code = code;
  injection.count = count;
  return injection;
}

inline nlohmann::json config_map(const std::string& ns, const std::string& name,
                                 nlohmann::json labels = nlohmann::json::object(),
                                 nlohmann::json data = nlohmann::json::object()) {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", {{"name", name}, {"namespace", ns}, {"labels", std::move(labels)}}},
          {"data", std::move(data)}};
}

// Leader election with fast timings for tests: 1 s lease, 600 ms renew
// deadline, 100 ms retry.
inline LeaderElectionConfig fast_leader_election(const std::string& lease_namespace,
                                                 const std::string& identity) {
  LeaderElectionConfig c;
  c.lease_namespace = lease_namespace;
  c.lease_name = "druid-leader-election";
  c.identity = identity;
  c.lease_duration = std::chrono::seconds(1);
  c.renew_deadline = std::chrono::milliseconds(600);
  c.retry_period = std::chrono::milliseconds(100);
  return c;
}

}  // namespace druid::kube::test
