// Which key of the backup TLS CA Secret the operator's own HTTPS clients of
// the backup sidecar trust (component/backup_ca.hpp).

#include "component/backup_ca.hpp"

#include <gtest/gtest.h>

#include <string>

#include "support/fixtures.hpp"
#include "util/base64.hpp"

namespace druid::component {
namespace {

using nlohmann::json;

api::Etcd etcd_with_backup_tls(bool data_key) {
  json etcd = test::base_etcd_json();
  test::add_backup_tls(etcd);  // dataKey bundle.crt
  if (data_key) {
    etcd["spec"]["backup"]["tls"]["tlsCASecretRef"]["dataKey"] = "custom.pem";
  } else {
    etcd["spec"]["backup"]["tls"]["tlsCASecretRef"].erase("dataKey");
  }
  return test::decode(etcd);
}

json secret(const json& plain) {
  json data = json::object();
  for (const auto& [key, value] : plain.items()) {
    data[key] = value.is_string() ? json(util::base64_encode(value.get<std::string>())) : value;
  }
  return {{"apiVersion", "v1"}, {"kind", "Secret"}, {"data", data}};
}

TEST(BackupCaPem, ANamedDataKeyIsTheOnlyKeyRead) {
  const auto etcd = etcd_with_backup_tls(/*data_key=*/true);
  auto pem = backup_ca_pem(secret({{"custom.pem", "CUSTOM"}, {"bundle.crt", "BUNDLE"}}), etcd);
  ASSERT_TRUE(pem);
  EXPECT_EQ(*pem, "CUSTOM");

  auto missing = backup_ca_pem(secret({{"bundle.crt", "BUNDLE"}, {"ca.crt", "CA"}}), etcd);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error(), "\"custom.pem\"");
}

TEST(BackupCaPem, WithoutADataKeyBundleCrtComesFirstAsUpstreamReadsIt) {
  const auto etcd = etcd_with_backup_tls(/*data_key=*/false);
  auto pem = backup_ca_pem(secret({{"ca.crt", "CA"}, {"bundle.crt", "BUNDLE"}}), etcd);
  ASSERT_TRUE(pem);
  EXPECT_EQ(*pem, "BUNDLE");
}

// The StatefulSet mounts ca.crt when no dataKey is named, so a Secret the
// members work with must work for the operator's snapshot calls too.
TEST(BackupCaPem, WithoutADataKeyTheKeyThePodsTrustIsAccepted) {
  const auto etcd = etcd_with_backup_tls(/*data_key=*/false);
  auto pem = backup_ca_pem(secret({{"ca.crt", "CA"}}), etcd);
  ASSERT_TRUE(pem);
  EXPECT_EQ(*pem, "CA");
}

TEST(BackupCaPem, AbsentOrUnreadableValuesNameEveryKeyTried) {
  const auto etcd = etcd_with_backup_tls(/*data_key=*/false);
  for (const json& bad :
       {json{{"apiVersion", "v1"}, {"kind", "Secret"}}, secret({{"tls.crt", "OTHER"}}),
        secret({{"bundle.crt", 42}}), json{{"data", {{"bundle.crt", "%%% not base64"}}}}}) {
    auto pem = backup_ca_pem(bad, etcd);
    ASSERT_FALSE(pem) << bad.dump();
    EXPECT_EQ(pem.error(), "\"bundle.crt\" or \"ca.crt\"") << bad.dump();
  }
}

}  // namespace
}  // namespace druid::component
