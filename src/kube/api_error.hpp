#pragma once
// Failed API calls as typed errors callers can branch on, decoded from the
// metav1.Status a Kubernetes API server returns (or from the bare HTTP code
// when the body is not a Status, e.g. from a proxy).

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace druid::kube {

enum class ApiErrorReason {
  kNotFound,               // 404
  kAlreadyExists,          // 409, reason AlreadyExists
  kConflict,               // 409 (stale resourceVersion, failed precondition)
  kInvalid,                // 422, with field causes
  kForbidden,              // 403
  kUnauthorized,           // 401
  kGone,                   // 410; reason "Expired" (too old resourceVersion/continue) too
  kTooManyRequests,        // 429, usually with Retry-After
  kServerTimeout,          // reason ServerTimeout (500/504 with that reason)
  kTimeout,                // 504, reason Timeout
  kInternalError,          // 500
  kBadRequest,             // 400
  kMethodNotAllowed,       // 405
  kUnsupportedMediaType,   // 415
  kServiceUnavailable,     // 503
  kNotAcceptable,          // 406
  kRequestEntityTooLarge,  // 413
  kTransport,              // no HTTP response: connect/TLS/timeout/stream failure
  kNotLeader,              // not sent: the process does not hold its leader lease (Client fence)
  kUnknown,                // anything else
};

// "NotFound", "AlreadyExists", ... (the metav1.StatusReason spelling; "Transport",
// "NotLeader" and "Unknown" for the three that have none).
std::string_view reason_name(ApiErrorReason reason);
// The inverse for Status reasons; "Expired" maps to kGone; unknown text to kUnknown.
ApiErrorReason reason_from_name(std::string_view name);
// The HTTP code a server uses for a reason (0 for kTransport/kUnknown).
int http_code_for(ApiErrorReason reason);

// Response headers with lower-case names (HTTP/2 sends them so anyway).
using HttpHeaders = std::map<std::string, std::string>;

struct StatusCause {
  std::string type;  // metav1.CauseType, e.g. "FieldValueRequired" (the Status' "reason")
  std::string message;
  std::string field;  // e.g. "spec.replicas"
  friend bool operator==(const StatusCause&, const StatusCause&) = default;
};

struct ApiError {
  ApiErrorReason reason = ApiErrorReason::kUnknown;
  int http_code = 0;    // 0 when there was no response (kTransport)
  std::string message;  // the Status message, or a description of the failure
  std::vector<StatusCause> causes;
  std::optional<std::chrono::seconds>
      retry_after;        // Retry-After header or details.retryAfterSeconds
  nlohmann::json status;  // the metav1.Status as received (null when the body was not one)

  // e.g. `NotFound (404): pods "x" not found` or
  // `Invalid (422): Etcd.druid.gardener.cloud "e" is invalid: spec.replicas: ...`.
  std::string what() const;
};

// Decodes a failed response. `body` may be a metav1.Status (reason, message,
// code, details.causes, details.retryAfterSeconds) or anything else, in which
// case the reason comes from the HTTP code and the message from the body text.
ApiError from_response(int http_code, const std::string& body, const HttpHeaders& headers = {});

// Builds the error for a request that got no HTTP response.
ApiError transport_error(std::string message);

// A metav1.Status body describing `e` (for servers and fakes that answer errors).
nlohmann::json to_status(const ApiError& e);

inline bool is_not_found(const ApiError& e) {
  return e.reason == ApiErrorReason::kNotFound;
}
inline bool is_already_exists(const ApiError& e) {
  return e.reason == ApiErrorReason::kAlreadyExists;
}
inline bool is_conflict(const ApiError& e) {
  return e.reason == ApiErrorReason::kConflict;
}
inline bool is_invalid(const ApiError& e) {
  return e.reason == ApiErrorReason::kInvalid;
}
inline bool is_forbidden(const ApiError& e) {
  return e.reason == ApiErrorReason::kForbidden;
}
inline bool is_unauthorized(const ApiError& e) {
  return e.reason == ApiErrorReason::kUnauthorized;
}
inline bool is_gone(const ApiError& e) {
  return e.reason == ApiErrorReason::kGone;
}
inline bool is_too_many_requests(const ApiError& e) {
  return e.reason == ApiErrorReason::kTooManyRequests;
}
inline bool is_timeout(const ApiError& e) {
  return e.reason == ApiErrorReason::kTimeout || e.reason == ApiErrorReason::kServerTimeout;
}
inline bool is_internal_error(const ApiError& e) {
  return e.reason == ApiErrorReason::kInternalError;
}
inline bool is_transport(const ApiError& e) {
  return e.reason == ApiErrorReason::kTransport;
}
// Worth retrying the same request later (client-go's "should retry" family):
// 429, 5xx timeouts/unavailable/internal, and transport failures.
bool is_retryable(const ApiError& e);

}  // namespace druid::kube
