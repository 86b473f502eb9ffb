#include "kube/http_transport.hpp"

#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <mutex>

#include "kube/stream_multiplexer.hpp"

namespace druid::kube {
namespace {

// Idle handles kept beyond this are closed: enough for every worker thread of
// the operator while bounding open connections.
constexpr std::size_t kMaxIdleHandles = 32;
// How often a stream checks its stop flag.
constexpr int kStopPollMillis = 50;
// Body bytes of one shared stream waiting for its consumer before libcurl is
// told to pause it (HTTP/2 flow control then holds the server back for that
// stream alone).
constexpr std::size_t kMaxQueuedStreamBytes = 4 << 20;

void global_init_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

struct MultiDeleter {
  void operator()(CURLM* multi) const { curl_multi_cleanup(multi); }
};
using Multi = std::unique_ptr<CURLM, MultiDeleter>;

// State of one transfer, shared with libcurl's callbacks.
struct Transfer {
  CURL* easy = nullptr;
  HttpResponse* response = nullptr;
  const std::function<bool(std::string_view)>* on_data = nullptr;  // streaming only
  bool consumer_stopped = false;
};

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {
    // A new response begins (after 100 Continue, or the first one): forget earlier headers.
    t->response->headers.clear();
    return line.size();
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return line.size();
  t->response->headers[lower(trim(line.substr(0, colon)))] =
      std::string(trim(line.substr(colon + 1)));
  return line.size();
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view chunk(data, size * count);
  if (t->on_data != nullptr) {
    long code = 0;
    curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &code);
    if (code >= 200 && code < 300) {
      if (!(*t->on_data)(chunk)) {
        t->consumer_stopped = true;
        return 0;  // makes libcurl abort the transfer with CURLE_WRITE_ERROR
      }
      return chunk.size();
    }
  }
  t->response->body.append(chunk);
  return chunk.size();
}

// A stream on the shared multi handle: libcurl's callbacks run on the
// multiplexer's thread and queue the body here; the consumer's thread takes it.
struct SharedStream {
  CURL* easy = nullptr;
  HttpResponse* response = nullptr;  // headers: written by on_header until `done`
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<std::string> chunks;  // of a 2xx body
  std::size_t queued_bytes = 0;
  bool paused = false;
  std::string error_body;  // a non-2xx body, whole
  bool done = false;
  int result = 0;  // CURLcode, or StreamMultiplexer::kRemoved
};

size_t queue_body(char* data, size_t size, size_t count, void* user) {
  auto* stream = static_cast<SharedStream*>(user);
  const std::size_t length = size * count;
  long code = 0;
  curl_easy_getinfo(stream->easy, CURLINFO_RESPONSE_CODE, &code);
  std::lock_guard lock(stream->mutex);
  if (code < 200 || code >= 300) {
    stream->error_body.append(data, length);
    return length;
  }
  if (stream->queued_bytes >= kMaxQueuedStreamBytes) {
    // libcurl hands the same bytes again once resumed.
    stream->paused = true;
    return CURL_WRITEFUNC_PAUSE;
  }
  stream->chunks.emplace_back(data, length);
  stream->queued_bytes += length;
  stream->changed.notify_one();
  return length;
}

void set_blob(CURL* easy, CURLoption option, const std::string& pem) {
  curl_blob blob{const_cast<char*>(pem.data()), pem.size(), CURL_BLOB_COPY};
  curl_easy_setopt(easy, option, &blob);
}

TransportError make_error(CURLcode code, const char* detail) {
  TransportError e;
  e.curl_code = static_cast<int>(code);
  e.timed_out = code == CURLE_OPERATION_TIMEDOUT;
  e.message = curl_easy_strerror(code);
  if (detail != nullptr && detail[0] != '\0') e.message = fmt::format("{}: {}", e.message, detail);
  return e;
}

// CURLOPT_PREREQFUNCTION: `data` is the request's before_send.
int ask_before_send(void* data, char* /*primary_ip*/, char* /*local_ip*/, int /*primary_port*/,
                    int /*local_port*/) {
  const auto& before_send = *static_cast<const std::function<bool()>*>(data);
  return before_send() ? CURL_PREREQFUNC_OK : CURL_PREREQFUNC_ABORT;
}

void finish_response(CURL* easy, HttpResponse& response) {
  long code = 0;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
  response.status = static_cast<int>(code);
  long version = 0;
  curl_easy_getinfo(easy, CURLINFO_HTTP_VERSION, &version);
  response.http_version = version;
}

}  // namespace

struct HttpTransport::Handle {
  struct EasyDeleter {
    void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
  };
  std::unique_ptr<CURL, EasyDeleter> easy{curl_easy_init()};
  Slist headers;
  std::array<char, CURL_ERROR_SIZE> error{};
};

HttpTransport::HttpTransport(TlsConfig tls, std::chrono::milliseconds default_timeout,
                             std::string user_agent)
    : tls_(std::move(tls)), default_timeout_(default_timeout), user_agent_(std::move(user_agent)) {
  if (!tls_.ca_file.empty()) ca_file_ = std::make_unique<ReloadedFile>(tls_.ca_file, tls_.ca_pem);
  global_init_once();
}

HttpTransport::~HttpTransport() = default;

std::unique_ptr<HttpTransport::Handle> HttpTransport::take_handle() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      auto handle = std::move(idle_.back());
      idle_.pop_back();
      return handle;
    }
  }
  return std::make_unique<Handle>();
}

void HttpTransport::give_back(std::unique_ptr<Handle> handle) {
  handle->headers.reset();
  std::lock_guard lock(mu_);
  if (idle_.size() < kMaxIdleHandles) idle_.push_back(std::move(handle));
}

void HttpTransport::configure(Handle& handle, const HttpRequest& request, bool streaming) {
  CURL* easy = handle.easy.get();
  // Resetting options keeps the handle's live connections and TLS sessions.
  curl_easy_reset(easy);
  handle.error[0] = '\0';
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, handle.error.data());
  curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
  curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
  if (!user_agent_.empty()) curl_easy_setopt(easy, CURLOPT_USERAGENT, user_agent_.c_str());
  // Streams stay uncompressed so each event is delivered as soon as it arrives.
  if (!streaming) curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");

  const std::string ca_pem = ca_file_ ? ca_file_->contents() : tls_.ca_pem;
  if (!ca_pem.empty()) set_blob(easy, CURLOPT_CAINFO_BLOB, ca_pem);
  const std::string& cert_pem =
      request.client_certificate ? request.client_certificate->cert_pem : tls_.client_cert_pem;
  const std::string& key_pem =
      request.client_certificate ? request.client_certificate->key_pem : tls_.client_key_pem;
  if (!cert_pem.empty()) {
    set_blob(easy, CURLOPT_SSLCERT_BLOB, cert_pem);
    curl_easy_setopt(easy, CURLOPT_SSLCERTTYPE, "PEM");
  }
  if (!key_pem.empty()) {
    set_blob(easy, CURLOPT_SSLKEY_BLOB, key_pem);
    curl_easy_setopt(easy, CURLOPT_SSLKEYTYPE, "PEM");
  }
  if (tls_.insecure_skip_verify) {
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L);
  }

  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(default_timeout_.count()));
  auto timeout =
      request.timeout.value_or(streaming ? std::chrono::milliseconds(0) : default_timeout_);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));

  if (request.method == "GET") {
    curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
  } else if (request.method == "HEAD") {
    curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
  } else {
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT" ||
      request.method == "PATCH") {
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.data());
  }

  curl_slist* list = nullptr;
  for (const auto& [name, value] : request.headers)
    list = curl_slist_append(list, fmt::format("{}: {}", name, value).c_str());
  // No "Expect: 100-continue" round trip before large bodies.
  list = curl_slist_append(list, "Expect:");
  handle.headers.reset(list);
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, list);
  // Handles are reused: the callback is set or cleared on every request.
  if (request.before_send) {
    curl_easy_setopt(easy, CURLOPT_PREREQFUNCTION, ask_before_send);
    curl_easy_setopt(easy, CURLOPT_PREREQDATA,
                     const_cast<std::function<bool()>*>(&request.before_send));
  } else {
    curl_easy_setopt(easy, CURLOPT_PREREQFUNCTION, nullptr);
    curl_easy_setopt(easy, CURLOPT_PREREQDATA, nullptr);
  }
}

util::Expected<HttpResponse, TransportError> HttpTransport::perform(const HttpRequest& request) {
  auto handle = take_handle();
  if (!handle->easy) return util::unexpected(TransportError{"curl_easy_init failed", 0, false});
  configure(*handle, request, /*streaming=*/false);
  HttpResponse response;
  Transfer transfer{handle->easy.get(), &response, nullptr, false};
  CURL* easy = handle->easy.get();
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &transfer);
  CURLcode rc = curl_easy_perform(easy);
  if (rc != CURLE_OK) {
    auto error = make_error(rc, handle->error.data());
    give_back(std::move(handle));
    return util::unexpected(std::move(error));
  }
  finish_response(easy, response);
  give_back(std::move(handle));
  return response;
}

StreamMultiplexer* HttpTransport::multiplexer() {
  std::lock_guard lock(mu_);
  if (!multiplexer_) multiplexer_ = std::make_unique<StreamMultiplexer>();
  return multiplexer_.get();
}

util::Expected<StreamResult, TransportError> HttpTransport::stream(
    const HttpRequest& request, const std::function<bool(std::string_view)>& on_data,
    const std::atomic<bool>* stop) {
  auto handle = take_handle();
  if (!handle->easy) return util::unexpected(TransportError{"curl_easy_init failed", 0, false});
  configure(*handle, request, /*streaming=*/true);
  if (auto shared = stream_shared(*handle, on_data, stop)) {
    give_back(std::move(handle));
    return std::move(*shared);
  }
  StreamResult result;
  Transfer transfer{handle->easy.get(), &result.response, &on_data, false};
  CURL* easy = handle->easy.get();
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &transfer);

  // The multi interface lets us wake up every few ms to look at `stop`; the
  // easy interface's progress callback may be called only once a second.
  Multi multi(curl_multi_init());
  if (!multi) return util::unexpected(TransportError{"curl_multi_init failed", 0, false});
  curl_multi_add_handle(multi.get(), easy);
  CURLcode rc = CURLE_OK;
  bool done = false;
  while (!done) {
    int running = 0;
    CURLMcode mc = curl_multi_perform(multi.get(), &running);
    if (mc != CURLM_OK) {
      curl_multi_remove_handle(multi.get(), easy);
      return util::unexpected(TransportError{curl_multi_strerror(mc), 0, false});
    }
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi.get(), &queued)) {
      if (msg->msg == CURLMSG_DONE) {
        rc = msg->data.result;
        done = true;
      }
    }
    if (done) break;
    if (stop != nullptr && stop->load()) {
      result.end = StreamEnd::kStopRequested;
      break;
    }
    curl_multi_poll(multi.get(), nullptr, 0, kStopPollMillis, nullptr);
  }
  finish_response(easy, result.response);
  curl_multi_remove_handle(multi.get(), easy);
  if (transfer.consumer_stopped) {
    result.end = StreamEnd::kConsumerStopped;
  } else if (done && rc != CURLE_OK) {
    auto error = make_error(rc, handle->error.data());
    give_back(std::move(handle));
    return util::unexpected(std::move(error));
  }
  give_back(std::move(handle));
  return result;
}

}  // namespace druid::kube

namespace druid::kube {

std::optional<util::Expected<StreamResult, TransportError>> HttpTransport::stream_shared(
    Handle& handle, const std::function<bool(std::string_view)>& on_data,
    const std::atomic<bool>* stop) {
  CURL* easy = handle.easy.get();
  StreamResult result;
  SharedStream shared;
  shared.easy = easy;
  shared.response = &result.response;
  Transfer headers{easy, &result.response, nullptr, false};
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &headers);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, queue_body);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &shared);
  // Wait for the shared connection to say whether it multiplexes (ALPN) rather
  // than open a second one while the first is being set up.
  curl_easy_setopt(easy, CURLOPT_PIPEWAIT, 1L);
  StreamMultiplexer* mux = multiplexer();
  const bool added = mux->add(easy, [&shared](int code) {
    std::lock_guard lock(shared.mutex);
    shared.done = true;
    shared.result = code;
    shared.changed.notify_one();
  });
  if (!added) return std::nullopt;

  bool removing = false;
  bool consumer_stopped = false;
  // A consumer that throws ends its stream like one that stops; the exception is
  // thrown on once the transfer has left the multi handle, which still writes to
  // `shared` and the handle until then.
  std::exception_ptr consumer_failure;
  std::deque<std::string> chunks;
  for (;;) {
    bool done = false;
    bool resume = false;
    {
      std::unique_lock lock(shared.mutex);
      shared.changed.wait_for(lock, std::chrono::milliseconds(kStopPollMillis),
                              [&] { return shared.done || !shared.chunks.empty(); });
      chunks.swap(shared.chunks);
      shared.queued_bytes = 0;
      resume = shared.paused;
      shared.paused = false;
      done = shared.done;
    }
    if (resume && !done) mux->resume(easy);
    for (const auto& chunk : chunks) {
      if (consumer_stopped) break;
      try {
        if (!on_data(chunk)) consumer_stopped = true;
      } catch (...) {
        consumer_failure = std::current_exception();
        consumer_stopped = true;
      }
    }
    chunks.clear();
    if (done) break;
    if (!removing && (consumer_stopped || (stop != nullptr && stop->load()))) {
      if (!consumer_stopped) result.end = StreamEnd::kStopRequested;
      mux->remove(easy);
      removing = true;
    }
  }
  // The handle has left the multi handle: it is the caller's again.
  curl_easy_setopt(easy, CURLOPT_PIPEWAIT, 0L);
  if (consumer_failure) std::rethrow_exception(consumer_failure);
  finish_response(easy, result.response);
  result.response.body = std::move(shared.error_body);
  if (consumer_stopped) {
    result.end = StreamEnd::kConsumerStopped;
  } else if (!removing && shared.result != CURLE_OK) {
    return util::Expected<StreamResult, TransportError>(
        util::unexpected(make_error(static_cast<CURLcode>(shared.result), handle.error.data())));
  }
  return util::Expected<StreamResult, TransportError>(std::move(result));
}

}  // namespace druid::kube
