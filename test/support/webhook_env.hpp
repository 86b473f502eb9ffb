#pragma once
// Helpers of the webhook and deployment tests: temporary directories,
// shell commands, certificate files, a raw TLS client and HTTPS requests.

#include <httplib.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "apiserver/tls.hpp"

namespace druid::webhook::test {

namespace fs = std::filesystem;

class TempDir {
 public:
  explicit TempDir(const std::string& tag) {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() /
            ("druid-" + tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }
  fs::path operator/(const std::string& name) const { return path_ / name; }

 private:
  fs::path path_;
};

inline std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Written next to the target and renamed over it, as Kubernetes updates
// mounted Secrets: a reader sees the old or the new file, never half of one.
inline void write_file(const fs::path& path, const std::string& content) {
  const fs::path tmp = path.string() + ".tmp";
  std::ofstream(tmp, std::ios::binary | std::ios::trunc) << content;
  fs::rename(tmp, path);
}

inline void install_credentials(const fs::path& dir, const druid::testing::TlsCredentials& tls) {
  write_file(dir / "ca.crt", tls.ca_pem);
  write_file(dir / "tls.key", tls.key_pem);
  write_file(dir / "tls.crt", tls.cert_pem);
}

struct ShellResult {
  int exit_code = -1;
  std::string out;  // stdout, and stderr unless redirected
};

// Runs `command` with bash (pipefail) in the repository.
inline ShellResult run_shell(const std::string& command, bool merge_stderr = true) {
  std::string quoted;
  for (char c : command) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  const std::string full = "cd '" + std::string(DRUID_SOURCE_DIR) + "' && bash -o pipefail -c '" +
                           quoted + "'" + (merge_stderr ? " 2>&1" : "");
  ShellResult result;
  FILE* pipe = ::popen(full.c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
    result.out.append(buffer.data(), n);
  }
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// The common name of the certificate a TLS server on 127.0.0.1:`port`
// presents in a new handshake ("" when the handshake fails).
inline std::string peer_common_name(int port) {
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_client_method()),
                                                        SSL_CTX_free);
  if (!ctx) return {};
  std::unique_ptr<BIO, decltype(&BIO_free_all)> bio(BIO_new_ssl_connect(ctx.get()), BIO_free_all);
  if (!bio) return {};
  const std::string target = "127.0.0.1:" + std::to_string(port);
  BIO_set_conn_hostname(bio.get(), target.c_str());
  if (BIO_do_connect(bio.get()) <= 0 || BIO_do_handshake(bio.get()) <= 0) return {};
  SSL* ssl = nullptr;
  BIO_get_ssl(bio.get(), &ssl);
  std::unique_ptr<X509, decltype(&X509_free)> cert(SSL_get1_peer_certificate(ssl), X509_free);
  if (!cert) return {};
  std::array<char, 256> cn{};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert.get()), NID_commonName, cn.data(),
                            static_cast<int>(cn.size()));
  return cn.data();
}

struct HttpResult {
  int status = 0;  // 0: no response
  std::string body;
};

// An HTTPS request verifying the server against `ca_file` (and 127.0.0.1 in its SANs).
inline HttpResult https(const std::string& method, int port, const fs::path& ca_file,
                        const std::string& path, const std::string& body = {},
                        const std::string& content_type = "application/json") {
  httplib::SSLClient client("127.0.0.1", port);
  client.set_ca_cert_path(ca_file.string());
  client.enable_server_certificate_verification(true);
  client.set_connection_timeout(5);
  client.set_read_timeout(10);
  httplib::Result res = method == "POST"  ? client.Post(path.c_str(), body, content_type.c_str())
                        : method == "GET" ? client.Get(path.c_str())
                                          : client.Put(path.c_str(), body, content_type.c_str());
  if (!res) return {};
  return {res->status, res->body};
}

}  // namespace druid::webhook::test
