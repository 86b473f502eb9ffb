#include "kube/client.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <mutex>
#include <thread>
#include <type_traits>

#include "kube/exec_credential.hpp"
#include "kube/http_transport.hpp"
#include "kube/rate_limiter.hpp"
#include "kube/reloaded_file.hpp"
#include "kube/request_encoding.hpp"
#include "util/base64.hpp"
#include "util/text.hpp"

namespace druid::kube {
namespace {

using nlohmann::json;

// A watch without a server-side timeout may legitimately stay open for hours;
// with one, the server closes it at that time and this margin catches a dead peer.
constexpr std::chrono::seconds kWatchTimeoutMargin{30};

// Builds "?a=1&b=2" with percent-encoded values.
class Query {
 public:
  Query& add(std::string_view key, std::string_view value) {
    if (value.empty()) return *this;
    out_ += out_.empty() ? '?' : '&';
    out_ += key;
    out_ += '=';
    out_ += util::url_encode(value);
    return *this;
  }
  const std::string& str() const { return out_; }

 private:
  std::string out_;
};

void add_list_options(Query& q, const ListOptions& o) {
  for (const auto& [key, value] : list_query_parameters(o)) q.add(key, value);
}

std::string write_query(const WriteOptions& o) {
  Query q;
  q.add("fieldManager", o.field_manager).add("dryRun", o.dry_run ? "All" : "");
  return q.str();
}

std::string host_of(const std::string& server) {
  std::string_view s = server;
  if (auto scheme = s.find("://"); scheme != std::string_view::npos) s.remove_prefix(scheme + 3);
  return std::string(s.substr(0, s.find('/')));
}

std::string object_name(const json& object) {
  auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object()) return {};
  return meta->value("name", "");
}

// The namespace to use for a write: the argument, else the object's own.
std::string object_namespace(std::string_view ns, const json& object) {
  if (!ns.empty()) return std::string(ns);
  auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object()) return {};
  return meta->value("namespace", "");
}

ApiError local_error(ApiErrorReason reason, std::string message) {
  ApiError e;
  e.reason = reason;
  e.message = std::move(message);
  return e;
}

// The token without the newline a file usually ends with.
std::string token_of(ReloadedFile& file) {
  std::string token = file.contents();
  while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back())) != 0)
    token.pop_back();
  return token;
}

}  // namespace

// ---------------------------------------------------------------------------
// WatchStreamDecoder

bool WatchStreamDecoder::feed(std::string_view chunk, const std::function<bool(Decoded&&)>& sink) {
  buffer_.append(chunk);
  bool keep_going = true;
  for (; scan_ < buffer_.size() && keep_going; ++scan_) {
    char c = buffer_[scan_];
    if (depth_ == 0) {
      if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
        start_ = scan_ + 1;
        continue;
      }
      start_ = scan_;
      if (c != '{') {
        // Not a JSON object: nothing sensible can follow in this stream.
        Decoded bad;
        bad.error =
            transport_error(fmt::format("invalid watch stream: unexpected '{}' between events", c));
        start_ = scan_ + 1;
        keep_going = sink(std::move(bad));
        continue;
      }
      depth_ = 1;
      continue;
    }
    if (in_string_) {
      if (escaped_) {
        escaped_ = false;
      } else if (c == '\\') {
        escaped_ = true;
      } else if (c == '"') {
        in_string_ = false;
      }
      continue;
    }
    if (c == '"') {
      in_string_ = true;
    } else if (c == '{' || c == '[') {
      ++depth_;
    } else if ((c == '}' || c == ']') && --depth_ == 0) {
      std::string_view frame(buffer_.data() + start_, scan_ + 1 - start_);
      start_ = scan_ + 1;
      Decoded decoded;
      auto parsed = json::parse(frame, nullptr, /*allow_exceptions=*/false);
      auto type = parsed.is_object() ? parsed.find("type") : parsed.end();
      if (parsed.is_discarded() || !parsed.is_object() || type == parsed.end() ||
          !type->is_string()) {
        decoded.error = transport_error(fmt::format(
            "invalid watch event: {}", frame.substr(0, std::min<std::size_t>(frame.size(), 200))));
      } else if (type->get<std::string>() == "ERROR") {
        const json& status = parsed["object"];
        // Only an integer code counts (metav1.Status.Code is an int32): json::value()
        // would throw on `"code": "410"`, and nothing above feed() catches it (fuzzing,
        // test/fuzz/regressions/watch_stream).
        int code = 0;
        if (auto c = status.is_object() ? status.find("code") : status.end();
            c != status.end() && c->is_number_integer()) {
          code = c->get<int>();
        }
        decoded.error = from_response(code, status.dump());
      } else {
        WatchEvent event;
        event.type = type->get<std::string>();
        if (auto object = parsed.find("object"); object != parsed.end())
          event.object = std::move(*object);
        decoded.event = std::move(event);
      }
      keep_going = sink(std::move(decoded));
    }
  }
  // Drop consumed frames; only a partial frame stays buffered.
  buffer_.erase(0, start_);
  scan_ -= start_;
  start_ = 0;
  return keep_going;
}

// ---------------------------------------------------------------------------
// Client

namespace {

int status_of(const HttpResponse& response) {
  return response.status;
}
int status_of(const StreamResult& result) {
  return result.response.status;
}
const HttpResponse& response_of(const HttpResponse& response) {
  return response;
}
const HttpResponse& response_of(const StreamResult& result) {
  return result.response;
}

}  // namespace

// client-go's rest client: at most 10 retries for answers with Retry-After.
constexpr int kMaxRetryAfterRetries = 10;
// A Retry-After beyond this is cut short (the caller's backoff takes over afterwards).
constexpr std::chrono::milliseconds kMaxRetryAfterWait{std::chrono::seconds(10)};

struct Client::Impl {
  using ExecCredentialPtr = ExecCredentialSource::Credential;

  explicit Impl(RestConfig c)
      : config(std::move(c)),
        transport(TlsConfig{config.ca_pem, config.ca_file, config.client_cert_pem,
                            config.client_key_pem, config.insecure_skip_tls_verify},
                  config.timeout, config.user_agent.empty() ? "etcd-druid-cpp" : config.user_agent),
        limiter(config.qps, config.burst),
        host(host_of(config.server)) {
    if (!config.bearer_token_file.empty())
      token_file = std::make_unique<ReloadedFile>(config.bearer_token_file);
    if (config.exec)
      exec_source = std::make_unique<ExecCredentialSource>(
          *config.exec,
          ExecClusterInfo{config.server, config.ca_pem, config.insecure_skip_tls_verify});
  }

  std::vector<std::pair<std::string, std::string>> static_auth_headers() {
    std::string token = token_file ? token_of(*token_file) : std::string();
    if (token.empty()) token = config.bearer_token;
    if (!token.empty()) return {{"Authorization", "Bearer " + token}};
    if (!config.username.empty() || !config.password.empty())
      return {{"Authorization",
               "Basic " + util::base64_encode(config.username + ":" + config.password)}};
    return {};
  }

  // Puts the credentials on `request` (replacing earlier ones) and returns the
  // exec credential used, null when the static ones sufficed. A token, token file
  // or basic auth wins over an exec plugin, as client-go's exec round tripper
  // leaves a request that already has an Authorization header alone (exec.go).
  // `exec_credential` is used instead of asking the source when given.
  util::Expected<ExecCredentialPtr, ApiError> authorize(HttpRequest& request,
                                                        ExecCredentialPtr exec_credential) {
    std::erase_if(request.headers, [](const auto& h) { return h.first == "Authorization"; });
    request.client_certificate.reset();
    auto headers = static_auth_headers();
    if (!headers.empty() || !exec_source) {
      request.headers.insert(request.headers.end(), headers.begin(), headers.end());
      return ExecCredentialPtr();
    }
    if (!exec_credential) {
      auto got = exec_source->get();
      // No request was sent: to callers this is like a connection failure.
      if (!got) return util::unexpected(transport_error(got.error()));
      exec_credential = std::move(got).value();
    }
    if (!exec_credential->token.empty())
      request.headers.emplace_back("Authorization", "Bearer " + exec_credential->token);
    if (!exec_credential->client_cert_pem.empty())
      request.client_certificate = std::make_shared<const ClientCertificate>(
          ClientCertificate{exec_credential->client_cert_pem, exec_credential->client_key_pem});
    return exec_credential;
  }

  // Sends `request` with credentials through `perform` (the transport's perform
  // or stream). When an exec credential is refused with 401 the plugin runs
  // again and the request is retried once with the new credential. client-go
  // re-runs the plugin after a 401 too (exec.go: roundTripper.RoundTrip →
  // maybeRefreshCreds) but leaves the retry to the caller's next request; one
  // retry here spares every caller that loop when a credential is revoked early.
  template <class Perform>
  auto send(std::string_view method, HttpRequest& request, Perform&& perform)
      -> util::Expected<std::invoke_result_t<Perform&, const HttpRequest&>, ApiError> {
    auto used = authorize(request, nullptr);
    if (!used) {
      count(method, 0);
      return util::unexpected(std::move(used).error());
    }
    auto result = perform(std::as_const(request));
    if (!result || status_of(*result) != 401 || !*used) return result;
    count(method, 401);
    auto fresh = exec_source->refresh_after_unauthorized(*used);
    if (!fresh) {
      const HttpResponse& response = response_of(*result);
      ApiError error = from_response(response.status, response.body, response.headers);
      error.message +=
          fmt::format(" (and running the exec plugin again failed: {})", fresh.error());
      return util::unexpected(std::move(error));
    }
    limiter.acquire();
    (void)authorize(request, std::move(fresh).value());
    return perform(std::as_const(request));
  }

  void count(std::string_view method, int code) {
    std::lock_guard lock(counts_mu);
    ++counts[RequestKey{std::string(method), code, host}];
  }

  HttpRequest make_request(std::string_view method, std::string_view path_and_query,
                           const json& body, std::string_view content_type,
                           std::string_view accept = "application/json") {
    HttpRequest request;
    request.method = std::string(method);
    request.url = config.server + std::string(path_and_query);
    request.headers.emplace_back("Accept", std::string(accept));
    if (!body.is_null()) {
      request.body = body.dump();
      request.headers.emplace_back("Content-Type", std::string(content_type));
    }
    return request;
  }

  // Sends one request; 2xx bodies are decoded as JSON (non-JSON text is
  // returned as a JSON string only when `lenient`).
  // As client-go's rest client (with_retry.go): an answer 429, or 5xx with Retry-After, is the
  // server asking to be asked again later, so the request is sent again after the delay it
  // names (at most kMaxRetryAfterWait), up to kMaxRetryAfterRetries times; the last answer is
  // returned. Other failures are the caller's to retry (its work queue backs off per item).
  ApiResult<json> execute(std::string_view method, std::string_view path_and_query,
                          const json& body = nullptr,
                          std::string_view content_type = "application/json", bool lenient = false,
                          std::string_view accept = "application/json") {
    for (int retries = 0;; ++retries) {
      auto result = execute_once(method, path_and_query, body, content_type, lenient, accept);
      if (result || retries >= kMaxRetryAfterRetries) return result;
      const ApiError& error = result.error();
      if (!error.retry_after || (error.http_code != 429 && error.http_code < 500)) return result;
      const auto wait = std::min<std::chrono::milliseconds>(*error.retry_after, kMaxRetryAfterWait);
      spdlog::debug("{} {}: {}; sent again in {} ms", method, path_and_query, error.what(),
                    wait.count());
      std::this_thread::sleep_for(wait);
    }
  }

  ApiResult<json> execute_once(std::string_view method, std::string_view path_and_query,
                               const json& body, std::string_view content_type, bool lenient,
                               std::string_view accept) {
    limiter.acquire();
    HttpRequest request = make_request(method, path_and_query, body, content_type, accept);
    std::optional<ApiError> refused;
    if (method != "GET") {
      request.before_send = [&] {
        refused = check_fence(method, path_and_query);
        return !refused;
      };
    }
    auto sent =
        send(method, request, [this](const HttpRequest& r) { return transport.perform(r); });
    if (refused) {
      spdlog::debug("{} {}: not sent: {}", method, path_and_query, refused->message);
      return util::unexpected(std::move(*refused));
    }
    if (!sent) return util::unexpected(std::move(sent).error());
    auto& response = *sent;
    if (!response) {
      count(method, 0);
      spdlog::debug("{} {}: {}", method, request.url, response.error().message);
      return util::unexpected(
          transport_error(fmt::format("{} {}: {}", method, request.url, response.error().message)));
    }
    count(method, response->status);
    spdlog::trace("{} {} -> {}", method, request.url, response->status);
    if (response->status < 200 || response->status >= 300)
      return util::unexpected(from_response(response->status, response->body, response->headers));
    if (response->body.empty()) return json::object();
    auto parsed = json::parse(response->body, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded()) {
      if (lenient) return json(response->body);
      return util::unexpected(local_error(ApiErrorReason::kUnknown,
                                          fmt::format("{} {}: response is not JSON: {}", method,
                                                      request.url, response->body.substr(0, 200))));
    }
    return parsed;
  }

  std::optional<ApiError> check_fence(std::string_view method, std::string_view path_and_query) {
    std::shared_ptr<const WriteFence> current;
    {
      std::lock_guard lock(fence_mu);
      current = fence;
    }
    if (!current || !*current) return std::nullopt;
    return (*current)(method, path_and_query);
  }

  RestConfig config;
  HttpTransport transport;
  RateLimiter limiter;
  std::mutex fence_mu;
  std::shared_ptr<const WriteFence> fence;  // replaced whole, read under fence_mu
  std::string host;
  std::unique_ptr<ReloadedFile> token_file;
  std::unique_ptr<ExecCredentialSource> exec_source;
  mutable std::mutex counts_mu;
  std::map<RequestKey, std::uint64_t> counts;
};

Client::Client(RestConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {}
Client::~Client() = default;

const RestConfig& Client::config() const {
  return impl_->config;
}

ApiResult<json> Client::get(const util::ResourceType& type, std::string_view ns,
                            std::string_view name) {
  if (name.empty())
    return util::unexpected(local_error(ApiErrorReason::kBadRequest,
                                        fmt::format("get {}: name is required", type.resource)));
  return impl_->execute("GET", type.path(ns, name));
}

ApiResult<json> Client::list(const util::ResourceType& type, std::string_view ns,
                             const ListOptions& options) {
  Query q;
  add_list_options(q, options);
  return impl_->execute(
      "GET", type.path(ns) + q.str(), nullptr, "application/json", false,
      options.metadata_only ? kPartialObjectMetadataListAccept : "application/json");
}

ApiResult<json> Client::create(const util::ResourceType& type, std::string_view ns,
                               const json& object, const WriteOptions& options) {
  return impl_->execute("POST", type.path(object_namespace(ns, object)) + write_query(options),
                        object);
}

ApiResult<json> Client::update(const util::ResourceType& type, std::string_view ns,
                               const json& object, const WriteOptions& options) {
  std::string name = object_name(object);
  if (name.empty())
    return util::unexpected(
        local_error(ApiErrorReason::kBadRequest,
                    fmt::format("update {}: metadata.name is required", type.resource)));
  return impl_->execute("PUT", type.path(object_namespace(ns, object), name) + write_query(options),
                        object);
}

ApiResult<json> Client::patch(const util::ResourceType& type, std::string_view ns,
                              std::string_view name, PatchType patch_type, const json& patch_body,
                              std::string_view subresource, const WriteOptions& options) {
  if (name.empty())
    return util::unexpected(local_error(ApiErrorReason::kBadRequest,
                                        fmt::format("patch {}: name is required", type.resource)));
  return impl_->execute("PATCH", type.path(ns, name, subresource) + write_query(options),
                        patch_body, patch_content_type(patch_type));
}

ApiResult<json> Client::remove(const util::ResourceType& type, std::string_view ns,
                               std::string_view name, const DeleteOptions& options) {
  if (name.empty())
    return util::unexpected(local_error(ApiErrorReason::kBadRequest,
                                        fmt::format("delete {}: name is required", type.resource)));
  return impl_->execute("DELETE", type.path(ns, name), delete_options_body(options));
}

ApiResult<json> Client::delete_collection(const util::ResourceType& type, std::string_view ns,
                                          const ListOptions& list_options,
                                          const DeleteOptions& options) {
  Query q;
  add_list_options(q, list_options);
  return impl_->execute("DELETE", type.path(ns) + q.str(), delete_options_body(options));
}

ApiResult<json> Client::get_status(const util::ResourceType& type, std::string_view ns,
                                   std::string_view name) {
  if (name.empty())
    return util::unexpected(
        local_error(ApiErrorReason::kBadRequest,
                    fmt::format("get {}/status: name is required", type.resource)));
  return impl_->execute("GET", type.path(ns, name, "status"));
}

ApiResult<json> Client::update_status(const util::ResourceType& type, std::string_view ns,
                                      const json& object, const WriteOptions& options) {
  std::string name = object_name(object);
  if (name.empty())
    return util::unexpected(
        local_error(ApiErrorReason::kBadRequest,
                    fmt::format("update {}/status: metadata.name is required", type.resource)));
  return impl_->execute(
      "PUT", type.path(object_namespace(ns, object), name, "status") + write_query(options),
      object);
}

ApiResult<json> Client::get_scale(const util::ResourceType& type, std::string_view ns,
                                  std::string_view name) {
  if (name.empty())
    return util::unexpected(local_error(
        ApiErrorReason::kBadRequest, fmt::format("get {}/scale: name is required", type.resource)));
  return impl_->execute("GET", type.path(ns, name, "scale"));
}

ApiResult<json> Client::update_scale(const util::ResourceType& type, std::string_view ns,
                                     std::string_view name, const json& scale,
                                     const WriteOptions& options) {
  if (name.empty())
    return util::unexpected(
        local_error(ApiErrorReason::kBadRequest,
                    fmt::format("update {}/scale: name is required", type.resource)));
  return impl_->execute("PUT", type.path(ns, name, "scale") + write_query(options), scale);
}

ApiResult<json> Client::request(std::string_view method, std::string_view path_and_query,
                                const json& body, std::string_view content_type) {
  return impl_->execute(method, path_and_query, body, content_type, /*lenient=*/true);
}

ApiResult<WatchEnd> Client::watch(const util::ResourceType& type, std::string_view ns,
                                  const WatchOptions& options,
                                  const std::function<bool(const WatchEvent&)>& on_event,
                                  const std::atomic<bool>* stop) {
  Query q;
  q.add("watch", "true")
      .add("resourceVersion", options.resource_version)
      .add("allowWatchBookmarks", options.allow_watch_bookmarks ? "true" : "")
      .add("timeoutSeconds",
           options.timeout_seconds ? std::to_string(*options.timeout_seconds) : "")
      .add("labelSelector", options.label_selector)
      .add("fieldSelector", options.field_selector);
  impl_->limiter.acquire();
  HttpRequest request = impl_->make_request(
      "GET", type.path(ns) + q.str(), nullptr, "",
      options.metadata_only ? kPartialObjectMetadataAccept : "application/json");
  if (options.timeout_seconds)
    request.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::seconds(*options.timeout_seconds) + kWatchTimeoutMargin);

  WatchStreamDecoder decoder;
  std::optional<ApiError> stream_error;
  bool callback_stopped = false;
  auto on_frame = [&](WatchStreamDecoder::Decoded&& decoded) {
    if (decoded.error) {
      stream_error = std::move(decoded.error);
      return false;
    }
    if (!on_event(*decoded.event)) {
      callback_stopped = true;
      return false;
    }
    return true;
  };
  auto sent = impl_->send("WATCH", request, [&](const HttpRequest& r) {
    return impl_->transport.stream(
        r, [&](std::string_view chunk) { return decoder.feed(chunk, on_frame); }, stop);
  });
  if (!sent) return util::unexpected(std::move(sent).error());
  auto& result = *sent;
  if (!result) {
    impl_->count("WATCH", 0);
    return util::unexpected(
        transport_error(fmt::format("watch {}: {}", request.url, result.error().message)));
  }
  impl_->count("WATCH", result->response.status);
  const HttpResponse& response = result->response;
  if (response.status < 200 || response.status >= 300)
    return util::unexpected(from_response(response.status, response.body, response.headers));
  if (stream_error) return util::unexpected(std::move(*stream_error));
  if (callback_stopped) return WatchEnd::kCallbackStopped;
  if (result->end == StreamEnd::kStopRequested) return WatchEnd::kStopRequested;
  return WatchEnd::kServerClosed;
}

void Client::set_write_fence(WriteFence fence) {
  auto shared = std::make_shared<const WriteFence>(std::move(fence));
  std::lock_guard lock(impl_->fence_mu);
  impl_->fence = std::move(shared);
}

std::map<RequestKey, std::uint64_t> Client::request_counts() const {
  std::lock_guard lock(impl_->counts_mu);
  return impl_->counts;
}

}  // namespace druid::kube
