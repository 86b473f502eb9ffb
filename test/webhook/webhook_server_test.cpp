// The HTTPS webhook server: start-up errors naming the cert files, the one
// path it serves, AdmissionReview round trips over real TLS, and certificate
// rotation without a restart.

#include "operator/webhook_server.hpp"

#include <gtest/gtest.h>

#include "api/resources.hpp"
#include "support/live_server.hpp"
#include "support/webhook_env.hpp"
#include "util/base64.hpp"
#include "webhook/certificate_reloader.hpp"
#include "webhook/fake_lookup.hpp"

namespace druid::webhook::test {
namespace {

using druid::operator_::WebhookServer;
using druid::operator_::WebhookServerOptions;
using druid::testing::generate_tls_credentials;
using druid::testing::TlsCredentials;

TlsCredentials credentials(const std::string& common_name) {
  return generate_tls_credentials({"localhost"}, {"127.0.0.1"}, common_name);
}

class WebhookServerTest : public ::testing::Test {
 protected:
  WebhookServerOptions options() const {
    WebhookServerOptions o;
    o.bind_address = "127.0.0.1";
    o.port = 0;
    o.cert_dir = certs_.path().string();
    o.reconciler_service_account = kReconciler;
    o.exempt_service_accounts = {kGarbageCollector};
    return o;
  }
  std::unique_ptr<WebhookServer> start() {
    auto started = WebhookServer::start(options(), live_.client());
    if (!started) {
      ADD_FAILURE() << started.error();
      return nullptr;
    }
    return std::move(*started);
  }
  HttpResult post(const WebhookServer& server, const std::string& body,
                  const std::string& path = "/webhooks/etcdcomponents",
                  const std::string& content_type = "application/json") {
    return https("POST", server.port(), certs_ / "ca.crt", path, body, content_type);
  }

  kube::test::LiveServer live_;
  TempDir certs_{"webhook-certs"};
};

TEST_F(WebhookServerTest, MissingCertificateOrKeyIsAStartError) {
  auto no_cert = WebhookServer::start(options(), live_.client());
  ASSERT_FALSE(no_cert);
  EXPECT_NE(no_cert.error().find((certs_ / "tls.crt").string()), std::string::npos)
      << no_cert.error();
  EXPECT_NE(no_cert.error().find("No such file or directory"), std::string::npos);

  write_file(certs_ / "tls.crt", credentials("one").cert_pem);
  auto no_key = WebhookServer::start(options(), live_.client());
  ASSERT_FALSE(no_key);
  EXPECT_NE(no_key.error().find((certs_ / "tls.key").string()), std::string::npos)
      << no_key.error();
}

TEST_F(WebhookServerTest, UnusableCertificateFilesAreStartErrors) {
  const auto one = credentials("one");
  write_file(certs_ / "tls.crt", "not a certificate");
  write_file(certs_ / "tls.key", one.key_pem);
  auto garbage = WebhookServer::start(options(), live_.client());
  ASSERT_FALSE(garbage);
  EXPECT_EQ(garbage.error(), "the webhook server certificate " + (certs_ / "tls.crt").string() +
                                 " holds no PEM certificate");

  write_file(certs_ / "tls.crt", one.cert_pem);
  write_file(certs_ / "tls.key", credentials("two").key_pem);
  auto mismatch = WebhookServer::start(options(), live_.client());
  ASSERT_FALSE(mismatch);
  EXPECT_EQ(mismatch.error(), "the webhook server key " + (certs_ / "tls.key").string() +
                                  " does not belong to the certificate " +
                                  (certs_ / "tls.crt").string());
}

TEST_F(WebhookServerTest, TakenPortIsAStartError) {
  install_credentials(certs_.path(), credentials("one"));
  auto first = start();
  ASSERT_TRUE(first);
  auto o = options();
  o.port = first->port();
  auto second = WebhookServer::start(o, live_.client());
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error(),
            "the webhook server cannot listen on 127.0.0.1:" + std::to_string(first->port()));
}

TEST_F(WebhookServerTest, ServesOnlyPostsToTheWebhookPath) {
  install_credentials(certs_.path(), credentials("one"));
  auto server = start();
  ASSERT_TRUE(server);
  EXPECT_TRUE(server->listening());
  EXPECT_EQ(post(*server, "{}", "/webhooks/other").status, 404);
  EXPECT_EQ(https("GET", server->port(), certs_ / "ca.crt", "/webhooks/etcdcomponents").status,
            404);
  EXPECT_EQ(https("GET", server->port(), certs_ / "ca.crt", "/metrics").status, 404);
  server->stop();
  EXPECT_FALSE(server->listening());
  EXPECT_EQ(post(*server, "{}").status, 0);
  server->stop();  // idempotent
}

TEST_F(WebhookServerTest, AnswersInTheRequestsVersionWithItsUid) {
  install_credentials(certs_.path(), credentials("one"));
  auto server = start();
  ASSERT_TRUE(server);
  for (const char* version : {"admission.k8s.io/v1", "admission.k8s.io/v1beta1"}) {
    const json review = {
        {"apiVersion", version},
        {"kind", "AdmissionReview"},
        {"request",
         {{"uid", std::string("uid-") + version},
          {"kind", {{"group", ""}, {"version", "v1"}, {"kind", "ConfigMap"}}},
          {"resource", {{"group", ""}, {"version", "v1"}, {"resource", "configmaps"}}},
          {"operation", "CREATE"},
          {"userInfo", {{"username", "jane"}}},
          {"object", object("v1", "ConfigMap", "x")}}}};
    const auto res = post(*server, review.dump());
    ASSERT_EQ(res.status, 200);
    const json answer = json::parse(res.body);
    EXPECT_EQ(answer["apiVersion"], version);
    EXPECT_EQ(answer["kind"], "AdmissionReview");
    EXPECT_EQ(answer["response"]["uid"], std::string("uid-") + version);
    EXPECT_EQ(answer["response"]["allowed"], true);
    EXPECT_EQ(answer["response"]["status"]["message"], "operation CREATE is allowed");
  }
}

TEST_F(WebhookServerTest, JudgesWithTheClusterState) {
  ASSERT_EQ(kube::test::create_namespace(live_.client(), kNs), "");
  live_.server().install_crds(fs::path(DRUID_SOURCE_DIR) / "config" / "crd");
  json e = etcd();
  e["metadata"].erase("uid");
  ASSERT_TRUE(live_.client().create(api::resources::kEtcds, kNs, e));
  install_credentials(certs_.path(), credentials("one"));
  auto server = start();
  ASSERT_TRUE(server);
  const json review = {
      {"apiVersion", "admission.k8s.io/v1"},
      {"kind", "AdmissionReview"},
      {"request",
       {{"uid", "u"},
        {"kind", {{"group", "apps"}, {"version", "v1"}, {"kind", "StatefulSet"}}},
        {"resource", {{"group", "apps"}, {"version", "v1"}, {"resource", "statefulsets"}}},
        {"name", kEtcd},
        {"namespace", kNs},
        {"operation", "UPDATE"},
        {"userInfo", {{"username", "jane"}}},
        {"object", statefulset()},
        {"oldObject", statefulset()}}}};
  const json denied = json::parse(post(*server, review.dump()).body);
  EXPECT_EQ(denied["response"]["allowed"], false);
  EXPECT_EQ(denied["response"]["status"]["code"], 403);
  EXPECT_EQ(denied["response"]["status"]["message"].get<std::string>().rfind(
                "changes from service account jane are disallowed at the moment.", 0),
            0u);
  json as_druid = review;
  as_druid["request"]["userInfo"]["username"] = kReconciler;
  EXPECT_EQ(json::parse(post(*server, as_druid.dump()).body)["response"]["allowed"], true);
}

TEST_F(WebhookServerTest, UnreadableRequestsAreAnsweredWithBadRequest) {
  install_credentials(certs_.path(), credentials("one"));
  auto server = start();
  ASSERT_TRUE(server);
  auto status_of = [](const HttpResult& res) {
    EXPECT_EQ(res.status, 200);
    const json answer = json::parse(res.body, nullptr, false);
    EXPECT_EQ(answer["apiVersion"], "admission.k8s.io/v1");
    EXPECT_EQ(answer["response"]["allowed"], false);
    return answer["response"]["status"];
  };
  EXPECT_EQ(
      status_of(post(*server, "")),
      json({{"metadata", json::object()}, {"code", 400}, {"message", "request body is empty"}}));
  EXPECT_EQ(status_of(post(*server, "{}", "/webhooks/etcdcomponents", "text/plain"))["message"],
            "contentType=text/plain, expected application/json");
  EXPECT_EQ(status_of(post(*server, "{garbage"))["code"], 400);
  EXPECT_EQ(status_of(post(*server, R"({"apiVersion":"admission.k8s.io/v1"})"))["message"],
            "got an empty AdmissionRequest");
  // An object that does not decode: 400 with the decoder's error code.
  const json review = {{"apiVersion", "admission.k8s.io/v1"},
                       {"request",
                        {{"uid", "u"},
                         {"kind", {{"group", "apps"}, {"version", "v1"}, {"kind", "StatefulSet"}}},
                         {"operation", "DELETE"},
                         {"oldObject", nullptr}}}};
  const json answer = json::parse(post(*server, review.dump()).body);
  EXPECT_EQ(answer["response"]["uid"], "u");
  EXPECT_EQ(answer["response"]["status"]["code"], 400);
  EXPECT_EQ(answer["response"]["status"]["message"],
            "[Operation: decodeObjectAsUnstructured, Code: ERR_DECODE_REQUEST_OBJECT] there is no "
            "content to decode");
}

TEST_F(WebhookServerTest, NewHandshakesSeeRotatedCertificates) {
  install_credentials(certs_.path(), credentials("webhook-one"));
  auto server = start();
  ASSERT_TRUE(server);
  EXPECT_EQ(peer_common_name(server->port()), "webhook-one");

  const auto two = credentials("webhook-two");
  install_credentials(certs_.path(), two);
  EXPECT_EQ(peer_common_name(server->port()), "webhook-two");
  // And clients trusting only the new CA get answers.
  EXPECT_EQ(post(*server, "{}", "/webhooks/other").status, 404);

  // A certificate without its key is not taken; the pair is, once complete.
  const auto three = credentials("webhook-three");
  write_file(certs_ / "tls.crt", three.cert_pem);
  EXPECT_EQ(peer_common_name(server->port()), "webhook-two");
  write_file(certs_ / "tls.key", three.key_pem);
  EXPECT_EQ(peer_common_name(server->port()), "webhook-three");

  // Files gone for a moment (a Secret volume being swapped): keep serving.
  fs::remove(certs_ / "tls.crt");
  EXPECT_EQ(peer_common_name(server->port()), "webhook-three");
}

TEST(CertificateReloader, LoadsAgainOnlyWhenTheFilesChange) {
  TempDir dir("reloader");
  const auto one = credentials("one");
  // A chain: leaf followed by its CA, as cert-manager writes tls.crt.
  write_file(dir / "tls.crt", one.cert_pem + one.ca_pem);
  write_file(dir / "tls.key", one.key_pem);
  auto reloader = CertificateReloader::load(dir.path());
  ASSERT_TRUE(reloader) << reloader.error();
  EXPECT_EQ((*reloader)->generation(), 1u);
  EXPECT_FALSE((*reloader)->refresh());
  const auto two = credentials("two");
  write_file(dir / "tls.key", two.key_pem);
  write_file(dir / "tls.crt", two.cert_pem);
  EXPECT_TRUE((*reloader)->refresh());
  EXPECT_EQ((*reloader)->generation(), 2u);
  EXPECT_FALSE((*reloader)->refresh());
}

}  // namespace
}  // namespace druid::webhook::test

namespace druid::webhook::test {
namespace {

TEST(WebhookServerOptions, ComeFromTheOperatorConfiguration) {
  auto config = api::load_operator_config(R"(
apiVersion: config.druid.gardener.cloud/v1alpha1
kind: OperatorConfiguration
server:
  webhooks: {bindAddress: 127.0.0.1, port: 10250, serverCertDir: /certs}
webhooks:
  etcdComponentProtection:
    enabled: true
    serviceAccountInfo: {name: etcd-druid, namespace: garden}
    exemptServiceAccounts: [system:serviceaccount:kube-system:generic-garbage-collector]
)");
  ASSERT_TRUE(config);
  auto options = operator_::webhook_server_options(*config);
  ASSERT_TRUE(options) << options.error();
  EXPECT_EQ(options->bind_address, "127.0.0.1");
  EXPECT_EQ(options->port, 10250);
  EXPECT_EQ(options->cert_dir, "/certs");
  EXPECT_EQ(options->reconciler_service_account, "system:serviceaccount:garden:etcd-druid");
  EXPECT_EQ(options->exempt_service_accounts, std::vector<std::string>{kGarbageCollector});

  // Defaults: port 9443, /etc/webhook-server-tls; no identity is an error.
  auto defaults = operator_::webhook_server_options(api::default_operator_config());
  ASSERT_FALSE(defaults);
  EXPECT_EQ(defaults.error(),
            "no reconciler service account FQDN or service account info provided");
  auto with_fqdn = api::default_operator_config();
  with_fqdn.webhooks.etcd_component_protection.reconciler_service_account_fqdn =
      "system:serviceaccount:x:y";
  auto defaulted = operator_::webhook_server_options(with_fqdn);
  ASSERT_TRUE(defaulted);
  EXPECT_EQ(defaulted->port, 9443);
  EXPECT_EQ(defaulted->cert_dir, "/etc/webhook-server-tls");
  EXPECT_EQ(defaulted->bind_address, "");
}

}  // namespace
}  // namespace druid::webhook::test
