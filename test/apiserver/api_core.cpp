#include "apiserver/api_core.hpp"

#include <chrono>
#include <thread>

#include "apiserver/api_core_internal.hpp"
#include "apiserver/discovery.hpp"
#include "apiserver/media_types.hpp"
#include "apiserver/openapi.hpp"
#include "apiserver/protobuf_kinds.hpp"
#include "apiserver/schema_defaulting.hpp"
#include "util/time.hpp"
#include "util/yaml.hpp"

namespace druid::testing {

using nlohmann::json;

namespace core_detail {

std::string meta_string(const json& object, const char* field) {
  auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object()) return {};
  auto it = meta->find(field);
  return it != meta->end() && it->is_string() ? it->get<std::string>() : std::string{};
}

util::Expected<json, StatusError> parse_body(const ApiRequest& request) {
  const std::string& ct = request.content_type;
  if (is_protobuf(ct)) return decode_kubernetes_protobuf(request.body);
  if (ct.find("protobuf") != std::string::npos || ct.find("cbor") != std::string::npos) {
    StatusError e;
    e.code = 415;
    e.reason = "UnsupportedMediaType";
    e.message =
        "the body of the request was in an unknown format - accepted media types "
        "include: application/json, application/yaml, application/vnd.kubernetes.protobuf";
    return util::unexpected(e);
  }
  if (ct.find("yaml") != std::string::npos) {
    auto parsed = util::parse_yaml(request.body);
    if (!parsed) return util::unexpected(bad_request(parsed.error().message()));
    return std::move(*parsed);
  }
  json parsed = json::parse(request.body, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return util::unexpected(bad_request(
        "couldn't get version/kind; json parse error: invalid character in the request body"));
  }
  return parsed;
}

}  // namespace core_detail

ApiResponse ApiResponse::json_body(int status, json body) {
  ApiResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

ApiResponse ApiResponse::error(const StatusError& error) {
  ApiResponse r = json_body(error.code, error.to_json());
  if (error.retry_after) {
    r.headers.emplace_back("Retry-After", std::to_string(error.retry_after->count()));
  }
  return r;
}

ApiCore::ApiCore(Options options)
    : options_(options),
      registry_(ResourceRegistry::with_builtins()),
      store_(options.event_log_limit),
      lifecycle_(store_, registry_, [this] { return now(); }) {
  // A fresh cluster has these namespaces.
  for (const char* ns : {"default", "kube-system", "kube-public", "kube-node-lease"}) {
    json object = {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns}}}};
    const ResourceType& type = *registry_.find("", "v1", "namespaces");
    prepare_for_create(object, type, now(), ids_);
    lifecycle_.create(type, std::move(object));
  }
}

std::string ApiCore::now() const {
  return util::format_rfc3339(
      std::chrono::time_point_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now()));
}

void ApiCore::set_server_address(std::string address) {
  std::lock_guard lock(mutex_);
  server_address_ = std::move(address);
}

void ApiCore::set_admission_hook(AdmissionHook hook) {
  std::lock_guard lock(mutex_);
  admission_ = std::move(hook);
}

ApiResponse ApiCore::handle(const ApiRequest& request) {
  const bool watch_param =
      query_value(request.query, "watch") == "true" || query_value(request.query, "watch") == "1";
  RequestInfo info;
  {
    std::lock_guard lock(mutex_);
    info = parse_request_info(request.method, request.path, watch_param,
                              [this](std::string_view g, std::string_view v, std::string_view r) {
                                const ResourceType* t = registry_.find(g, v, r);
                                return t != nullptr && t->namespaced;
                              });
  }
  if (info.kind == RequestInfo::Kind::kNonResource) return handle_non_resource(request, info);
  ApiResponse response = handle_resource(request, info);
  if (controls_.recording_writes()) {
    controls_.record_write(
        request.user.username, info.verb,
        info.subresource.empty() ? info.resource : info.resource + "/" + info.subresource, info.ns,
        info.name, response.status);
  }
  return response;
}

ApiResponse ApiCore::handle_non_resource(const ApiRequest& request, const RequestInfo& info) {
  const std::string& path = info.path;
  if (path == "/healthz" || path == "/livez" || path == "/readyz") {
    ApiResponse r;
    r.body = "ok";
    r.content_type = "text/plain";
    return r;
  }
  if (path == "/debug/requests") {
    if (request.method == "DELETE") {
      controls_.reset_counts();
      return ApiResponse::json_body(200, json::object());
    }
    return ApiResponse::json_body(200, controls_.counts_json());
  }
  if (request.method != "GET") return ApiResponse::error(method_not_allowed());
  std::lock_guard lock(mutex_);
  std::vector<std::string> parts;
  for (std::size_t i = 1; i <= path.size();) {
    std::size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    if (j > i) parts.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  json body;
  if (parts.size() == 1 && parts[0] == "version") {
    body = version_info();
  } else if (parts.size() == 1 && parts[0] == "api") {
    body = api_versions(server_address_);
  } else if (parts.size() == 2 && parts[0] == "api") {
    body = api_resource_list(registry_, "", parts[1]);
  } else if (parts.size() == 1 && parts[0] == "apis") {
    body = api_group_list(registry_);
  } else if (parts.size() == 2 && parts[0] == "apis") {
    body = api_group(registry_, parts[1]);
  } else if (parts.size() == 3 && parts[0] == "apis") {
    body = api_resource_list(registry_, parts[1], parts[2]);
  } else if (parts.size() == 2 && parts[0] == "openapi" && parts[1] == "v3") {
    body = openapi_v3_root(registry_);
  } else if (parts.size() == 4 && parts[0] == "openapi" && parts[1] == "v3" && parts[2] == "api") {
    body = openapi_v3_document(registry_, "", parts[3]);
  } else if (parts.size() == 5 && parts[0] == "openapi" && parts[1] == "v3" && parts[2] == "apis") {
    body = openapi_v3_document(registry_, parts[3], parts[4]);
  }
  if (body.is_null()) return ApiResponse::error(path_not_found());
  return ApiResponse::json_body(200, std::move(body));
}

ApiResponse ApiCore::handle_resource(const ApiRequest& request, const RequestInfo& info) {
  std::optional<ResourceType> type;
  {
    std::lock_guard lock(mutex_);
    if (const ResourceType* t = registry_.find(info.group, info.version, info.resource)) type = *t;
  }
  if (!type) return ApiResponse::error(path_not_found());
  if (!info.subresource.empty()) {
    const bool known = (info.subresource == "status" && type->status_subresource) ||
                       (info.subresource == "scale" && type->scale.has_value());
    if (!known || info.name.empty()) return ApiResponse::error(path_not_found());
    if (info.verb != "get" && info.verb != "update" && info.verb != "patch") {
      return ApiResponse::error(method_not_allowed());
    }
  }
  if (!type->has_verb(info.verb)) return ApiResponse::error(method_not_allowed());
  // A namespaced path for a cluster-scoped type (or the reverse for a single
  // object) names nothing.
  if (!type->namespaced && !info.ns.empty() && info.resource != "namespaces") {
    return ApiResponse::error(path_not_found());
  }
  if (type->namespaced && info.ns.empty() && !info.name.empty()) {
    return ApiResponse::error(path_not_found());
  }

  // Answers are JSON only: a client that takes nothing else (protobuf alone)
  // is told so instead of getting a body it cannot decode.
  if (!accepts_json(request.accept)) {
    return ApiResponse::error(
        not_acceptable("only the following media types are accepted: application/json"));
  }

  RequestAttributes attributes{info.verb,  info.resource, info.subresource,
                               info.group, info.ns,       info.name};
  if (auto latency = controls_.latency_for(attributes) + controls_.draw_latency(attributes);
      latency.count() > 0) {
    std::this_thread::sleep_for(latency);
  }
  if (auto injected = controls_.on_request(attributes)) return ApiResponse::error(*injected);
  const Fault fault = controls_.draw_fault(attributes);
  switch (fault) {
    case Fault::kTooManyRequests:
      return ApiResponse::error(too_many_requests(controls_.fault_retry_after()));
    case Fault::kInternalError:
      return ApiResponse::error(internal_error("injected fault"));
    case Fault::kServiceUnavailable: {
      StatusError unavailable;
      unavailable.code = 503;
      unavailable.reason = "ServiceUnavailable";
      unavailable.message = "the server is currently unable to handle the request";
      return ApiResponse::error(unavailable);
    }
    case Fault::kConflict:
      return ApiResponse::error(conflict_modified({info.group, info.resource}, info.name));
    default:
      break;
  }

  Context ctx{request, info, *type, query_value(request.query, "dryRun") == "All"};
  if (!type->namespaced) ctx.info.ns.clear();  // /namespaces/{name} names no namespace
  ApiResponse response = dispatch(ctx);
  if (fault == Fault::kTimeoutAfterApply && response.status >= 200 && response.status < 300) {
    // Applied, but the client hears a timeout (kube-apiserver's request timeout filter).
    return ApiResponse::error(
        timeout("request did not complete within requested timeout - context deadline exceeded"));
  }
  response.cut_connection = fault == Fault::kCutConnection;
  return response;
}

ApiResponse ApiCore::dispatch(Context& ctx) {
  const std::string& verb = ctx.info.verb;
  if (verb == "get") return get(ctx);
  if (verb == "list") return list(ctx);
  if (verb == "watch") return watch(ctx);
  if (verb == "create") return create(ctx);
  if (verb == "update") return update(ctx);
  if (verb == "patch") return patch(ctx);
  if (verb == "delete") return remove(ctx);
  if (verb == "deletecollection") return remove_collection(ctx);
  return ApiResponse::error(method_not_allowed());
}

json ApiCore::render(const ResourceType& type, json object) const {
  // The real server defaults custom resources when it decodes them from storage too.
  default_custom_resource(type, object);
  object["apiVersion"] = type.api_version();
  object["kind"] = type.kind;
  return object;
}

std::optional<json> ApiCore::get_object(const std::string& resource, const std::string& ns,
                                        const std::string& name) const {
  std::lock_guard lock(mutex_);
  for (const ResourceType* t : registry_.all()) {
    if (t->qualified_resource().str() != resource) continue;
    const json* o = store_.get({t->storage_key(), t->namespaced ? ns : "", name});
    if (o != nullptr) return render(*t, *o);
    return std::nullopt;
  }
  return std::nullopt;
}

std::vector<json> ApiCore::list_objects(const std::string& resource, const std::string& ns) const {
  std::lock_guard lock(mutex_);
  std::vector<json> out;
  for (const ResourceType* t : registry_.all()) {
    if (t->qualified_resource().str() != resource) continue;
    for (const json* o : store_.list(t->storage_key(), ns)) out.push_back(render(*t, *o));
    break;
  }
  return out;
}

util::Expected<json, StatusError> ApiCore::put_object(json object) {
  std::lock_guard lock(mutex_);
  const ResourceType* found =
      registry_.find_kind(object.value("apiVersion", ""), object.value("kind", ""));
  if (found == nullptr) {
    return util::unexpected(bad_request("no resource serves " + object.value("apiVersion", "") +
                                        ", Kind=" + object.value("kind", "")));
  }
  ResourceType type = *found;
  if (type.namespaced && core_detail::meta_string(object, "namespace").empty()) {
    object["metadata"]["namespace"] = "default";
  }
  ObjectKey key = ObjectLifecycle::key_of(type, object);
  if (const json* current = store_.get(key)) {
    json old = *current;
    object["metadata"]["resourceVersion"] = old["metadata"]["resourceVersion"];
    json status = object.value("status", json());
    prepare_for_update(object, old, type);
    if (!status.is_null()) object["status"] = status;  // direct access may set status too
    return render(type, lifecycle_.update(type, std::move(object)));
  }
  assign_generated_name(object, ids_);
  json status = object.value("status", json());
  prepare_for_create(object, type, now(), ids_);
  if (!status.is_null()) object["status"] = status;  // tests may seed status directly
  key = ObjectLifecycle::key_of(type, object);
  return render(type, lifecycle_.create(type, std::move(object)));
}

std::int64_t ApiCore::resource_version() const {
  std::lock_guard lock(mutex_);
  return store_.current_resource_version();
}

void ApiCore::compact() {
  std::lock_guard lock(mutex_);
  store_.compact();
}

void ApiCore::close_watches() {
  std::lock_guard lock(mutex_);
  store_.close_watches();
}

void ApiCore::expire_next_watches(int n) {
  std::lock_guard lock(mutex_);
  expire_next_watches_ += n;
}

std::size_t ApiCore::open_watches() {
  std::lock_guard lock(mutex_);
  return store_.open_watches();
}

void ApiCore::resume() {
  std::lock_guard lock(mutex_);
  shut_down_ = false;
}

void ApiCore::shutdown() {
  std::lock_guard lock(mutex_);
  shut_down_ = true;
  for (auto& w : streams_) {
    if (auto stream = w.lock()) stream->cancel();
  }
  streams_.clear();
  store_.close_watches();
}

}  // namespace druid::testing
