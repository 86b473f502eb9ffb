#pragma once
// The Kubernetes API semantics of the test server, independent of HTTP: a
// request (method, path, query, body, caller) in, a response (code, JSON body or
// a watch stream) out. The HTTPS server (server.hpp) only translates.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "apiserver/authenticator.hpp"
#include "apiserver/controls.hpp"
#include "apiserver/list_options.hpp"
#include "apiserver/object_lifecycle.hpp"
#include "apiserver/object_meta_rules.hpp"
#include "apiserver/request_info.hpp"
#include "apiserver/resource_registry.hpp"
#include "apiserver/status.hpp"
#include "apiserver/store.hpp"
#include "apiserver/watch_stream.hpp"

namespace druid::testing {

struct ApiRequest {
  std::string method;  // GET, POST, PUT, PATCH, DELETE
  std::string path;    // decoded, without the query
  QueryParams query;
  std::string body;
  std::string content_type;
  std::string accept;
  UserInfo user;
};

struct ApiResponse {
  int status = 200;
  nlohmann::json body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::shared_ptr<WatchStream> watch;  // set for watch requests: stream it instead of body
  // An injected fault (Fault::kCutConnection): half the body is sent, then the connection drops.
  bool cut_connection = false;

  static ApiResponse json_body(int status, nlohmann::json body);
  static ApiResponse error(const StatusError& error);
};

// What admission webhooks are asked about (AdmissionReview v1 request fields).
struct AdmissionAttributes {
  std::string operation;  // CREATE, UPDATE, DELETE
  ResourceType type;
  std::string subresource;
  std::string ns;
  std::string name;
  nlohmann::json object;      // null for DELETE
  nlohmann::json old_object;  // null for CREATE
  nlohmann::json options;     // CreateOptions / UpdateOptions / DeleteOptions
  UserInfo user;
  bool dry_run = false;
};
// Returns the error to answer, or nullopt to admit. Called without the core's
// lock held (webhooks may call back into the server).
using AdmissionHook = std::function<std::optional<StatusError>(
    const AdmissionAttributes&, const std::vector<nlohmann::json>& webhook_configurations)>;

class ApiCore {
 public:
  struct Options {
    std::size_t event_log_limit = 10000;
    WatchSettings watch;
  };
  explicit ApiCore(Options options);
  ApiCore() : ApiCore(Options{}) {}

  ApiResponse handle(const ApiRequest& request);

  Controls& controls() { return controls_; }
  void set_server_address(std::string address);
  void set_admission_hook(AdmissionHook hook);

  // Direct access for tests and tools: no admission, no counters, no injection.
  // `resource` is the qualified resource: "pods", "statefulsets.apps",
  // "etcds.druid.gardener.cloud".
  std::optional<nlohmann::json> get_object(const std::string& resource, const std::string& ns,
                                           const std::string& name) const;
  std::vector<nlohmann::json> list_objects(const std::string& resource,
                                           const std::string& ns = {}) const;
  // Creates the object, or replaces it when it exists (its apiVersion and kind
  // say what it is). CRDs register their types.
  util::Expected<nlohmann::json, StatusError> put_object(nlohmann::json object);
  std::int64_t resource_version() const;

  // Watch controls: forget the event history (watches from older versions get
  // 410), end every open watch, or answer the next `n` watches with 410.
  void compact();
  void close_watches();
  void expire_next_watches(int n);
  std::size_t open_watches();
  // Ends all watch streams for good (server shutdown).
  void shutdown();
  // Accepts watches again after shutdown() (a restart keeping the data).
  void resume();

 private:
  struct Context;
  ApiResponse handle_non_resource(const ApiRequest& request, const RequestInfo& info);
  ApiResponse handle_resource(const ApiRequest& request, const RequestInfo& info);
  ApiResponse dispatch(Context& ctx);  // by verb

  ApiResponse get(Context& ctx);
  ApiResponse list(Context& ctx);
  ApiResponse watch(Context& ctx);
  ApiResponse create(Context& ctx);
  ApiResponse update(Context& ctx);
  ApiResponse patch(Context& ctx);
  ApiResponse remove(Context& ctx);
  ApiResponse remove_collection(Context& ctx);

  // A write computed under the lock, admitted without it, committed under it
  // again if nothing changed in between (retried otherwise).
  struct WritePlan;
  using Planner = std::function<util::Expected<WritePlan, StatusError>()>;
  ApiResponse run_write(Context& ctx, const Planner& planner);
  util::Expected<WritePlan, StatusError> plan_create(Context& ctx, nlohmann::json object);
  util::Expected<WritePlan, StatusError> plan_update(Context& ctx, nlohmann::json object,
                                                     bool rv_from_request);
  std::optional<StatusError> validate(const ResourceType& type, const nlohmann::json& object,
                                      const nlohmann::json& old) const;
  std::optional<StatusError> admit(const AdmissionAttributes& attributes);
  std::vector<nlohmann::json> webhook_configurations() const;

  nlohmann::json render(const ResourceType& type, nlohmann::json object) const;
  ApiResponse list_response(Context& ctx, std::vector<nlohmann::json> items,
                            const nlohmann::json& list_meta);
  std::string now() const;

  mutable std::mutex mutex_;
  Options options_;
  ResourceRegistry registry_;
  Store store_;
  ObjectLifecycle lifecycle_;
  IdGenerator ids_;
  Controls controls_;
  AdmissionHook admission_;
  std::string server_address_ = "127.0.0.1:443";
  int expire_next_watches_ = 0;
  std::vector<std::weak_ptr<WatchStream>> streams_;
  bool shut_down_ = false;
};

}  // namespace druid::testing
