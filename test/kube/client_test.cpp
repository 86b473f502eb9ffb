#include "kube/client.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <set>
#include <thread>

#include "api/resources.hpp"
#include "kube/fake_http_server.hpp"

namespace druid::kube {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using test::ChunkFeed;
using test::FakeServer;
using ::testing::HasSubstr;

json status(int code, const std::string& reason, const std::string& message) {
  return {{"kind", "Status"},    {"apiVersion", "v1"}, {"metadata", json::object()},
          {"status", "Failure"}, {"message", message}, {"reason", reason},
          {"code", code}};
}

void reply(httplib::Response& res, int code, const json& body) {
  res.status = code;
  res.set_content(body.dump(), "application/json");
}

json pod(const std::string& name, const std::string& rv = "1") {
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"name", name}, {"namespace", "ns1"}, {"resourceVersion", rv}}}};
}

// Waits for a condition with a deadline instead of sleeping.
template <class F>
bool eventually(F condition, std::chrono::milliseconds timeout = 5s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(1ms);
  }
  return condition();
}

class ClientTest : public ::testing::Test {
 protected:
  RestConfig config() const {
    RestConfig c;
    c.server = server_.url();
    c.bearer_token = "secret-token";
    c.qps = -1;  // tests measuring throttling set their own
    c.timeout = 5s;
    return c;
  }

  FakeServer server_;
};

// --- paths -------------------------------------------------------------------

TEST(ResourceTypeTest, Paths) {
  EXPECT_EQ(resources::kPods.path("ns1", "p"), "/api/v1/namespaces/ns1/pods/p");
  EXPECT_EQ(resources::kPods.path(""), "/api/v1/pods");
  EXPECT_EQ(resources::kStatefulSets.path("ns", "s", "scale"),
            "/apis/apps/v1/namespaces/ns/statefulsets/s/scale");
  EXPECT_EQ(api::resources::kEtcds.path("ns", "e", "status"),
            "/apis/druid.gardener.cloud/v1alpha1/namespaces/ns/etcds/e/status");
  EXPECT_EQ(resources::kNamespaces.path("ignored", "kube-system"),
            "/api/v1/namespaces/kube-system");
  EXPECT_EQ(resources::kCustomResourceDefinitions.path("x"),
            "/apis/apiextensions.k8s.io/v1/customresourcedefinitions");
  EXPECT_EQ(resources::kLeases.api_version(), "coordination.k8s.io/v1");
  EXPECT_EQ(resources::kSecrets.api_version(), "v1");
  EXPECT_EQ(api::resources::kEtcds.qualified_resource(), "etcds.druid.gardener.cloud");
  EXPECT_EQ(resources::kPods.path("ns", "a b/c"), "/api/v1/namespaces/ns/pods/a%20b%2Fc");
}

// --- verbs -------------------------------------------------------------------

TEST_F(ClientTest, GetSendsAuthAndDecodesObject) {
  server_.on("GET", R"(/api/v1/namespaces/ns1/pods/([^/]+))",
             [](const httplib::Request& req, httplib::Response& res) {
               reply(res, 200, pod(req.matches[1]));
             });
  server_.start();
  auto cfg = config();
  cfg.user_agent = "druid-test/1.0";
  Client client(cfg);
  auto got = client.get(resources::kPods, "ns1", "p1");
  ASSERT_TRUE(got) << got.error().what();
  EXPECT_EQ((*got)["metadata"]["name"], "p1");
  auto req = server_.last_request();
  EXPECT_EQ(req.header("Authorization"), "Bearer secret-token");
  EXPECT_EQ(req.header("Accept"), "application/json");
  EXPECT_EQ(req.header("User-Agent"), "druid-test/1.0");

  auto counts = client.request_counts();
  RequestKey key{"GET", 200, "127.0.0.1:" + std::to_string(server_.port())};
  EXPECT_EQ(counts[key], 1u);
}

TEST_F(ClientTest, NotFoundBecomesTypedError) {
  server_.on(
      "GET", R"(/apis/druid.gardener.cloud/v1alpha1/namespaces/ns1/etcds/(.+))",
      [](const httplib::Request& req, httplib::Response& res) {
        json s = status(404, "NotFound",
                        "etcds.druid.gardener.cloud \"" + req.matches[1].str() + "\" not found");
        s["details"] = {
            {"name", req.matches[1].str()}, {"group", "druid.gardener.cloud"}, {"kind", "etcds"}};
        reply(res, 404, s);
      });
  server_.start();
  Client client(config());
  auto got = client.get(api::resources::kEtcds, "ns1", "missing");
  ASSERT_FALSE(got);
  EXPECT_TRUE(is_not_found(got.error()));
  EXPECT_EQ(got.error().message, "etcds.druid.gardener.cloud \"missing\" not found");
  EXPECT_EQ(got.error().status["details"]["name"], "missing");
  EXPECT_EQ(client.request_counts().begin()->first.code, 404);
}

TEST_F(ClientTest, ListEncodesSelectorsAndPagination) {
  server_.on("GET", "/api/v1/namespaces/ns1/pods",
             [](const httplib::Request& req, httplib::Response& res) {
               json list = {{"kind", "PodList"}, {"apiVersion", "v1"}, {"items", json::array()}};
               if (req.get_param_value("continue").empty()) {
                 list["items"].push_back(pod("a"));
                 list["metadata"] = {{"resourceVersion", "10"}, {"continue", "tok/en=="}};
               } else {
                 list["items"].push_back(pod("b"));
                 list["metadata"] = {{"resourceVersion", "10"}};
               }
               reply(res, 200, list);
             });
  server_.start();
  Client client(config());
  ListOptions options;
  options.label_selector = "app=x,tier in (a,b)";
  options.field_selector = "metadata.name!=z";
  options.limit = 1;
  std::vector<std::string> names;
  for (int page = 0; page < 5; ++page) {
    auto list = client.list(resources::kPods, "ns1", options);
    ASSERT_TRUE(list) << list.error().what();
    for (const auto& item : (*list)["items"]) names.push_back(item["metadata"]["name"]);
    options.continue_token = (*list)["metadata"].value("continue", "");
    if (options.continue_token.empty()) break;
  }
  EXPECT_EQ(names, (std::vector<std::string>{"a", "b"}));
  auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].target,
            "/api/v1/namespaces/ns1/pods?labelSelector=app%3Dx%2Ctier%20in%20%28a%2Cb%29"
            "&fieldSelector=metadata.name%21%3Dz&limit=1");
  EXPECT_EQ(requests[1].param("continue"), "tok/en==");
  EXPECT_EQ(requests[1].param("labelSelector"), "app=x,tier in (a,b)");
  EXPECT_EQ(requests[1].param("limit"), "1");
}

TEST_F(ClientTest, ListAllNamespacesAndResourceVersion) {
  server_.on("GET", "/apis/coordination.k8s.io/v1/leases",
             [](const httplib::Request&, httplib::Response& res) {
               reply(res, 200, {{"kind", "LeaseList"}, {"items", json::array()}});
             });
  server_.start();
  Client client(config());
  ListOptions options;
  options.resource_version = "0";
  options.resource_version_match = "NotOlderThan";
  ASSERT_TRUE(client.list(resources::kLeases, "", options));
  EXPECT_EQ(server_.last_request().target,
            "/apis/coordination.k8s.io/v1/leases?resourceVersion=0&resourceVersionMatch="
            "NotOlderThan");
}

TEST_F(ClientTest, CreateUsesObjectNamespaceAndWriteOptions) {
  server_.on("POST", R"(/api/v1/namespaces/([^/]+)/configmaps)",
             [](const httplib::Request& req, httplib::Response& res) {
               json obj = json::parse(req.body);
               obj["metadata"]["uid"] = "u-1";
               reply(res, 201, obj);
             });
  server_.start();
  Client client(config());
  json cm = {{"apiVersion", "v1"},
             {"kind", "ConfigMap"},
             {"metadata", {{"name", "cm"}, {"namespace", "from-object"}}},
             {"data", {{"k", "v"}}}};
  WriteOptions options;
  options.field_manager = "etcd-druid";
  options.dry_run = true;
  auto created = client.create(resources::kConfigMaps, "", cm, options);
  ASSERT_TRUE(created) << created.error().what();
  EXPECT_EQ((*created)["metadata"]["uid"], "u-1");
  auto req = server_.last_request();
  EXPECT_EQ(req.target,
            "/api/v1/namespaces/from-object/configmaps?fieldManager=etcd-druid&dryRun=All");
  EXPECT_EQ(req.header("Content-Type"), "application/json");
  EXPECT_EQ(json::parse(req.body), cm);
}

// A write fence is asked right before a write would be sent; a refusal comes back as the
// write's error and nothing reaches the server. Reads are never asked.
TEST_F(ClientTest, AWriteFenceRefusesWritesUnsentAndLetsReadsPass) {
  server_.on("POST", R"(/api/v1/namespaces/([^/]+)/configmaps)",
             [](const httplib::Request& req, httplib::Response& res) {
               reply(res, 201, json::parse(req.body));
             });
  server_.on("GET", R"(/api/v1/namespaces/([^/]+)/configmaps/([^/]+))",
             [](const httplib::Request&, httplib::Response& res) {
               reply(res, 200, {{"metadata", {{"name", "cm"}}}});
             });
  server_.start();
  Client client(config());
  std::atomic<bool> open{false};
  std::vector<std::string> asked;
  client.set_write_fence([&](std::string_view method, std::string_view path) {
    asked.push_back(std::string(method) + " " + std::string(path));
    std::optional<ApiError> refused;
    if (!open) refused = ApiError{ApiErrorReason::kNotLeader, 0, "not leading", {}, {}, nullptr};
    return refused;
  });
  const json cm = {{"apiVersion", "v1"},
                   {"kind", "ConfigMap"},
                   {"metadata", {{"name", "cm"}, {"namespace", "ns"}}}};
  auto refused = client.create(resources::kConfigMaps, "ns", cm);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().reason, ApiErrorReason::kNotLeader);
  EXPECT_EQ(refused.error().message, "not leading");
  EXPECT_TRUE(server_.requests().empty()) << "nothing was sent";
  EXPECT_TRUE(client.get(resources::kConfigMaps, "ns", "cm"));
  open = true;
  EXPECT_TRUE(client.create(resources::kConfigMaps, "ns", cm));
  EXPECT_EQ(asked, (std::vector<std::string>{"POST /api/v1/namespaces/ns/configmaps",
                                             "POST /api/v1/namespaces/ns/configmaps"}));
  EXPECT_EQ(server_.requests().size(), 2u);  // the read and the admitted write
  client.set_write_fence({});
  EXPECT_TRUE(client.create(resources::kConfigMaps, "ns", cm));
  EXPECT_EQ(asked.size(), 2u);
}

TEST_F(ClientTest, CreateConflictsAreTyped) {
  server_.on("POST", "/api/v1/namespaces/ns1/pods",
             [](const httplib::Request&, httplib::Response& res) {
               json s = status(409, "AlreadyExists", "pods \"p\" already exists");
               reply(res, 409, s);
             });
  server_.on(
      "PUT", "/api/v1/namespaces/ns1/pods/p", [](const httplib::Request&, httplib::Response& res) {
        reply(res, 409,
              status(409, "Conflict",
                     "Operation cannot be fulfilled on pods \"p\": the object has been modified; "
                     "please apply your changes to the latest version and try again"));
      });
  server_.start();
  Client client(config());
  auto created = client.create(resources::kPods, "ns1", pod("p"));
  ASSERT_FALSE(created);
  EXPECT_TRUE(is_already_exists(created.error()));
  auto updated = client.update(resources::kPods, "ns1", pod("p", "3"));
  ASSERT_FALSE(updated);
  EXPECT_TRUE(is_conflict(updated.error()));
  EXPECT_EQ(server_.last_request().method, "PUT");
  EXPECT_EQ(json::parse(server_.last_request().body)["metadata"]["resourceVersion"], "3");
}

TEST_F(ClientTest, UpdateWithoutNameFailsLocally) {
  server_.start();
  Client client(config());
  auto updated = client.update(resources::kPods, "ns1", json{{"metadata", json::object()}});
  ASSERT_FALSE(updated);
  EXPECT_EQ(updated.error().reason, ApiErrorReason::kBadRequest);
  EXPECT_THAT(updated.error().message, HasSubstr("metadata.name is required"));
  EXPECT_TRUE(server_.requests().empty());
}

TEST_F(ClientTest, PatchContentTypes) {
  server_.on("PATCH", R"(/apis/apps/v1/namespaces/ns1/statefulsets/s(/status)?)",
             [](const httplib::Request&, httplib::Response& res) {
               reply(res, 200, {{"kind", "StatefulSet"}});
             });
  server_.start();
  Client client(config());
  struct Case {
    PatchType type;
    json body;
    std::string content_type;
  };
  std::vector<Case> cases = {
      {PatchType::kMerge, {{"spec", {{"replicas", 3}}}}, "application/merge-patch+json"},
      {PatchType::kJson,
       json::array({{{"op", "replace"}, {"path", "/spec/replicas"}, {"value", 3}}}),
       "application/json-patch+json"},
      {PatchType::kStrategicMerge,
       {{"spec", {{"template", {{"spec", {{"containers", {{{"name", "etcd"}}}}}}}}}}},
       "application/strategic-merge-patch+json"},
  };
  for (const auto& c : cases) {
    auto patched = client.patch(resources::kStatefulSets, "ns1", "s", c.type, c.body);
    ASSERT_TRUE(patched) << patched.error().what();
    auto req = server_.last_request();
    EXPECT_EQ(req.header("Content-Type"), c.content_type);
    EXPECT_EQ(json::parse(req.body), c.body);
    EXPECT_EQ(req.path, "/apis/apps/v1/namespaces/ns1/statefulsets/s");
  }
  auto status_patch = client.patch(resources::kStatefulSets, "ns1", "s", PatchType::kMerge,
                                   {{"status", {{"replicas", 1}}}}, "status");
  ASSERT_TRUE(status_patch);
  EXPECT_EQ(server_.last_request().path, "/apis/apps/v1/namespaces/ns1/statefulsets/s/status");
}

TEST_F(ClientTest, DeleteSendsDeleteOptions) {
  server_.on("DELETE", R"(/api/v1/namespaces/ns1/pods(/[^/]+)?)",
             [](const httplib::Request&, httplib::Response& res) {
               reply(res, 200, {{"kind", "Status"}, {"status", "Success"}});
             });
  server_.start();
  Client client(config());
  DeleteOptions options;
  options.propagation_policy = "Foreground";
  options.precondition_uid = "uid-1";
  options.precondition_resource_version = "42";
  options.grace_period_seconds = 0;
  auto removed = client.remove(resources::kPods, "ns1", "p", options);
  ASSERT_TRUE(removed) << removed.error().what();
  EXPECT_EQ((*removed)["status"], "Success");
  auto req = server_.last_request();
  EXPECT_EQ(req.method, "DELETE");
  EXPECT_EQ(req.path, "/api/v1/namespaces/ns1/pods/p");
  EXPECT_EQ(req.header("Content-Type"), "application/json");
  EXPECT_EQ(json::parse(req.body),
            (json{{"kind", "DeleteOptions"},
                  {"apiVersion", "v1"},
                  {"propagationPolicy", "Foreground"},
                  {"gracePeriodSeconds", 0},
                  {"preconditions", {{"uid", "uid-1"}, {"resourceVersion", "42"}}}}));

  ListOptions selector;
  selector.label_selector = "app=etcd";
  ASSERT_TRUE(client.delete_collection(resources::kPods, "ns1", selector, {}));
  req = server_.last_request();
  EXPECT_EQ(req.target, "/api/v1/namespaces/ns1/pods?labelSelector=app%3Detcd");
  EXPECT_EQ(json::parse(req.body), (json{{"kind", "DeleteOptions"}, {"apiVersion", "v1"}}));
}

TEST_F(ClientTest, StatusAndScaleSubresources) {
  auto echo = [](const httplib::Request& req, httplib::Response& res) {
    reply(res, 200, req.body.empty() ? json{{"path", req.path}} : json::parse(req.body));
  };
  server_.on("GET", R"(/apis/druid.gardener.cloud/v1alpha1/namespaces/ns1/etcds/e/(status|scale))",
             echo);
  server_.on("PUT", R"(/apis/druid.gardener.cloud/v1alpha1/namespaces/ns1/etcds/e/(status|scale))",
             echo);
  server_.start();
  Client client(config());
  const std::string base = "/apis/druid.gardener.cloud/v1alpha1/namespaces/ns1/etcds/e";
  auto st = client.get_status(api::resources::kEtcds, "ns1", "e");
  ASSERT_TRUE(st) << st.error().what();
  EXPECT_EQ((*st)["path"], base + "/status");
  json etcd = {{"metadata", {{"name", "e"}, {"namespace", "ns1"}}}, {"status", {{"ready", true}}}};
  ASSERT_TRUE(client.update_status(api::resources::kEtcds, "", etcd));
  EXPECT_EQ(server_.last_request().path, base + "/status");
  EXPECT_EQ(server_.last_request().method, "PUT");
  auto sc = client.get_scale(api::resources::kEtcds, "ns1", "e");
  ASSERT_TRUE(sc);
  EXPECT_EQ((*sc)["path"], base + "/scale");
  json scale = {{"kind", "Scale"}, {"apiVersion", "autoscaling/v1"}, {"spec", {{"replicas", 3}}}};
  auto updated = client.update_scale(api::resources::kEtcds, "ns1", "e", scale);
  ASSERT_TRUE(updated);
  EXPECT_EQ(*updated, scale);
  EXPECT_EQ(server_.last_request().path, base + "/scale");
}

TEST_F(ClientTest, InvalidAndTooManyRequestsOverHttp) {
  server_.on("POST", "/apis/druid.gardener.cloud/v1alpha1/namespaces/ns1/etcds",
             [](const httplib::Request&, httplib::Response& res) {
               json s = status(422, "Invalid",
                               "Etcd.druid.gardener.cloud \"e\" is invalid: spec.replicas: "
                               "Invalid value: -1: must be >= 0");
               s["details"] = {{"name", "e"},
                               {"causes",
                                {{{"reason", "FieldValueInvalid"},
                                  {"message", "Invalid value: -1: must be >= 0"},
                                  {"field", "spec.replicas"}}}}};
               reply(res, 422, s);
             });
  std::atomic<int> lists{0};
  server_.on("GET", "/apis/druid.gardener.cloud/v1alpha1/namespaces/ns1/etcds",
             [&](const httplib::Request&, httplib::Response& res) {
               if (++lists <= 2) {
                 res.set_header("Retry-After", "1");
                 reply(
                     res, 429,
                     status(429, "TooManyRequests", "Too many requests, please try again later."));
                 return;
               }
               reply(res, 200, {{"items", json::array()}});
             });
  server_.on("GET", "/apis/druid.gardener.cloud/v1alpha1/namespaces/ns2/etcds",
             [](const httplib::Request&, httplib::Response& res) {
               reply(res, 503, status(503, "ServiceUnavailable", "try elsewhere"));
             });
  server_.start();
  Client client(config());
  auto created = client.create(api::resources::kEtcds, "ns1", {{"metadata", {{"name", "e"}}}});
  ASSERT_FALSE(created);
  ASSERT_TRUE(is_invalid(created.error()));
  ASSERT_EQ(created.error().causes.size(), 1u);
  EXPECT_EQ(created.error().causes[0].field, "spec.replicas");
  // 429 with Retry-After: sent again after the delay the server named, as client-go does.
  const auto started = std::chrono::steady_clock::now();
  auto listed = client.list(api::resources::kEtcds, "ns1");
  ASSERT_TRUE(listed) << listed.error().what();
  EXPECT_EQ(lists, 3);
  EXPECT_GE(std::chrono::steady_clock::now() - started, 2s);
  // Without Retry-After a failure is the caller's to retry: returned at once.
  auto unavailable = client.list(api::resources::kEtcds, "ns2");
  ASSERT_FALSE(unavailable);
  EXPECT_EQ(unavailable.error().reason, ApiErrorReason::kServiceUnavailable);
  EXPECT_EQ(server_.requests().size(), 5u);  // the create, three lists, one list
}

TEST_F(ClientTest, GenericRequestForDiscovery) {
  server_.on("GET", "/version", [](const httplib::Request&, httplib::Response& res) {
    reply(res, 200, {{"major", "1"}, {"minor", "32"}});
  });
  server_.on("GET", "/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok", "text/plain");
  });
  server_.start();
  Client client(config());
  auto version = client.request("GET", "/version");
  ASSERT_TRUE(version);
  EXPECT_EQ((*version)["minor"], "32");
  auto health = client.request("GET", "/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(*health, "ok");
}

TEST_F(ClientTest, TransportErrorWhenNothingListens) {
  server_.start();
  int port = server_.port();
  server_.stop();
  RestConfig cfg = config();
  cfg.server = "http://127.0.0.1:" + std::to_string(port);
  Client client(cfg);
  auto got = client.get(resources::kPods, "ns1", "p");
  ASSERT_FALSE(got);
  EXPECT_TRUE(is_transport(got.error()));
  EXPECT_THAT(got.error().message, HasSubstr("GET http://127.0.0.1:" + std::to_string(port)));
  EXPECT_EQ(client.request_counts().begin()->first.code, 0);
}

TEST_F(ClientTest, ReusesTheConnection) {
  server_.on("GET", R"(/api/v1/namespaces/ns1/pods/(.+))",
             [](const httplib::Request& req, httplib::Response& res) {
               reply(res, 200, {{"port", req.remote_port}});
             });
  server_.start();
  Client client(config());
  std::set<int> ports;
  for (int i = 0; i < 4; ++i) {
    auto got = client.get(resources::kPods, "ns1", "p");
    ASSERT_TRUE(got) << got.error().what();
    ports.insert((*got)["port"].get<int>());
  }
  EXPECT_EQ(ports.size(), 1u) << "each request opened a new connection";
}

TEST_F(ClientTest, ConcurrentRequestsFromManyThreads) {
  server_.on("GET", R"(/api/v1/namespaces/ns1/configmaps/(.+))",
             [](const httplib::Request& req, httplib::Response& res) {
               reply(res, 200, {{"metadata", {{"name", req.matches[1].str()}}}});
             });
  server_.start();
  Client client(config());
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        std::string name = "cm-" + std::to_string(t) + "-" + std::to_string(i);
        auto got = client.get(resources::kConfigMaps, "ns1", name);
        if (got && (*got)["metadata"]["name"] == name) ++ok;
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 80);
  RequestKey key{"GET", 200, "127.0.0.1:" + std::to_string(server_.port())};
  EXPECT_EQ(client.request_counts()[key], 80u);
}

TEST_F(ClientTest, ClientSideRateLimit) {
  server_.on("GET", "/api/v1/namespaces/ns1/pods/p",
             [](const httplib::Request&, httplib::Response& res) { reply(res, 200, pod("p")); });
  server_.start();
  RestConfig cfg = config();
  cfg.qps = 20;
  cfg.burst = 2;
  Client client(cfg);
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(client.get(resources::kPods, "ns1", "p"));
  auto elapsed = std::chrono::steady_clock::now() - start;
  // 4 requests beyond the burst at 20/s.
  EXPECT_GE(elapsed, 190ms);
  EXPECT_LT(elapsed, 2s);
}

TEST_F(ClientTest, TokenFileIsReReadWhenRotated) {
  test::TempDir dir;
  auto token = dir.write("token", "first\n");
  server_.on("GET", "/api/v1/namespaces/ns1/pods/p",
             [](const httplib::Request&, httplib::Response& res) { reply(res, 200, pod("p")); });
  server_.start();
  RestConfig cfg = config();
  cfg.bearer_token_file = token.string();
  Client client(cfg);
  ASSERT_TRUE(client.get(resources::kPods, "ns1", "p"));
  EXPECT_EQ(server_.last_request().header("Authorization"), "Bearer first");
  // The kubelet swaps a symlinked directory; writing a new file and renaming it
  // over the old one changes the inode just the same.
  auto next = dir.write("token.new", "second-token");
  std::filesystem::rename(next, token);
  ASSERT_TRUE(client.get(resources::kPods, "ns1", "p"));
  EXPECT_EQ(server_.last_request().header("Authorization"), "Bearer second-token");
  // An unreadable file keeps the last good token.
  std::filesystem::remove(token);
  ASSERT_TRUE(client.get(resources::kPods, "ns1", "p"));
  EXPECT_EQ(server_.last_request().header("Authorization"), "Bearer second-token");
}

TEST_F(ClientTest, BasicAuthWhenNoToken) {
  server_.on("GET", "/api/v1/namespaces/ns1/pods/p",
             [](const httplib::Request&, httplib::Response& res) { reply(res, 200, pod("p")); });
  server_.start();
  RestConfig cfg = config();
  cfg.bearer_token.clear();
  cfg.username = "admin";
  cfg.password = "pw";
  Client client(cfg);
  ASSERT_TRUE(client.get(resources::kPods, "ns1", "p"));
  EXPECT_EQ(server_.last_request().header("Authorization"), "Basic YWRtaW46cHc=");
}

// --- TLS -----------------------------------------------------------------------

class TlsClientTest : public ::testing::Test {
 protected:
  static void serve_pods(FakeServer& server) {
    server.on("GET", "/api/v1/namespaces/ns1/pods/p",
              [](const httplib::Request& req, httplib::Response& res) {
                if (req.get_header_value("Authorization") != "Bearer tls-token") {
                  reply(res, 401, status(401, "Unauthorized", "Unauthorized"));
                  return;
                }
                reply(res, 200, pod("p"));
              });
  }
  // Generated once per process: key generation is the slow part.
  static const test::TestPki& pki() {
    static const test::TestPki generated = test::make_test_pki();
    return generated;
  }
  const test::TestPki* pki_ = &pki();
};

TEST_F(TlsClientTest, VerifiesServerWithCaAndSendsToken) {
  FakeServer server(*pki_, /*require_client_cert=*/false);
  serve_pods(server);
  server.start();
  RestConfig cfg;
  cfg.server = server.url("https");
  cfg.ca_pem = pki_->ca.cert;
  cfg.bearer_token = "tls-token";
  Client client(cfg);
  auto got = client.get(resources::kPods, "ns1", "p");
  ASSERT_TRUE(got) << got.error().what();
  EXPECT_EQ((*got)["metadata"]["name"], "p");

  cfg.bearer_token = "wrong";
  Client wrong_token(cfg);
  auto denied = wrong_token.get(resources::kPods, "ns1", "p");
  ASSERT_FALSE(denied);
  EXPECT_TRUE(is_unauthorized(denied.error()));
}

TEST_F(TlsClientTest, RejectsServerNotSignedByTheCa) {
  FakeServer server(*pki_, false);
  serve_pods(server);
  server.start();
  auto other = test::make_test_pki();
  RestConfig cfg;
  cfg.server = server.url("https");
  cfg.ca_pem = other.ca.cert;
  cfg.bearer_token = "tls-token";
  Client client(cfg);
  auto got = client.get(resources::kPods, "ns1", "p");
  ASSERT_FALSE(got);
  EXPECT_TRUE(is_transport(got.error())) << got.error().what();
  EXPECT_TRUE(server.requests().empty());

  cfg.insecure_skip_tls_verify = true;
  Client insecure(cfg);
  EXPECT_TRUE(insecure.get(resources::kPods, "ns1", "p"));
}

// A cluster that rotates its CA (in-cluster ca.crt, a kubeconfig's
// certificate-authority file): the running client verifies new connections
// against the bundle the file holds now.
TEST_F(TlsClientTest, CaFileIsReReadWhenTheBundleRotates) {
  FakeServer server(*pki_, false);
  serve_pods(server);
  server.start();
  const auto other = test::make_test_pki();
  test::TempDir dir;
  const auto ca_file = dir.write("ca.crt", other.ca.cert);
  RestConfig cfg;
  cfg.server = server.url("https");
  cfg.ca_pem = other.ca.cert;  // as loaded
  cfg.ca_file = ca_file.string();
  cfg.bearer_token = "tls-token";
  Client client(cfg);
  auto refused = client.get(resources::kPods, "ns1", "p");
  ASSERT_FALSE(refused);
  EXPECT_TRUE(is_transport(refused.error())) << refused.error().what();

  // The kubelet swaps the projected volume's directory: a new inode.
  std::filesystem::rename(dir.write("ca.crt.new", pki_->ca.cert), ca_file);
  auto got = client.get(resources::kPods, "ns1", "p");
  ASSERT_TRUE(got) << got.error().what();

  // A file that cannot be read keeps the last good bundle.
  std::filesystem::remove(ca_file);
  EXPECT_TRUE(client.get(resources::kPods, "ns1", "p"));
}

TEST_F(TlsClientTest, PresentsClientCertificate) {
  FakeServer server(*pki_, /*require_client_cert=*/true);
  serve_pods(server);
  server.start();
  RestConfig cfg;
  cfg.server = server.url("https");
  cfg.ca_pem = pki_->ca.cert;
  cfg.bearer_token = "tls-token";
  Client without_cert(cfg);
  auto refused = without_cert.get(resources::kPods, "ns1", "p");
  ASSERT_FALSE(refused);
  EXPECT_TRUE(is_transport(refused.error()));

  cfg.client_cert_pem = pki_->client.cert;
  cfg.client_key_pem = pki_->client.key;
  Client with_cert(cfg);
  auto got = with_cert.get(resources::kPods, "ns1", "p");
  ASSERT_TRUE(got) << got.error().what();
}

// --- watch -----------------------------------------------------------------------

std::string event(const std::string& type, const json& object) {
  return json{{"type", type}, {"object", object}}.dump() + "\n";
}

class WatchTest : public ClientTest {
 protected:
  void serve_watch(int http_code = 200, json error_body = nullptr) {
    server_.on("GET", R"(/api/v1/(namespaces/ns1/)?pods)",
               [this, http_code, error_body](const httplib::Request&, httplib::Response& res) {
                 if (http_code != 200) {
                   reply(res, http_code, error_body);
                   return;
                 }
                 server_.stream(res, feed_);
               });
    server_.start();
  }
  std::shared_ptr<ChunkFeed> feed_ = std::make_shared<ChunkFeed>();
};

TEST_F(WatchTest, DecodesEventsSplitAcrossChunks) {
  serve_watch();
  std::string a = event("ADDED", pod("a", "5"));
  std::string m = event("MODIFIED", pod("a", "6"));
  std::string d = event("DELETED", pod("a", "7"));
  std::string b =
      event("BOOKMARK",
            {{"kind", "Pod"}, {"apiVersion", "v1"}, {"metadata", {{"resourceVersion", "8"}}}});
  // Split inside objects, several events in one chunk, and a string holding braces.
  feed_->push(a.substr(0, 10));
  feed_->push(a.substr(10) + m.substr(0, m.size() / 2));
  feed_->push(m.substr(m.size() / 2) + d + b.substr(0, 1));
  feed_->push(b.substr(1));
  feed_->push(event("MODIFIED", {{"metadata", {{"name", "we{ir}d\"]"}}}}));
  feed_->close();

  Client client(config());
  WatchOptions options;
  options.resource_version = "4";
  options.allow_watch_bookmarks = true;
  options.timeout_seconds = 300;
  options.label_selector = "app=etcd";
  std::vector<std::string> seen;
  auto end = client.watch(resources::kPods, "ns1", options, [&](const WatchEvent& e) {
    seen.push_back(e.type + ":" + e.object["metadata"].value("resourceVersion", "") +
                   e.object["metadata"].value("name", ""));
    return true;
  });
  ASSERT_TRUE(end) << end.error().what();
  EXPECT_EQ(*end, WatchEnd::kServerClosed);
  EXPECT_EQ(seen, (std::vector<std::string>{"ADDED:5a", "MODIFIED:6a", "DELETED:7a", "BOOKMARK:8",
                                            "MODIFIED:we{ir}d\"]"}));
  auto req = server_.last_request();
  EXPECT_EQ(req.target,
            "/api/v1/namespaces/ns1/pods?watch=true&resourceVersion=4&allowWatchBookmarks=true"
            "&timeoutSeconds=300&labelSelector=app%3Detcd");
  RequestKey key{"WATCH", 200, "127.0.0.1:" + std::to_string(server_.port())};
  EXPECT_EQ(client.request_counts()[key], 1u);
}

TEST_F(WatchTest, ErrorEventGoneEndsTheWatch) {
  serve_watch();
  feed_->push(event("ADDED", pod("a", "5")));
  feed_->push(event("ERROR", status(410, "Expired", "too old resource version: 1 (5)")));
  feed_->push(event("ADDED", pod("never", "9")));
  Client client(config());
  int events = 0;
  auto end = client.watch(resources::kPods, "ns1", {}, [&](const WatchEvent&) {
    ++events;
    return true;
  });
  ASSERT_FALSE(end);
  EXPECT_TRUE(is_gone(end.error()));
  EXPECT_EQ(end.error().http_code, 410);
  EXPECT_EQ(end.error().message, "too old resource version: 1 (5)");
  EXPECT_EQ(events, 1);
}

TEST_F(WatchTest, HttpErrorBeforeTheStream) {
  serve_watch(403, status(403, "Forbidden",
                          "pods is forbidden: User \"x\" cannot watch resource \"pods\""));
  Client client(config());
  auto end = client.watch(resources::kPods, "", {}, [](const WatchEvent&) { return true; });
  ASSERT_FALSE(end);
  EXPECT_TRUE(is_forbidden(end.error()));
  EXPECT_THAT(end.error().message, HasSubstr("cannot watch"));
  EXPECT_EQ(server_.last_request().path, "/api/v1/pods");
}

TEST_F(WatchTest, CallbackCanEndTheWatch) {
  serve_watch();
  feed_->push(event("ADDED", pod("a")) + event("ADDED", pod("b")) + event("ADDED", pod("c")));
  Client client(config());
  std::vector<std::string> names;
  auto end = client.watch(resources::kPods, "ns1", {}, [&](const WatchEvent& e) {
    names.push_back(e.object["metadata"]["name"]);
    return names.size() < 2;
  });
  ASSERT_TRUE(end) << end.error().what();
  EXPECT_EQ(*end, WatchEnd::kCallbackStopped);
  EXPECT_EQ(names, (std::vector<std::string>{"a", "b"}));
}

TEST_F(WatchTest, StopFlagEndsALongWatchPromptly) {
  serve_watch();
  feed_->push(event("ADDED", pod("a")));  // then nothing: the stream stays open
  Client client(config());
  std::atomic<bool> stop{false};
  std::atomic<int> events{0};
  auto watching = std::async(std::launch::async, [&] {
    return client.watch(
        resources::kPods, "ns1", {},
        [&](const WatchEvent&) {
          ++events;
          return true;
        },
        &stop);
  });
  ASSERT_TRUE(eventually([&] { return events.load() == 1; }));
  auto stop_at = std::chrono::steady_clock::now();
  stop = true;
  ASSERT_EQ(watching.wait_for(2s), std::future_status::ready);
  auto took = std::chrono::steady_clock::now() - stop_at;
  auto end = watching.get();
  ASSERT_TRUE(end) << end.error().what();
  EXPECT_EQ(*end, WatchEnd::kStopRequested);
  EXPECT_LT(took, 500ms);  // polled every 50 ms; generous for loaded CI machines
}

TEST_F(WatchTest, ServerDroppingMidEventIsNotAnEvent) {
  serve_watch();
  feed_->push(event("ADDED", pod("a")) + R"({"type":"ADDED","object":{"metad)");
  feed_->close();
  Client client(config());
  int events = 0;
  auto end = client.watch(resources::kPods, "ns1", {}, [&](const WatchEvent&) {
    ++events;
    return true;
  });
  ASSERT_TRUE(end) << end.error().what();
  EXPECT_EQ(*end, WatchEnd::kServerClosed);
  EXPECT_EQ(events, 1);
}

// --- the decoder on its own ---------------------------------------------------------

TEST(WatchStreamDecoderTest, ByteByByteAndWithoutSeparators) {
  json nested = json::object();
  nested["n"] = json::array({1, 2, json{{"x", "]"}}});
  std::string stream = event("ADDED", {{"s", "a\\\"}{"}}) +
                       json{{"type", "MODIFIED"}, {"object", nested}}.dump() +
                       json{{"type", "DELETED"}, {"object", json::object()}}.dump() + "\r\n  ";
  WatchStreamDecoder decoder;
  std::vector<std::string> types;
  std::vector<json> objects;
  for (char c : stream) {
    ASSERT_TRUE(decoder.feed(std::string_view(&c, 1), [&](WatchStreamDecoder::Decoded&& d) {
      if (d.error) {
        ADD_FAILURE() << d.error->what();
        return true;
      }
      types.push_back(d.event->type);
      objects.push_back(d.event->object);
      return true;
    }));
  }
  EXPECT_EQ(types, (std::vector<std::string>{"ADDED", "MODIFIED", "DELETED"}));
  EXPECT_EQ(objects[0]["s"], "a\\\"}{");
  EXPECT_EQ(objects[1]["n"][2]["x"], "]");
  EXPECT_EQ(decoder.pending(), 0u);
}

TEST(WatchStreamDecoderTest, GarbageAndMalformedFramesAreErrors) {
  WatchStreamDecoder decoder;
  std::vector<std::string> errors;
  auto sink = [&](WatchStreamDecoder::Decoded&& d) {
    if (d.error) errors.push_back(d.error->message);
    return true;
  };
  decoder.feed("{\"no-type\":1}\n", sink);
  decoder.feed("x", sink);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_THAT(errors[0], HasSubstr("invalid watch event"));
  EXPECT_THAT(errors[1], HasSubstr("unexpected 'x'"));
}

// Found by fuzzing (test/fuzz/regressions/watch_stream): an ERROR event whose
// Status code is not a number used to throw out of feed(); it is an error event
// like any other, its reason from the Status.
TEST(WatchStreamDecoderTest, ErrorEventWithNonIntegerCodeIsAnError) {
  WatchStreamDecoder decoder;
  std::vector<ApiError> errors;
  auto sink = [&](WatchStreamDecoder::Decoded&& d) {
    if (d.error) errors.push_back(*d.error);
    return true;
  };
  EXPECT_TRUE(decoder.feed(R"({"type":"ERROR","object":{"code":"410"}})", sink));
  EXPECT_TRUE(decoder.feed(
      R"({"type":"ERROR","object":{"kind":"Status","code":"x","reason":"Expired","message":"gone"}})",
      sink));
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[1].reason, ApiErrorReason::kGone);
  EXPECT_EQ(errors[1].message, "gone");
}

TEST(WatchStreamDecoderTest, StopsWhenSinkDeclines) {
  WatchStreamDecoder decoder;
  int calls = 0;
  bool more = decoder.feed(event("ADDED", json::object()) + event("ADDED", json::object()),
                           [&](WatchStreamDecoder::Decoded&&) {
                             ++calls;
                             return false;
                           });
  EXPECT_FALSE(more);
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace druid::kube
