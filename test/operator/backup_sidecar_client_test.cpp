// The EtcdOpsTask controller's HTTP client for etcd-backup-restore's
// snapshot endpoints, against a local HTTPS server that plays the sidecar
// (POST /snapshot/<full|delta>): the request it sends, the CA it trusts, and
// what slow, failing and unverifiable sidecars give back.
#include "operator/backup_sidecar_client.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

#include "kube/fake_http_server.hpp"

namespace druid::operator_ {
namespace {

using controller::etcdopstask::SnapshotCall;
using controller::etcdopstask::SnapshotCallErrorKind;
using kube::test::FakeServer;
using kube::test::make_test_pki;
using std::chrono::seconds;

// The EtcdOpsTask controller's call: POST with the sidecar's CA (if any).
SnapshotCall post(std::string url, std::string ca_pem, seconds timeout) {
  SnapshotCall call;
  call.url = std::move(url);
  call.ca_pem = std::move(ca_pem);
  call.timeout = timeout;
  return call;
}

TEST(HoldsCertificate, TellsPemCertificatesFromAnythingElse) {
  const auto pki = make_test_pki();
  EXPECT_TRUE(holds_certificate(pki.ca.cert));
  EXPECT_TRUE(holds_certificate(pki.ca.cert + pki.server.cert));
  EXPECT_FALSE(holds_certificate(""));
  EXPECT_FALSE(holds_certificate("garbage"));
  EXPECT_FALSE(holds_certificate(pki.ca.key));
  EXPECT_FALSE(holds_certificate("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"));
}

TEST(BackupSidecarClient, PostsToTheSnapshotEndpointOverHttp) {
  FakeServer sidecar;
  sidecar.on("POST", "/snapshot/full", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"kind":"Full","isFinal":true})", "application/json");
  });
  sidecar.start();
  BackupSidecarClient client;
  auto answer =
      client.take_snapshot(post(sidecar.url() + "/snapshot/full?final=true", "", seconds(10)));
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(answer->body, R"({"kind":"Full","isFinal":true})");
  const auto request = sidecar.last_request();
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.path, "/snapshot/full");
  EXPECT_EQ(request.param("final"), "true");
}

TEST(BackupSidecarClient, TrustsOnlyTheGivenCa) {
  const auto pki = make_test_pki();
  FakeServer sidecar(pki, /*require_client_cert=*/false);
  sidecar.on("POST", "/snapshot/delta", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("null", "application/json");
  });
  sidecar.start();
  BackupSidecarClient client;
  const std::string url = sidecar.url("https") + "/snapshot/delta";

  auto trusted = client.take_snapshot(post(url, pki.ca.cert, seconds(10)));
  ASSERT_TRUE(trusted) << trusted.error().message;
  EXPECT_EQ(trusted->status, 200);
  EXPECT_EQ(trusted->body, "null");

  const auto other = make_test_pki();
  auto wrong_ca = client.take_snapshot(post(url, other.ca.cert, seconds(10)));
  ASSERT_FALSE(wrong_ca);
  EXPECT_EQ(wrong_ca.error().kind, SnapshotCallErrorKind::kRequest);
  EXPECT_EQ(sidecar.requests().size(), 1u);  // the unverified server got no request
}

TEST(BackupSidecarClient, AnUnusableCaIsRefusedBeforeAnyRequest) {
  FakeServer sidecar;
  sidecar.on("POST", "/snapshot/full", [](const httplib::Request&, httplib::Response&) {});
  sidecar.start();
  BackupSidecarClient client;
  auto answer =
      client.take_snapshot(post(sidecar.url() + "/snapshot/full", "garbage", seconds(10)));
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().kind, SnapshotCallErrorKind::kInvalidCa);
  EXPECT_TRUE(sidecar.requests().empty());
}

TEST(BackupSidecarClient, ErrorAnswersArePassedOnForTheControllerToJudge) {
  FakeServer sidecar;
  sidecar.on("POST", "/snapshot/full", [](const httplib::Request&, httplib::Response& res) {
    res.status = 405;
    res.set_content("backup store is not configured", "text/plain");
  });
  sidecar.start();
  BackupSidecarClient client;
  auto answer = client.take_snapshot(post(sidecar.url() + "/snapshot/full", "", seconds(10)));
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(answer->status, 405);
  EXPECT_EQ(answer->body, "backup store is not configured");
}

TEST(BackupSidecarClient, ASidecarSlowerThanTheTimeoutIsAFailedCall) {
  FakeServer sidecar;
  std::mutex mu;
  std::condition_variable released;
  bool release = false;
  sidecar.on("POST", "/snapshot/full", [&](const httplib::Request&, httplib::Response& res) {
    std::unique_lock lock(mu);
    released.wait(lock, [&] { return release; });  // answers only once the test is done
    res.set_content("{}", "application/json");
  });
  sidecar.start();
  BackupSidecarClient client;
  auto answer = client.take_snapshot(post(sidecar.url() + "/snapshot/full", "", seconds(1)));
  {
    std::lock_guard lock(mu);
    release = true;
  }
  released.notify_all();
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().kind, SnapshotCallErrorKind::kRequest);
}

TEST(BackupSidecarClient, NoSidecarListeningIsAFailedCall) {
  int port = 0;
  {
    FakeServer closed;
    closed.start();
    port = closed.port();
  }
  BackupSidecarClient client;
  auto answer = client.take_snapshot(
      post("http://127.0.0.1:" + std::to_string(port) + "/snapshot/full", "", seconds(5)));
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().kind, SnapshotCallErrorKind::kRequest);
}

}  // namespace
}  // namespace druid::operator_
