// scripts/gen-webhook-certs.sh: a CA and a serving certificate for the
// Service's DNS names that openssl verifies and the webhook server accepts.

#include <gtest/gtest.h>

#include "support/kubectl.hpp"
#include "support/webhook_env.hpp"
#include "util/base64.hpp"
#include "webhook/certificate_reloader.hpp"

namespace druid::webhook::test {
namespace {

using druid::test::contains;

ShellResult generate(const fs::path& out, const std::string& extra = "") {
  return run_shell(
      "scripts/gen-webhook-certs.sh --namespace garden --out " + out.string() + " " + extra, false);
}

// `openssl verify` of DIR/tls.crt against DIR/ca.crt, with extra options.
ShellResult verify(const fs::path& dir, const std::string& options = "") {
  return run_shell("openssl verify -CAfile " + (dir / "ca.crt").string() + " " + options +
                   (options.empty() ? "" : " ") + (dir / "tls.crt").string());
}

TEST(PkiScript, WritesAVerifiableServingCertificateForTheServiceNames) {
  TempDir dir("pki");
  const auto generated = generate(dir.path());
  ASSERT_EQ(generated.exit_code, 0);
  for (const char* file : {"ca.crt", "ca.key", "tls.crt", "tls.key"}) {
    EXPECT_TRUE(fs::exists(dir / file)) << file;
  }
  // stdout is the caBundle alone.
  EXPECT_EQ(generated.out, util::base64_encode(read_file(dir / "ca.crt")) + "\n");

  const auto verified = verify(dir.path());
  EXPECT_EQ(verified.exit_code, 0) << verified.out;
  EXPECT_TRUE(contains(verified.out, "tls.crt: OK")) << verified.out;
  const auto names =
      run_shell("openssl x509 -noout -ext subjectAltName -in " + (dir / "tls.crt").string());
  EXPECT_TRUE(contains(names.out,
                       "DNS:etcd-druid, DNS:etcd-druid.garden, DNS:etcd-druid.garden.svc, "
                       "DNS:etcd-druid.garden.svc.cluster.local"))
      << names.out;
  // Each name verifies as a host name (what the API server checks).
  const auto host = verify(dir.path(), "-verify_hostname etcd-druid.garden.svc");
  EXPECT_EQ(host.exit_code, 0) << host.out;
  const auto wrong = verify(dir.path(), "-verify_hostname etcd-druid.other.svc");
  EXPECT_NE(wrong.exit_code, 0) << wrong.out;
  // Keys are private to their owner.
  EXPECT_EQ(fs::status(dir / "tls.key").permissions() & fs::perms::others_read, fs::perms::none);

  EXPECT_TRUE(CertificateReloader::load(dir.path())) << "the webhook server refuses the files";
}

TEST(PkiScript, RenewalKeepsTheCaUnlessToldOtherwise) {
  TempDir dir("pki-renew");
  ASSERT_EQ(generate(dir.path()).exit_code, 0);
  const std::string ca = read_file(dir / "ca.crt");
  const std::string cert = read_file(dir / "tls.crt");
  const auto renewed = generate(dir.path());
  ASSERT_EQ(renewed.exit_code, 0);
  EXPECT_EQ(read_file(dir / "ca.crt"), ca);
  EXPECT_NE(read_file(dir / "tls.crt"), cert);
  EXPECT_EQ(verify(dir.path()).exit_code, 0);
  ASSERT_EQ(generate(dir.path(), "--new-ca").exit_code, 0);
  EXPECT_NE(read_file(dir / "ca.crt"), ca);
}

TEST(PkiScript, PatchesTheCaBundleOfAManifest) {
  TempDir dir("pki-patch");
  const auto manifest = dir / "webhook.yaml";
  write_file(manifest,
             "webhooks:\n- name: a\n  clientConfig:\n    caBundle: \"\"\n- name: b\n"
             "  clientConfig:\n    caBundle: old\n");
  const auto generated = generate(dir / "pki", "--patch-file " + manifest.string());
  ASSERT_EQ(generated.exit_code, 0);
  const std::string bundle = util::base64_encode(read_file(dir / "pki/ca.crt"));
  EXPECT_EQ(read_file(manifest), "webhooks:\n- name: a\n  clientConfig:\n    caBundle: " + bundle +
                                     "\n- name: b\n  clientConfig:\n    caBundle: " + bundle +
                                     "\n");
}

// The local environment calls the webhook on loopback by URL (scripts/run-local.sh).
TEST(PkiScript, ExtraNamesCoverLoopback) {
  TempDir dir("pki-loopback");
  ASSERT_EQ(generate(dir.path(), "--extra-san IP:127.0.0.1,DNS:localhost").exit_code, 0);
  const auto names =
      run_shell("openssl x509 -noout -ext subjectAltName -in " + (dir / "tls.crt").string());
  EXPECT_TRUE(contains(names.out,
                       "DNS:etcd-druid.garden.svc.cluster.local, IP Address:127.0.0.1, "
                       "DNS:localhost"))
      << names.out;
  const auto ip = verify(dir.path(), "-verify_ip 127.0.0.1");
  EXPECT_EQ(ip.exit_code, 0) << ip.out;
  // Without them, loopback does not verify.
  TempDir plain("pki-plain");
  ASSERT_EQ(generate(plain.path()).exit_code, 0);
  const auto plain_ip = verify(plain.path(), "-verify_ip 127.0.0.1");
  EXPECT_NE(plain_ip.exit_code, 0) << plain_ip.out;
}

TEST(PkiScript, RejectsUnknownArguments) {
  const auto r = run_shell("scripts/gen-webhook-certs.sh --bogus");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.out, "unknown argument --bogus")) << r.out;
  EXPECT_TRUE(contains(r.out, "--namespace")) << r.out;
}

}  // namespace
}  // namespace druid::webhook::test
