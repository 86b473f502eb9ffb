#pragma once
// Test helpers for the client tests: a scripted HTTP(S) server on loopback
// (cpp-httplib), request recording, streamed (chunked) responses fed by the
// test, and a throw-away PKI (CA, server and client certificates) made with
// the OpenSSL 3 API.

#include <httplib.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace druid::kube::test {

// ---------------------------------------------------------------------------
// PKI

struct Pem {
  std::string cert;
  std::string key;
};

struct TestPki {
  Pem ca;
  Pem server;  // SAN 127.0.0.1 and localhost
  Pem client;  // CN = client_cn, clientAuth
};

namespace detail {

struct KeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CertDeleter {
  void operator()(X509* x) const { X509_free(x); }
};
struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyDeleter>;
using Cert = std::unique_ptr<X509, CertDeleter>;
using Bio = std::unique_ptr<BIO, BioDeleter>;

inline void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("openssl: ") + what);
}

inline void add_ext(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  check(ext != nullptr, value);
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

// Issues a certificate for `key`; self-signed when issuer is null.
inline Cert issue(EVP_PKEY* key, const std::string& cn, X509* issuer, EVP_PKEY* issuer_key,
                  long serial, bool is_ca, const char* san, const char* usage) {
  Cert cert(X509_new());
  X509* x = cert.get();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
  X509_gmtime_adj(X509_getm_notBefore(x), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x), 24 * 3600);
  X509_set_pubkey(x, key);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509* signer = issuer != nullptr ? issuer : x;
  X509_set_issuer_name(x, X509_get_subject_name(signer));
  add_ext(x, signer, NID_subject_key_identifier, "hash");
  add_ext(x, signer, NID_authority_key_identifier, "keyid:always");
  if (is_ca) {
    add_ext(x, signer, NID_basic_constraints, "critical,CA:TRUE");
    add_ext(x, signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_ext(x, signer, NID_basic_constraints, "critical,CA:FALSE");
    add_ext(x, signer, NID_key_usage, "critical,digitalSignature,keyEncipherment");
    add_ext(x, signer, NID_ext_key_usage, usage);
    if (san != nullptr) add_ext(x, signer, NID_subject_alt_name, san);
  }
  check(X509_sign(x, issuer_key != nullptr ? issuer_key : key, EVP_sha256()) > 0, "sign");
  return cert;
}

inline std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(len));
}

inline Pem to_pem(X509* cert, EVP_PKEY* key) {
  Bio cb(BIO_new(BIO_s_mem()));
  Bio kb(BIO_new(BIO_s_mem()));
  check(PEM_write_bio_X509(cb.get(), cert) == 1, "write cert");
  check(PEM_write_bio_PrivateKey(kb.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
        "write key");
  return {bio_text(cb.get()), bio_text(kb.get())};
}

}  // namespace detail

inline TestPki make_test_pki(const std::string& client_cn = "druid-test-client") {
  detail::Key ca_key(EVP_EC_gen("P-256"));
  detail::Key server_key(EVP_EC_gen("P-256"));
  detail::Key client_key(EVP_EC_gen("P-256"));
  detail::check(ca_key && server_key && client_key, "generate keys");
  auto ca = detail::issue(ca_key.get(), "druid-test-ca", nullptr, nullptr, 1, true, nullptr, "");
  auto server = detail::issue(server_key.get(), "127.0.0.1", ca.get(), ca_key.get(), 2, false,
                              "IP:127.0.0.1,DNS:localhost", "serverAuth");
  auto client = detail::issue(client_key.get(), client_cn, ca.get(), ca_key.get(), 3, false,
                              nullptr, "clientAuth");
  return {detail::to_pem(ca.get(), ca_key.get()), detail::to_pem(server.get(), server_key.get()),
          detail::to_pem(client.get(), client_key.get())};
}

// ---------------------------------------------------------------------------
// Scripted server

struct RecordedRequest {
  std::string method;
  std::string path;    // decoded
  std::string target;  // as sent: path and raw query
  httplib::Params params;
  httplib::Headers headers;
  std::string body;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
  std::string param(const std::string& name) const {
    auto it = params.find(name);
    return it == params.end() ? std::string() : it->second;
  }
};

// Chunks of a streamed response body, pushed by the test as it goes.
class ChunkFeed {
 public:
  void push(std::string chunk) {
    std::lock_guard lock(mu_);
    chunks_.push_back(std::move(chunk));
    cv_.notify_all();
  }
  void close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    cv_.notify_all();
  }
  // Next chunk; nullopt when closed and drained, "" after a short idle wait.
  std::optional<std::string> next(std::chrono::milliseconds wait) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, wait, [&] { return !chunks_.empty() || closed_; });
    if (!chunks_.empty()) {
      std::string c = std::move(chunks_.front());
      chunks_.pop_front();
      return c;
    }
    if (closed_) return std::nullopt;
    return std::string();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> chunks_;
  bool closed_ = false;
};

class FakeServer {
 public:
  using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;

  FakeServer() : server_(std::make_unique<httplib::Server>()) {}

  // HTTPS with the PKI's server certificate; with `require_client_cert` only
  // clients presenting a certificate of the PKI's CA are served.
  FakeServer(const TestPki& pki, bool require_client_cert) {
    detail::Bio cb(
        BIO_new_mem_buf(pki.server.cert.data(), static_cast<int>(pki.server.cert.size())));
    detail::Bio kb(BIO_new_mem_buf(pki.server.key.data(), static_cast<int>(pki.server.key.size())));
    detail::Cert cert(PEM_read_bio_X509(cb.get(), nullptr, nullptr, nullptr));
    detail::Key key(PEM_read_bio_PrivateKey(kb.get(), nullptr, nullptr, nullptr));
    X509_STORE* store = nullptr;
    if (require_client_cert) {
      detail::Bio ab(BIO_new_mem_buf(pki.ca.cert.data(), static_cast<int>(pki.ca.cert.size())));
      detail::Cert ca(PEM_read_bio_X509(ab.get(), nullptr, nullptr, nullptr));
      store = X509_STORE_new();  // owned by the SSL context afterwards
      X509_STORE_add_cert(store, ca.get());
    }
    server_ = std::make_unique<httplib::SSLServer>(cert.get(), key.get(), store);
  }

  ~FakeServer() { stop(); }
  FakeServer(const FakeServer&) = delete;
  FakeServer& operator=(const FakeServer&) = delete;

  // Registers a handler; every request it serves is recorded.
  void on(const std::string& method, const std::string& pattern, Handler handler) {
    auto wrapped = [this, handler = std::move(handler)](const httplib::Request& req,
                                                        httplib::Response& res) {
      {
        std::lock_guard lock(mu_);
        requests_.push_back({req.method, req.path, req.target, req.params, req.headers, req.body});
      }
      handler(req, res);
    };
    if (method == "GET")
      server_->Get(pattern, wrapped);
    else if (method == "POST")
      server_->Post(pattern, wrapped);
    else if (method == "PUT")
      server_->Put(pattern, wrapped);
    else if (method == "PATCH")
      server_->Patch(pattern, wrapped);
    else if (method == "DELETE")
      server_->Delete(pattern, wrapped);
    else
      throw std::invalid_argument("unsupported method " + method);
  }

  // Answers with `feed`'s chunks until it is closed (or the server stops).
  void stream(httplib::Response& res, std::shared_ptr<ChunkFeed> feed) {
    res.set_chunked_content_provider("application/json",
                                     [this, feed](std::size_t, httplib::DataSink& sink) {
                                       while (!stopping_) {
                                         auto chunk = feed->next(std::chrono::milliseconds(10));
                                         if (!chunk) {
                                           sink.done();
                                           return true;
                                         }
                                         if (chunk->empty()) continue;
                                         if (!sink.write(chunk->data(), chunk->size()))
                                           return false;
                                       }
                                       return false;
                                     });
  }

  void start() {
    // Without it, a response written in two parts waits for the client's
    // delayed ACK (~40 ms per request).
    server_->set_tcp_nodelay(true);
    port_ = server_->bind_to_any_port("127.0.0.1");
    if (port_ <= 0) throw std::runtime_error("cannot bind a loopback port");
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    // stop() is a no-op until the accept loop runs, so wait for it.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!server_->is_running() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::yield();
  }

  void stop() {
    stopping_ = true;
    if (thread_.joinable()) {
      server_->stop();
      thread_.join();
    }
  }

  int port() const { return port_; }
  std::string url(const std::string& scheme = "http") const {
    return scheme + "://127.0.0.1:" + std::to_string(port_);
  }

  std::vector<RecordedRequest> requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }
  RecordedRequest last_request() const {
    std::lock_guard lock(mu_);
    if (requests_.empty()) throw std::logic_error("no request recorded");
    return requests_.back();
  }

 private:
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mu_;
  std::vector<RecordedRequest> requests_;
};

// A temporary directory removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "druid-kube-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path write(const std::string& relative, const std::string& content) const {
    auto p = path_ / relative;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
    return p;
  }

 private:
  std::filesystem::path path_;
};

}  // namespace druid::kube::test
