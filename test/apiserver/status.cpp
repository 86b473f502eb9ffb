#include "apiserver/status.hpp"

#include <fmt/format.h>

namespace druid::testing {
namespace {

using nlohmann::json;

json resource_details(const QualifiedResource& resource, const std::string& name) {
  json d = json::object();
  if (!name.empty()) d["name"] = name;
  if (!resource.group.empty()) d["group"] = resource.group;
  if (!resource.resource.empty()) d["kind"] = resource.resource;
  return d;
}

StatusError make(int code, std::string reason, std::string message, json details = nullptr) {
  StatusError e;
  e.code = code;
  e.reason = std::move(reason);
  e.message = std::move(message);
  e.details = std::move(details);
  return e;
}

}  // namespace

json StatusError::to_json() const {
  json status = {{"kind", "Status"},    {"apiVersion", "v1"}, {"metadata", json::object()},
                 {"status", "Failure"}, {"message", message}, {"code", code}};
  if (!reason.empty()) status["reason"] = reason;
  if (!details.is_null()) status["details"] = details;
  return status;
}

json success_status(const QualifiedResource& resource, const std::string& name,
                    const std::string& uid) {
  json details = resource_details(resource, name);
  if (!uid.empty()) details["uid"] = uid;
  return {{"kind", "Status"},
          {"apiVersion", "v1"},
          {"metadata", json::object()},
          {"status", "Success"},
          {"details", details}};
}

StatusError not_found(const QualifiedResource& resource, const std::string& name) {
  return make(404, "NotFound", fmt::format("{} \"{}\" not found", resource.str(), name),
              resource_details(resource, name));
}

StatusError already_exists(const QualifiedResource& resource, const std::string& name) {
  return make(409, "AlreadyExists", fmt::format("{} \"{}\" already exists", resource.str(), name),
              resource_details(resource, name));
}

StatusError conflict(const QualifiedResource& resource, const std::string& name,
                     const std::string& cause) {
  return make(
      409, "Conflict",
      fmt::format("Operation cannot be fulfilled on {} \"{}\": {}", resource.str(), name, cause),
      resource_details(resource, name));
}

StatusError conflict_modified(const QualifiedResource& resource, const std::string& name) {
  // k8s.io/apiserver/pkg/registry/generic/registry.OptimisticLockErrorMsg
  return conflict(resource, name,
                  "the object has been modified; please apply your changes to the latest "
                  "version and try again");
}

StatusError invalid(const QualifiedKind& kind, const std::string& name,
                    const api::FieldErrors& errors) {
  json causes = json::array();
  for (const auto& e : errors) {
    causes.push_back({{"reason", e.cause_reason()}, {"message", e.body()}, {"field", e.field}});
  }
  json details = json::object();
  if (!name.empty()) details["name"] = name;
  if (!kind.group.empty()) details["group"] = kind.group;
  details["kind"] = kind.kind;
  details["causes"] = causes;
  return make(422, "Invalid",
              fmt::format("{} \"{}\" is invalid: {}", kind.str(), name, api::to_string(errors)),
              details);
}

StatusError bad_request(const std::string& message) {
  return make(400, "BadRequest", message);
}

StatusError unauthorized() {
  return make(401, "Unauthorized", "Unauthorized");
}

StatusError forbidden(const QualifiedResource& resource, const std::string& name,
                      const std::string& cause) {
  std::string message =
      name.empty() ? fmt::format("{} is forbidden: {}", resource.str(), cause)
                   : fmt::format("{} \"{}\" is forbidden: {}", resource.str(), name, cause);
  return make(403, "Forbidden", message, resource_details(resource, name));
}

StatusError method_not_allowed() {
  return make(405, "MethodNotAllowed",
              "the server does not allow this method on the requested resource", json::object());
}

StatusError path_not_found() {
  return make(404, "NotFound", "the server could not find the requested resource", json::object());
}

StatusError unsupported_media_type(const std::string& content_type, bool custom_resource) {
  (void)content_type;
  // k8s.io/apiserver/pkg/endpoints/handlers/negotiation: the accepted patch types.
  std::string accepted = custom_resource
                             ? "application/json-patch+json, application/merge-patch+json, "
                               "application/apply-patch+yaml"
                             : "application/json-patch+json, application/merge-patch+json, "
                               "application/strategic-merge-patch+json, "
                               "application/apply-patch+yaml";
  return make(415, "UnsupportedMediaType",
              "the body of the request was in an unknown format - accepted media types "
              "include: " +
                  accepted);
}

StatusError not_acceptable(const std::string& message) {
  return make(406, "NotAcceptable", message);
}

StatusError expired(const std::string& message) {
  return make(410, "Expired", message);
}

StatusError gone(const std::string& message) {
  return make(410, "Gone", message);
}

StatusError too_many_requests(std::chrono::seconds retry_after) {
  StatusError e = make(429, "TooManyRequests", "Too many requests, please try again later.",
                       {{"retryAfterSeconds", retry_after.count()}});
  e.retry_after = retry_after;
  return e;
}

StatusError internal_error(const std::string& cause) {
  return make(500, "InternalError", "Internal error occurred: " + cause,
              {{"causes", json::array({{{"message", cause}}})}});
}

StatusError timeout(const std::string& message) {
  return make(504, "Timeout", "Timeout: " + message, {{"retryAfterSeconds", 1}});
}

StatusError request_entity_too_large(const std::string& message) {
  return make(413, "RequestEntityTooLarge", "Request entity too large: " + message);
}

}  // namespace druid::testing
