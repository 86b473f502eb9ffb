#pragma once
// The webhook server's certificate and key (tls.crt, tls.key in the cert
// dir), kept current: every TLS handshake re-reads the two files (a few KB)
// and, when their bytes changed, loads them, so a rotated Secret is served
// without a restart. A half-written or mismatched pair is not taken: the
// previous certificate stays in use until the files are consistent again.

#include <openssl/ssl.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "util/expected.hpp"

namespace druid::webhook {

inline constexpr const char* kCertificateFile = "tls.crt";
inline constexpr const char* kKeyFile = "tls.key";

class CertificateReloader {
 public:
  // Reads <dir>/tls.crt and <dir>/tls.key. The error names the file that is
  // missing, unreadable or not PEM, or says that the key does not match.
  static util::Expected<std::unique_ptr<CertificateReloader>, std::string> load(
      const std::filesystem::path& dir);
  ~CertificateReloader();
  CertificateReloader(const CertificateReloader&) = delete;
  CertificateReloader& operator=(const CertificateReloader&) = delete;

  // Makes every handshake on `ctx` present the current certificate (refreshed
  // first). The reloader must outlive every connection of `ctx`.
  void attach(SSL_CTX& ctx);

  // Re-reads the files; true when new credentials were taken.
  bool refresh();
  // How many times credentials were loaded (1 after load()).
  std::uint64_t generation() const;

  struct Credentials;
  // Only load() can make one (passkey: make_unique needs a public constructor).
  class Key {
    friend class CertificateReloader;
    Key() = default;
  };
  CertificateReloader(Key, std::filesystem::path dir, std::shared_ptr<const Credentials> initial,
                      std::string cert_bytes, std::string key_bytes);

 private:
  std::shared_ptr<const Credentials> current() const;
  static int on_handshake(SSL* ssl, void* self);

  const std::filesystem::path dir_;
  mutable std::mutex mutex_;  // guards everything below
  std::shared_ptr<const Credentials> current_;
  std::string seen_cert_;  // the file contents last looked at (taken or not)
  std::string seen_key_;
  std::uint64_t generation_ = 1;
};

}  // namespace druid::webhook
