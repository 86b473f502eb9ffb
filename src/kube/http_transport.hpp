#pragma once
// HTTP(S) requests over libcurl: easy handles kept in a free list so
// connections (and HTTP/2 sessions, where the server offers h2 over TLS) are
// reused; TLS material from memory; a streaming mode for watches that can be
// stopped from another thread within ~100 ms, all streams sharing one HTTP/2
// connection where the server offers h2.

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kube/api_error.hpp"
#include "kube/reloaded_file.hpp"
#include "util/expected.hpp"

namespace druid::kube {

class StreamMultiplexer;

struct TlsConfig {
  std::string ca_pem;  // empty: system trust store
  // Where ca_pem came from, when a file: re-read when it changes (a rotated
  // CA bundle), so new connections verify against the new one.
  std::string ca_file;
  std::string client_cert_pem, client_key_pem;
  bool insecure_skip_verify = false;
};

// A client certificate for one request (from an exec credential plugin),
// replacing the transport's.
struct ClientCertificate {
  std::string cert_pem, key_pem;
};

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // name, value
  std::string body;
  // Overrides the transport's default timeout; zero = no overall timeout.
  std::optional<std::chrono::milliseconds> timeout;
  // Overrides TlsConfig's client certificate when set.
  std::shared_ptr<const ClientCertificate> client_certificate;
  // Asked once the connection is ready, right before the request goes on the wire (libcurl's
  // CURLOPT_PREREQFUNCTION), so the answer is as fresh as it can be; false aborts the request
  // unsent (CURLE_ABORTED_BY_CALLBACK).
  std::function<bool()> before_send;
};

struct HttpResponse {
  int status = 0;
  HttpHeaders headers;    // lower-case names
  std::string body;       // for streams: only when the status is not 2xx
  long http_version = 0;  // CURL_HTTP_VERSION_* actually used (for tests/diagnostics)
};

struct TransportError {
  std::string message;  // "<curl error text>: <detail>"
  int curl_code = 0;
  bool timed_out = false;
};

enum class StreamEnd { kServerClosed, kConsumerStopped, kStopRequested };

struct StreamResult {
  HttpResponse response;
  StreamEnd end = StreamEnd::kServerClosed;
};

class HttpTransport {
 public:
  HttpTransport(TlsConfig tls, std::chrono::milliseconds default_timeout, std::string user_agent);
  ~HttpTransport();
  HttpTransport(const HttpTransport&) = delete;
  HttpTransport& operator=(const HttpTransport&) = delete;

  // One request, whole response in memory. Thread-safe.
  util::Expected<HttpResponse, TransportError> perform(const HttpRequest& request);

  // A long-lived response: `on_data` receives each chunk of a 2xx body as it
  // arrives (on the calling thread) and returns false to end the stream. Non-2xx
  // bodies are collected in the result instead. Ends when the server closes, the
  // consumer stops, or `*stop` becomes true (checked at least every 100 ms). The
  // request's timeout (default: none) bounds the whole stream; the connect
  // timeout is the transport's default timeout. All streams of a transport run
  // on one multi handle (stream_multiplexer.hpp): one HTTP/2 connection for all
  // of them where the server speaks h2, one HTTP/1.1 connection each otherwise.
  // Thread-safe.
  util::Expected<StreamResult, TransportError> stream(
      const HttpRequest& request, const std::function<bool(std::string_view)>& on_data,
      const std::atomic<bool>* stop);

 private:
  struct Handle;
  std::unique_ptr<Handle> take_handle();
  void give_back(std::unique_ptr<Handle> handle);
  void configure(Handle& handle, const HttpRequest& request, bool streaming);
  // The shared multi handle, started by the first stream.
  StreamMultiplexer* multiplexer();
  // stream() on the shared multi handle; nullopt when it cannot be used (the
  // stream then runs on a multi handle of its own).
  std::optional<util::Expected<StreamResult, TransportError>> stream_shared(
      Handle& handle, const std::function<bool(std::string_view)>& on_data,
      const std::atomic<bool>* stop);

  TlsConfig tls_;
  std::unique_ptr<ReloadedFile> ca_file_;  // when tls_.ca_file is set
  std::chrono::milliseconds default_timeout_;
  std::string user_agent_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Handle>> idle_;  // free list, most recently used last
  std::unique_ptr<StreamMultiplexer> multiplexer_;
};

}  // namespace druid::kube
