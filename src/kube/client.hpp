#pragma once
// A Kubernetes API client: the verbs client-go's dynamic client offers, on
// JSON objects, with typed errors, client-side rate limiting and streaming
// watches. One instance is shared by all threads of the process.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "kube/api_error.hpp"
#include "kube/resource.hpp"
#include "kube/rest_config.hpp"
#include "util/expected.hpp"

namespace druid::kube {

template <class T>
using ApiResult = util::Expected<T, ApiError>;

struct ListOptions {
  std::string label_selector;  // "app=x,tier in (a,b)"
  std::string field_selector;  // "metadata.name=x"
  std::optional<std::int64_t> limit;
  std::string continue_token;
  std::string resource_version;        // "" = most recent (quorum read); "0" = any (cache)
  std::string resource_version_match;  // "", "Exact", "NotOlderThan"
  // Ask for a PartialObjectMetadataList (meta.k8s.io/v1): items carry only
  // their metadata, so payloads (Secret data) never cross the wire. A server
  // that cannot convert answers with whole objects.
  bool metadata_only = false;
};

struct DeleteOptions {
  std::optional<std::string> propagation_policy;  // "Foreground", "Background", "Orphan"
  std::optional<std::string> precondition_uid;
  std::optional<std::string> precondition_resource_version;
  std::optional<std::int64_t> grace_period_seconds;
  bool dry_run = false;
};

// Options of create/update/patch.
struct WriteOptions {
  std::string field_manager;  // empty: none sent
  bool dry_run = false;
};

enum class PatchType {
  kMerge,           // application/merge-patch+json (RFC 7386)
  kJson,            // application/json-patch+json (RFC 6902; the body is an array)
  kStrategicMerge,  // application/strategic-merge-patch+json (built-in types only)
};

struct WatchOptions {
  std::string resource_version;  // start after this version; "" = "now" (server's choice)
  bool allow_watch_bookmarks = false;
  std::optional<int> timeout_seconds;  // server closes the stream after this
  std::string label_selector;
  std::string field_selector;
  // Events carry PartialObjectMetadata objects (see ListOptions::metadata_only).
  bool metadata_only = false;
};

// The Accept headers of metadata-only reads (client-go's metadata client),
// JSON as the fallback for servers that cannot convert.
inline constexpr const char* kPartialObjectMetadataListAccept =
    "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json";
inline constexpr const char* kPartialObjectMetadataAccept =
    "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json";

struct WatchEvent {
  std::string type;  // ADDED, MODIFIED, DELETED, BOOKMARK (ERROR never reaches callbacks)
  nlohmann::json object;
};

enum class WatchEnd {
  kServerClosed,     // the server ended the stream (timeoutSeconds, restart, ...)
  kCallbackStopped,  // on_event returned false
  kStopRequested,    // *stop became true
};

// Splits a watch response body into events as chunks arrive. Objects may span
// chunks; they may be separated by newlines (as the API server writes them)
// or not at all. Exposed for tests and benchmarks.
class WatchStreamDecoder {
 public:
  struct Decoded {
    std::optional<WatchEvent> event;  // set for non-ERROR events
    std::optional<ApiError> error;    // set for ERROR events or undecodable frames
  };
  // Feeds a chunk; calls `sink` for each complete frame. Returns false as soon
  // as `sink` does.
  bool feed(std::string_view chunk, const std::function<bool(Decoded&&)>& sink);
  // Bytes of an incomplete frame still buffered.
  std::size_t pending() const { return buffer_.size() - start_; }

 private:
  std::string buffer_;
  std::size_t start_ = 0;  // beginning of the current frame in buffer_
  std::size_t scan_ = 0;   // scanning position
  int depth_ = 0;
  bool in_string_ = false;
  bool escaped_ = false;
};

// Key of the request counters: what the metrics layer exports as
// rest_client_requests_total{method, code, host}. `method` is the HTTP method,
// or "WATCH" for watch streams (so a GET count means one-shot reads); code 0 =
// no response.
struct RequestKey {
  std::string method;
  int code = 0;
  std::string host;
  friend auto operator<=>(const RequestKey&, const RequestKey&) = default;
};

class Client {
 public:
  explicit Client(RestConfig config);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  const RestConfig& config() const;

  // `ns` is ignored for cluster-scoped types; "" lists/watches all namespaces.
  ApiResult<nlohmann::json> get(const util::ResourceType& type, std::string_view ns,
                                std::string_view name);
  ApiResult<nlohmann::json> list(const util::ResourceType& type, std::string_view ns,
                                 const ListOptions& options = {});
  // The object's own metadata.name (or generateName) is used.
  ApiResult<nlohmann::json> create(const util::ResourceType& type, std::string_view ns,
                                   const nlohmann::json& object, const WriteOptions& options = {});
  // PUT of the whole object; metadata.resourceVersion makes it conditional.
  ApiResult<nlohmann::json> update(const util::ResourceType& type, std::string_view ns,
                                   const nlohmann::json& object, const WriteOptions& options = {});
  // `subresource` "status" or "scale" patches that subresource.
  ApiResult<nlohmann::json> patch(const util::ResourceType& type, std::string_view ns,
                                  std::string_view name, PatchType patch_type,
                                  const nlohmann::json& patch_body,
                                  std::string_view subresource = {},
                                  const WriteOptions& options = {});
  // Returns the response body: the object (when deletion is pending on
  // finalizers or foreground deletion) or a Success Status.
  ApiResult<nlohmann::json> remove(const util::ResourceType& type, std::string_view ns,
                                   std::string_view name, const DeleteOptions& options = {});
  ApiResult<nlohmann::json> delete_collection(const util::ResourceType& type, std::string_view ns,
                                              const ListOptions& list_options = {},
                                              const DeleteOptions& options = {});

  ApiResult<nlohmann::json> get_status(const util::ResourceType& type, std::string_view ns,
                                       std::string_view name);
  ApiResult<nlohmann::json> update_status(const util::ResourceType& type, std::string_view ns,
                                          const nlohmann::json& object,
                                          const WriteOptions& options = {});
  // autoscaling/v1 Scale objects.
  ApiResult<nlohmann::json> get_scale(const util::ResourceType& type, std::string_view ns,
                                      std::string_view name);
  ApiResult<nlohmann::json> update_scale(const util::ResourceType& type, std::string_view ns,
                                         std::string_view name, const nlohmann::json& scale,
                                         const WriteOptions& options = {});

  // Streams events until the server closes the stream, `on_event` returns
  // false, or `*stop` (may be null) becomes true (noticed within ~100 ms).
  // HTTP errors and ERROR events are returned as ApiError (410/Expired → kGone).
  ApiResult<WatchEnd> watch(const util::ResourceType& type, std::string_view ns,
                            const WatchOptions& options,
                            const std::function<bool(const WatchEvent&)>& on_event,
                            const std::atomic<bool>* stop = nullptr);

  // Any request, e.g. discovery: `path_and_query` starts with "/" and is
  // appended to the server URL. A null body sends none. Non-JSON 2xx bodies
  // come back as a JSON string.
  ApiResult<nlohmann::json> request(std::string_view method, std::string_view path_and_query,
                                    const nlohmann::json& body = nullptr,
                                    std::string_view content_type = "application/json");

  // Requests sent so far by (method, code, host). Thread-safe snapshot.
  std::map<RequestKey, std::uint64_t> request_counts() const;

  // Asked right before every request that may write (any method but GET): an error it returns
  // is the request's result and nothing is sent. A manager with leader election fences its
  // controllers' client with the lease, so a process that lost it (or was paused past its
  // renew deadline) cannot write; an empty fence (the default) admits everything.
  using WriteFence = std::function<std::optional<ApiError>(std::string_view method,
                                                           std::string_view path_and_query)>;
  void set_write_fence(WriteFence fence);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace druid::kube
