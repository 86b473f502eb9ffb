// The leader transfer of the OnDelete controller (docs/quorum-aware-updates.md
// which address it calls and which TLS material it takes from the Etcd's
// Secrets; failures before any connection are sentences for the Warning Event.

#include "operator/etcd_leader_transfer.hpp"

#include <gtest/gtest.h>

#include "kube/resource.hpp"
#include "support/fixtures.hpp"
#include "support/live_server.hpp"
#include "util/base64.hpp"

namespace druid::operator_ {
namespace {

using nlohmann::json;
using test::kTestNamespace;

TEST(LeaderEndpoint, AddressesTheLeaderPodThroughThePeerService) {
  json etcd = test::base_etcd_json(3);
  EXPECT_EQ(leader_endpoint(test::decode(etcd), "etcd-main-2"),
            "http://etcd-main-2.etcd-main-peer.shoot--dev--test.svc:2379");
  test::add_client_tls(etcd);
  etcd["spec"]["etcd"]["clientPort"] = 2479;
  EXPECT_EQ(leader_endpoint(test::decode(etcd), "etcd-main-0"),
            "https://etcd-main-0.etcd-main-peer.shoot--dev--test.svc:2479");
}

class ClientTlsMaterial : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(kube::test::create_namespace(live_.client(), kTestNamespace), "");
  }
  void secret(const std::string& name, const std::map<std::string, std::string>& data) {
    json encoded = json::object();
    for (const auto& [key, value] : data) encoded[key] = util::base64_encode(value);
    auto created =
        live_.client().create(kube::resources::kSecrets, kTestNamespace,
                              {{"apiVersion", "v1"},
                               {"kind", "Secret"},
                               {"metadata", {{"name", name}, {"namespace", kTestNamespace}}},
                               {"data", encoded}});
    ASSERT_TRUE(created) << created.error().what();
  }
  api::Etcd tls_etcd() {
    json etcd = test::base_etcd_json(3);
    test::add_client_tls(etcd);
    return test::decode(etcd);
  }
  kube::test::LiveServer live_;
};

TEST_F(ClientTlsMaterial, NoneWithoutClientTls) {
  auto tls = client_tls_material(live_.client(), test::decode(test::base_etcd_json(3)));
  ASSERT_TRUE(tls) << tls.error();
  EXPECT_TRUE(tls->ca_pem.empty());
  EXPECT_TRUE(tls->client_cert_pem.empty());
}

TEST_F(ClientTlsMaterial, CaFromDataKeyAndClientCertificate) {
  secret("client-url-ca-etcd", {{"bundle.crt", "CA"}, {"ca.crt", "other"}});
  secret("client-url-etcd-client-tls", {{"tls.crt", "CERT"}, {"tls.key", "KEY"}});
  auto tls = client_tls_material(live_.client(), tls_etcd());
  ASSERT_TRUE(tls) << tls.error();
  EXPECT_EQ(tls->ca_pem, "CA");
  EXPECT_EQ(tls->client_cert_pem, "CERT");
  EXPECT_EQ(tls->client_key_pem, "KEY");
}

TEST_F(ClientTlsMaterial, CaDefaultsToCaCrt) {
  json etcd = test::base_etcd_json(3);
  test::add_client_tls(etcd);
  etcd["spec"]["etcd"]["clientUrlTls"]["tlsCASecretRef"].erase("dataKey");
  secret("client-url-ca-etcd", {{"ca.crt", "CA"}});
  secret("client-url-etcd-client-tls", {{"tls.crt", "CERT"}, {"tls.key", "KEY"}});
  auto tls = client_tls_material(live_.client(), test::decode(etcd));
  ASSERT_TRUE(tls) << tls.error();
  EXPECT_EQ(tls->ca_pem, "CA");
}

TEST_F(ClientTlsMaterial, MissingMaterialIsNamed) {
  auto missing = client_tls_material(live_.client(), tls_etcd());
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().find("client-url-ca-etcd"), std::string::npos) << missing.error();

  secret("client-url-ca-etcd", {{"bundle.crt", "CA"}});
  secret("client-url-etcd-client-tls", {{"tls.crt", "CERT"}});
  auto no_key = client_tls_material(live_.client(), tls_etcd());
  ASSERT_FALSE(no_key);
  EXPECT_NE(no_key.error().find("has no key tls.key"), std::string::npos) << no_key.error();
}

TEST_F(ClientTlsMaterial, TransferFailsWithoutConnectingWhenMaterialIsMissing) {
  EtcdLeaderTransfer transfer(live_.client(), std::chrono::milliseconds(500));
  const api::Etcd etcd = tls_etcd();
  auto result = transfer.transfer(
      controller::ondelete::LeaderTransferRequest{etcd, "etcd-main-2", "etcd-main-0", 0x1000});
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message.find("client TLS material"), std::string::npos)
      << result.error().message;
}

}  // namespace
}  // namespace druid::operator_
