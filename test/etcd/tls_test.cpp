// The client against an etcd member that serves https and requires client
// certificates (the shape druid deploys with clientUrlTLS).

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>

#include "etcd/client.hpp"
#include "support/etcd_process.hpp"

namespace druid::etcd {
namespace {

using druid::test::EtcdCluster;
using druid::test::EtcdTlsFiles;

// A CA, a server certificate for 127.0.0.1 and a client certificate, made
// with the openssl command line in `dir`; false when a step failed.
bool make_certificates(const std::filesystem::path& dir) {
  const std::string d = dir.string();
  const std::string script =
      "set -e; cd " + d +
      "; exec > openssl.log 2>&1;"
      " openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 1"
      " -subj /CN=druid-test-ca;"
      " openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr"
      " -subj /CN=etcd-local;"
      " printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\nextendedKeyUsage=serverAuth,"
      "clientAuth\\n' > server.ext;"
      " openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial"
      " -out server.crt -days 1 -extfile server.ext;"
      " openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr -subj /CN=root;"
      " printf 'extendedKeyUsage=clientAuth\\n' > client.ext;"
      " openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial"
      " -out client.crt -days 1 -extfile client.ext";
  return std::system(script.c_str()) == 0;
}

class TlsMember : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists("/usr/bin/etcd")) GTEST_SKIP() << "/usr/bin/etcd is not installed";
    if (std::system("command -v openssl > /dev/null 2>&1") != 0) {
      GTEST_SKIP() << "the openssl command line is not installed";
    }
    ASSERT_TRUE(make_certificates(certs_.path()))
        << druid::test::read_file_text(certs_.path() / "openssl.log");
    druid::test::EtcdClusterOptions options;
    options.client_tls = EtcdTlsFiles{certs_.path() / "ca.crt", certs_.path() / "server.crt",
                                      certs_.path() / "server.key"};
    cluster_ = std::make_unique<EtcdCluster>(1, options);
    client_cert_ = druid::test::read_file_text(certs_.path() / "client.crt");
    client_key_ = druid::test::read_file_text(certs_.path() / "client.key");
  }

  operator_::test::TempDir certs_;
  std::unique_ptr<EtcdCluster> cluster_;
  std::string client_cert_, client_key_;
};

TEST_F(TlsMember, ClientCertificateAndCaReachIt) {
  auto options = cluster_->client_options();
  ASSERT_EQ(options.endpoints.front().rfind("https://", 0), 0u);
  options.tls.client_cert_pem = client_cert_;
  options.tls.client_key_pem = client_key_;
  Client c(options);
  auto status = c.status();
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_EQ(status->leader, status->member_id);
  auto put = c.put("/tls", "yes");
  ASSERT_TRUE(put) << put.error().message;
  std::size_t bytes = 0;
  auto snapshot = c.snapshot([&](std::string_view chunk) {
    bytes += chunk.size();
    return true;
  });
  ASSERT_TRUE(snapshot) << snapshot.error().message;
  EXPECT_GT(bytes, 0u);
}

TEST_F(TlsMember, WithoutTheCaTheServerIsNotTrusted) {
  auto options = cluster_->client_options();
  options.tls.ca_pem.clear();
  Client c(options);
  auto status = c.status();
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().kind, ErrorKind::kTransport) << status.error().message;
}

TEST_F(TlsMember, WithoutAClientCertificateTheServerRefuses) {
  auto options = cluster_->client_options();
  options.tls.client_cert_pem.clear();
  options.tls.client_key_pem.clear();
  Client c(options);
  auto status = c.status();
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().kind, ErrorKind::kTransport) << status.error().message;
}

}  // namespace
}  // namespace druid::etcd
