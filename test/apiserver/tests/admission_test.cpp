// Validating admission webhooks: matching, AdmissionReview contents (user,
// subresource, objects), denials, failure policies and timeouts.

#include "apiserver/admission.hpp"

#include <gtest/gtest.h>

#include <condition_variable>

#include "apiserver/tests/fixture.hpp"
#include "apiserver/tls.hpp"
#include "util/base64.hpp"

namespace druid::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// An HTTPS webhook endpoint on loopback that records reviews and answers with
// `decide` (allowed, or a status to deny with).
class WebhookServer {
 public:
  using Decide = std::function<std::optional<json>(const json& request)>;
  explicit WebhookServer(std::vector<std::string> dns_names = {"localhost"})
      : tls_(generate_tls_credentials(dns_names, {"127.0.0.1"}, "webhook")),
        server_([this](SSL_CTX& ctx) {
          return use_pem_credentials(ctx, tls_.cert_pem, tls_.key_pem);
        }) {
    server_.Post("/validate", [this](const httplib::Request& req, httplib::Response& res) {
      json review = json::parse(req.body);
      const json request = review["request"];
      Decide decide;
      {
        std::lock_guard lock(mutex_);
        requests_.push_back(request);
        decide = decide_;
      }
      if (stall_) {
        std::unique_lock lock(mutex_);
        released_.wait_for(lock, 5s, [this] { return !stall_; });
      }
      std::optional<json> denial = decide ? decide(request) : std::nullopt;
      json response = {{"uid", request["uid"]}, {"allowed", !denial.has_value()}};
      if (denial) response["status"] = *denial;
      res.set_content(json{{"apiVersion", "admission.k8s.io/v1"},
                           {"kind", "AdmissionReview"},
                           {"response", response}}
                          .dump(),
                      "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::yield();
  }
  ~WebhookServer() {
    release();
    server_.stop();
    thread_.join();
  }
  void decide(Decide d) {
    std::lock_guard lock(mutex_);
    decide_ = std::move(d);
  }
  void stall() { stall_ = true; }
  void release() {
    {
      std::lock_guard lock(mutex_);
      stall_ = false;
    }
    released_.notify_all();
  }
  std::vector<json> requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  int port() const { return port_; }
  std::string ca_bundle() const { return util::base64_encode(tls_.ca_pem); }

 private:
  TlsCredentials tls_;
  httplib::SSLServer server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mutex_;
  std::condition_variable released_;
  std::atomic<bool> stall_{false};
  Decide decide_;
  std::vector<json> requests_;
};

json webhook_configuration(const std::string& name, json webhook) {
  return {{"apiVersion", "admissionregistration.k8s.io/v1"},
          {"kind", "ValidatingWebhookConfiguration"},
          {"metadata", {{"name", name}}},
          {"webhooks", json::array({webhook})}};
}

json webhook(const std::string& name, const WebhookServer& server, json rules) {
  return {{"name", name},
          {"clientConfig",
           {{"url", "https://127.0.0.1:" + std::to_string(server.port()) + "/validate"},
            {"caBundle", server.ca_bundle()}}},
          {"rules", rules},
          {"sideEffects", "None"},
          {"admissionReviewVersions", {"v1"}}};
}

json rule(json operations, json groups, json resources) {
  return {{"operations", operations},
          {"apiGroups", groups},
          {"apiVersions", {"*"}},
          {"resources", resources}};
}

class AdmissionTest : public ApiServerTest {
 protected:
  void add_configuration(const json& configuration) {
    ASSERT_EQ(client_
                  ->post("/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations",
                         configuration)
                  .status,
              201);
  }
  WebhookServer hooks_;
};

TEST_F(AdmissionTest, DenialAnswersWithTheWebhooksStatus) {
  hooks_.decide([](const json& request) -> std::optional<json> {
    if (request["object"]["metadata"].value("labels", json::object()).contains("deny")) {
      return json{{"code", 403}, {"reason", "Forbidden"}, {"message", "no entry"}};
    }
    return std::nullopt;
  });
  add_configuration(webhook_configuration(
      "cm", webhook("cm.example.com", hooks_,
                    json::array({rule({"CREATE", "UPDATE"}, {""}, {"configmaps"})}))));
  EXPECT_EQ(client_->post(kConfigMaps, configmap("ok")).status, 201);
  auto denied = client_->post(kConfigMaps, configmap("no", {{"deny", "yes"}}));
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(denied.body["message"],
            "admission webhook \"cm.example.com\" denied the request: no entry");
  EXPECT_EQ(denied.body["reason"], "Forbidden");
  EXPECT_FALSE(server_.get("configmaps", "default", "no"));
  EXPECT_EQ(hooks_.requests().size(), 2u);
}

TEST_F(AdmissionTest, DenialWithoutCodeIsBadRequest) {
  hooks_.decide([](const json&) { return json::object(); });
  add_configuration(webhook_configuration(
      "cm", webhook("cm.example.com", hooks_, json::array({rule({"*"}, {""}, {"configmaps"})}))));
  auto denied = client_->post(kConfigMaps, configmap("a"));
  EXPECT_EQ(denied.status, 400);
  EXPECT_EQ(denied.body["message"],
            "admission webhook \"cm.example.com\" denied the request without explanation");
}

TEST_F(AdmissionTest, ReviewCarriesUserObjectsAndOperation) {
  add_configuration(webhook_configuration(
      "cm", webhook("cm.example.com", hooks_, json::array({rule({"*"}, {""}, {"configmaps"})}))));
  server_.add_user("druid-token", "system:serviceaccount:default:druid",
                   {"system:serviceaccounts"});
  TestClient druid(server_, "druid-token");
  ASSERT_EQ(druid.post(kConfigMaps, configmap("a")).status, 201);
  ASSERT_EQ(druid.patch(std::string(kConfigMaps) + "/a", json{{"data", {{"k", "2"}}}}).status, 200);
  ASSERT_EQ(druid.del(std::string(kConfigMaps) + "/a").status, 200);
  auto requests = hooks_.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0]["operation"], "CREATE");
  EXPECT_EQ(requests[0]["userInfo"]["username"], "system:serviceaccount:default:druid");
  EXPECT_EQ(requests[0]["userInfo"]["groups"],
            json::array({"system:serviceaccounts", "system:authenticated"}));
  EXPECT_EQ(requests[0]["kind"], json({{"group", ""}, {"version", "v1"}, {"kind", "ConfigMap"}}));
  EXPECT_EQ(requests[0]["resource"],
            json({{"group", ""}, {"version", "v1"}, {"resource", "configmaps"}}));
  EXPECT_EQ(requests[0]["namespace"], "default");
  EXPECT_EQ(requests[0]["name"], "a");
  EXPECT_TRUE(requests[0]["oldObject"].is_null());
  EXPECT_EQ(requests[1]["operation"], "UPDATE");
  EXPECT_EQ(requests[1]["object"]["data"]["k"], "2");
  EXPECT_EQ(requests[1]["oldObject"]["data"]["k"], "v");
  EXPECT_EQ(requests[2]["operation"], "DELETE");
  EXPECT_TRUE(requests[2]["object"].is_null());
  EXPECT_EQ(requests[2]["oldObject"]["metadata"]["name"], "a");
  EXPECT_EQ(requests[2]["options"]["kind"], "DeleteOptions");
}

TEST_F(AdmissionTest, SubresourceRulesMatchOnlyThatSubresource) {
  add_configuration(webhook_configuration(
      "sts", webhook("sts.example.com", hooks_,
                     json::array({rule({"UPDATE"}, {"apps"}, {"statefulsets/scale"})}))));
  create(kStatefulSets, statefulset("s"));
  client_->patch(std::string(kStatefulSets) + "/s", json{{"spec", {{"replicas", 2}}}});
  EXPECT_TRUE(hooks_.requests().empty());
  client_->patch(std::string(kStatefulSets) + "/s/scale", json{{"spec", {{"replicas", 3}}}});
  auto requests = hooks_.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0]["subResource"], "scale");
  EXPECT_EQ(requests[0]["kind"],
            json({{"group", "autoscaling"}, {"version", "v1"}, {"kind", "Scale"}}));
  EXPECT_EQ(requests[0]["object"]["spec"]["replicas"], 3);
  EXPECT_EQ(requests[0]["oldObject"]["spec"]["replicas"], 2);
}

TEST_F(AdmissionTest, ObjectSelectorFiltersRequests) {
  json hook = webhook("cm.example.com", hooks_, json::array({rule({"*"}, {""}, {"configmaps"})}));
  hook["objectSelector"] = {{"matchLabels", {{"checked", "yes"}}}};
  add_configuration(webhook_configuration("cm", hook));
  create(kConfigMaps, configmap("plain"));
  create(kConfigMaps, configmap("checked", {{"checked", "yes"}}));
  auto requests = hooks_.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0]["name"], "checked");
}

TEST_F(AdmissionTest, FailurePolicyDecidesWhenTheWebhookIsUnreachable) {
  json hook = webhook("down.example.com", hooks_, json::array({rule({"*"}, {""}, {"configmaps"})}));
  hook["clientConfig"]["url"] = "https://127.0.0.1:1/validate";
  add_configuration(webhook_configuration("down", hook));
  auto failed = client_->post(kConfigMaps, configmap("a"));
  EXPECT_EQ(failed.status, 500);
  EXPECT_TRUE(failed.body["message"].get<std::string>().starts_with(
      "Internal error occurred: failed calling webhook \"down.example.com\": failed to call "
      "webhook: Post \"https://127.0.0.1:1/validate?timeout=10s\": "))
      << failed.text;
  hook["failurePolicy"] = "Ignore";
  auto current =
      client_->get("/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/down");
  json updated = current.body;
  updated["webhooks"][0] = hook;
  ASSERT_EQ(client_
                ->put("/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/down",
                      updated)
                .status,
            200);
  EXPECT_EQ(client_->post(kConfigMaps, configmap("a")).status, 201);
}

TEST_F(AdmissionTest, TimeoutFailsTheRequest) {
  json hook = webhook("slow.example.com", hooks_, json::array({rule({"*"}, {""}, {"configmaps"})}));
  hook["timeoutSeconds"] = 1;
  add_configuration(webhook_configuration("slow", hook));
  hooks_.stall();
  const auto start = std::chrono::steady_clock::now();
  auto r = client_->post(kConfigMaps, configmap("a"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  hooks_.release();
  EXPECT_EQ(r.status, 500);
  EXPECT_NE(r.body["message"].get<std::string>().find("context deadline exceeded"),
            std::string::npos)
      << r.text;
}

TEST_F(AdmissionTest, ServiceReferencesReachLoopback) {
  WebhookServer service_hooks({"druid-webhook.kube-system.svc"});
  service_hooks.decide([](const json&) { return json{{"message", "via service"}}; });
  json hook = {{"name", "svc.example.com"},
               {"clientConfig",
                {{"service",
                  {{"name", "druid-webhook"},
                   {"namespace", "kube-system"},
                   {"path", "/validate"},
                   {"port", service_hooks.port()}}},
                 {"caBundle", service_hooks.ca_bundle()}}},
               {"rules", json::array({rule({"*"}, {""}, {"configmaps"})})}};
  add_configuration(webhook_configuration("svc", hook));
  auto r = client_->post(kConfigMaps, configmap("a"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body["message"],
            "admission webhook \"svc.example.com\" denied the request: via service");
}

TEST(AdmissionRulesTest, ResourceAndScopeMatching) {
  auto registry = ResourceRegistry::with_builtins();
  AdmissionAttributes a;
  a.operation = "UPDATE";
  a.type = *registry.find("apps", "v1", "statefulsets");
  a.subresource = "status";
  EXPECT_TRUE(rule_matches(rule({"UPDATE"}, {"apps"}, {"statefulsets/*"}), a));
  EXPECT_TRUE(rule_matches(rule({"*"}, {"*"}, {"*/status"}), a));
  EXPECT_FALSE(rule_matches(rule({"UPDATE"}, {"apps"}, {"statefulsets"}), a));
  EXPECT_FALSE(rule_matches(rule({"UPDATE"}, {"apps"}, {"*"}), a));
  EXPECT_FALSE(rule_matches(rule({"CREATE"}, {"apps"}, {"*/*"}), a));
  json cluster = rule({"*"}, {"*"}, {"*/*"});
  cluster["scope"] = "Cluster";
  EXPECT_FALSE(rule_matches(cluster, a));
  EXPECT_TRUE(label_selector_matches(json::object(), {}));
  EXPECT_TRUE(label_selector_matches(
      json{{"matchExpressions",
            json::array({{{"key", "a"}, {"operator", "In"}, {"values", {"1"}}}})}},
      {{"a", "1"}}));
  EXPECT_FALSE(label_selector_matches(json{{"matchLabels", {{"a", "2"}}}}, {{"a", "1"}}));
}

}  // namespace
}  // namespace druid::testing
