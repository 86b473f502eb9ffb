#include "webhook/certificate_reloader.hpp"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace druid::webhook {

namespace {

template <auto Free>
struct Deleter {
  template <class T>
  void operator()(T* p) const {
    Free(p);
  }
};
using CertPtr = std::unique_ptr<X509, Deleter<X509_free>>;
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;

void free_chain(STACK_OF(X509) * chain) {
  sk_X509_pop_free(chain, X509_free);
}
using ChainPtr = std::unique_ptr<STACK_OF(X509), Deleter<free_chain>>;

util::Expected<std::string, std::string> read_file(const std::filesystem::path& path,
                                                   const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return util::unexpected(fmt::format("cannot read the webhook server {} {}: {}", what,
                                        path.string(), std::strerror(errno)));
  }
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

BioPtr memory_bio(const std::string& bytes) {
  return BioPtr(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
}

}  // namespace

struct CertificateReloader::Credentials {
  CertPtr certificate;
  ChainPtr chain;  // intermediates following the leaf in tls.crt
  KeyPtr key;
};

namespace {

using Credentials = CertificateReloader::Credentials;

util::Expected<std::shared_ptr<const Credentials>, std::string> parse(
    const std::string& cert_bytes, const std::string& key_bytes,
    const std::filesystem::path& cert_path, const std::filesystem::path& key_path) {
  auto credentials = std::make_shared<Credentials>();
  BioPtr cert_bio = memory_bio(cert_bytes);
  credentials->certificate.reset(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
  if (!credentials->certificate) {
    ERR_clear_error();
    return util::unexpected(fmt::format(
        "the webhook server certificate {} holds no PEM certificate", cert_path.string()));
  }
  credentials->chain.reset(sk_X509_new_null());
  while (X509* next = PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr)) {
    sk_X509_push(credentials->chain.get(), next);
  }
  ERR_clear_error();  // the end of the file reads as an error
  BioPtr key_bio = memory_bio(key_bytes);
  credentials->key.reset(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  if (!credentials->key) {
    ERR_clear_error();
    return util::unexpected(
        fmt::format("the webhook server key {} holds no PEM private key", key_path.string()));
  }
  if (X509_check_private_key(credentials->certificate.get(), credentials->key.get()) != 1) {
    ERR_clear_error();
    return util::unexpected(
        fmt::format("the webhook server key {} does not belong to the certificate {}",
                    key_path.string(), cert_path.string()));
  }
  return std::shared_ptr<const Credentials>(std::move(credentials));
}

}  // namespace

util::Expected<std::unique_ptr<CertificateReloader>, std::string> CertificateReloader::load(
    const std::filesystem::path& dir) {
  const auto cert_path = dir / kCertificateFile;
  const auto key_path = dir / kKeyFile;
  auto cert_bytes = read_file(cert_path, "certificate");
  if (!cert_bytes) return util::unexpected(cert_bytes.error());
  auto key_bytes = read_file(key_path, "key");
  if (!key_bytes) return util::unexpected(key_bytes.error());
  auto credentials = parse(*cert_bytes, *key_bytes, cert_path, key_path);
  if (!credentials) return util::unexpected(credentials.error());
  return std::make_unique<CertificateReloader>(Key{}, dir, std::move(*credentials),
                                               std::move(*cert_bytes), std::move(*key_bytes));
}

CertificateReloader::CertificateReloader(Key, std::filesystem::path dir,
                                         std::shared_ptr<const Credentials> initial,
                                         std::string cert_bytes, std::string key_bytes)
    : dir_(std::move(dir)),
      current_(std::move(initial)),
      seen_cert_(std::move(cert_bytes)),
      seen_key_(std::move(key_bytes)) {}

CertificateReloader::~CertificateReloader() = default;

bool CertificateReloader::refresh() {
  const auto cert_path = dir_ / kCertificateFile;
  const auto key_path = dir_ / kKeyFile;
  // One reader at a time, so concurrent handshakes load a change once.
  std::lock_guard lock(mutex_);
  auto cert_bytes = read_file(cert_path, "certificate");
  auto key_bytes = read_file(key_path, "key");
  if (!cert_bytes || !key_bytes) {
    // Mid-rotation (Kubernetes swaps a symlink): keep serving what we have.
    return false;
  }
  if (*cert_bytes == seen_cert_ && *key_bytes == seen_key_) return false;
  seen_cert_ = *cert_bytes;
  seen_key_ = *key_bytes;
  auto credentials = parse(*cert_bytes, *key_bytes, cert_path, key_path);
  if (!credentials) {
    spdlog::warn("keeping the previous webhook server certificate: {}", credentials.error());
    return false;
  }
  current_ = std::move(*credentials);
  ++generation_;
  spdlog::info("loaded the webhook server certificate {}", cert_path.string());
  return true;
}

std::uint64_t CertificateReloader::generation() const {
  std::lock_guard lock(mutex_);
  return generation_;
}

std::shared_ptr<const CertificateReloader::Credentials> CertificateReloader::current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

int CertificateReloader::on_handshake(SSL* ssl, void* self) {
  auto* reloader = static_cast<CertificateReloader*>(self);
  reloader->refresh();
  const auto credentials = reloader->current();
  // The SSL object takes its own references; `credentials` may be replaced after.
  return SSL_use_cert_and_key(ssl, credentials->certificate.get(), credentials->key.get(),
                              credentials->chain.get(), 1) == 1
             ? 1
             : 0;
}

void CertificateReloader::attach(SSL_CTX& ctx) {
  SSL_CTX_set_cert_cb(&ctx, &CertificateReloader::on_handshake, this);
}

}  // namespace druid::webhook
