#pragma once
// A small HTTPS client for the test API server's own tests: requests with the
// server's CA and a bearer token, and a watch recorder that collects streamed
// events on a background thread.

#include <httplib.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>

#include "apiserver/server.hpp"

namespace druid::testing {

struct TestResponse {
  int status = 0;
  nlohmann::json body;
  std::string text;
  httplib::Headers headers;
};

// A client trusting the server's CA (kept in memory: the SSL context owns the store).
inline std::unique_ptr<httplib::SSLClient> make_client(const TestApiServer& server) {
  auto client = std::make_unique<httplib::SSLClient>("127.0.0.1", server.port());
  X509_STORE* store = X509_STORE_new();
  BIO* bio = BIO_new_mem_buf(server.ca_pem().data(), static_cast<int>(server.ca_pem().size()));
  X509* ca = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  X509_STORE_add_cert(store, ca);
  X509_free(ca);
  BIO_free(bio);
  client->set_ca_cert_store(store);
  client->enable_server_certificate_verification(true);
  client->set_read_timeout(std::chrono::seconds(30));
  return client;
}

class TestClient {
 public:
  explicit TestClient(const TestApiServer& server, std::string token = {})
      : server_(server), token_(token.empty() ? server.admin_token() : std::move(token)) {
    client_ = make_client(server);
  }

  TestResponse get(const std::string& path, const std::string& accept = {}) {
    httplib::Headers h = headers();
    if (!accept.empty()) h.emplace("Accept", accept);
    return wrap(client_->Get(path.c_str(), h));
  }
  TestResponse post(const std::string& path, const nlohmann::json& body) {
    return wrap(client_->Post(path.c_str(), headers(), body.dump(), "application/json"));
  }
  TestResponse put(const std::string& path, const nlohmann::json& body) {
    return wrap(client_->Put(path.c_str(), headers(), body.dump(), "application/json"));
  }
  TestResponse patch(const std::string& path, const std::string& body,
                     const std::string& content_type = "application/merge-patch+json") {
    return wrap(client_->Patch(path.c_str(), headers(), body, content_type.c_str()));
  }
  TestResponse patch(const std::string& path, const nlohmann::json& body,
                     const std::string& content_type = "application/merge-patch+json") {
    return patch(path, body.dump(), content_type);
  }
  TestResponse del(const std::string& path, const nlohmann::json& body = nullptr) {
    if (body.is_null()) return wrap(client_->Delete(path.c_str(), headers()));
    return wrap(client_->Delete(path.c_str(), headers(), body.dump(), "application/json"));
  }

  const std::string& token() const { return token_; }

 private:
  httplib::Headers headers() const { return {{"Authorization", "Bearer " + token_}}; }
  static TestResponse wrap(const httplib::Result& result) {
    TestResponse r;
    if (!result) {
      r.status = -1;
      r.text = httplib::to_string(result.error());
      return r;
    }
    r.status = result->status;
    r.text = result->body;
    r.headers = result->headers;
    r.body = nlohmann::json::parse(result->body, nullptr, false);
    return r;
  }

  const TestApiServer& server_;
  std::string token_;
  std::unique_ptr<httplib::SSLClient> client_;
};

// Opens a watch (GET path?watch=true...) and records its events.
class WatchRecorder {
 public:
  WatchRecorder(const TestApiServer& server, const std::string& path, std::string token = {}) {
    client_ = make_client(server);
    client_->set_read_timeout(std::chrono::seconds(120));
    const std::string auth = "Bearer " + (token.empty() ? server.admin_token() : token);
    thread_ = std::thread([this, path, auth] {
      auto result = client_->Get(
          path.c_str(), httplib::Headers{{"Authorization", auth}},
          [this](const httplib::Response& response) {
            std::lock_guard lock(mutex_);
            status_ = response.status;
            return true;
          },
          [this](const char* data, std::size_t len) {
            std::lock_guard lock(mutex_);
            buffer_.append(data, len);
            std::size_t nl;
            while ((nl = buffer_.find('\n')) != std::string::npos) {
              events_.push_back(nlohmann::json::parse(buffer_.substr(0, nl), nullptr, false));
              buffer_.erase(0, nl + 1);
            }
            cv_.notify_all();
            return true;
          });
      std::lock_guard lock(mutex_);
      closed_ = true;
      cv_.notify_all();
    });
  }
  ~WatchRecorder() {
    client_->stop();
    if (thread_.joinable()) thread_.join();
  }

  // The next event, or nullopt after `timeout` or when the stream ended.
  std::optional<nlohmann::json> next(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, timeout, [this] { return !events_.empty() || closed_; });
    if (events_.empty()) return std::nullopt;
    nlohmann::json e = std::move(events_.front());
    events_.pop_front();
    return e;
  }
  // The next event whose type is not BOOKMARK.
  std::optional<nlohmann::json> next_change(
      std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      auto e = next(left);
      if (!e || (*e)["type"] != "BOOKMARK") return e;
    }
  }
  bool wait_closed(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, timeout, [this] { return closed_; });
  }
  int status() {
    std::lock_guard lock(mutex_);
    return status_;
  }

 private:
  std::unique_ptr<httplib::SSLClient> client_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::string buffer_;
  std::deque<nlohmann::json> events_;
  bool closed_ = false;
  int status_ = 0;
};

}  // namespace druid::testing
