#include "kube/api_error.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <utility>

#include "util/json_access.hpp"

namespace druid::kube {

using util::string_field;
namespace {

struct ReasonInfo {
  ApiErrorReason reason;
  std::string_view name;
  int code;
};

constexpr std::array kReasons{
    ReasonInfo{ApiErrorReason::kNotFound, "NotFound", 404},
    ReasonInfo{ApiErrorReason::kAlreadyExists, "AlreadyExists", 409},
    ReasonInfo{ApiErrorReason::kConflict, "Conflict", 409},
    ReasonInfo{ApiErrorReason::kInvalid, "Invalid", 422},
    ReasonInfo{ApiErrorReason::kForbidden, "Forbidden", 403},
    ReasonInfo{ApiErrorReason::kUnauthorized, "Unauthorized", 401},
    ReasonInfo{ApiErrorReason::kGone, "Gone", 410},
    ReasonInfo{ApiErrorReason::kTooManyRequests, "TooManyRequests", 429},
    ReasonInfo{ApiErrorReason::kServerTimeout, "ServerTimeout", 500},
    ReasonInfo{ApiErrorReason::kTimeout, "Timeout", 504},
    ReasonInfo{ApiErrorReason::kInternalError, "InternalError", 500},
    ReasonInfo{ApiErrorReason::kBadRequest, "BadRequest", 400},
    ReasonInfo{ApiErrorReason::kMethodNotAllowed, "MethodNotAllowed", 405},
    ReasonInfo{ApiErrorReason::kUnsupportedMediaType, "UnsupportedMediaType", 415},
    ReasonInfo{ApiErrorReason::kServiceUnavailable, "ServiceUnavailable", 503},
    ReasonInfo{ApiErrorReason::kNotAcceptable, "NotAcceptable", 406},
    ReasonInfo{ApiErrorReason::kRequestEntityTooLarge, "RequestEntityTooLarge", 413},
    ReasonInfo{ApiErrorReason::kTransport, "Transport", 0},
    ReasonInfo{ApiErrorReason::kNotLeader, "NotLeader", 0},
    ReasonInfo{ApiErrorReason::kUnknown, "Unknown", 0},
};

// What client-go's NewGenericServerResponse derives from a bare HTTP code.
ApiErrorReason reason_from_code(int code) {
  switch (code) {
    case 400:
      return ApiErrorReason::kBadRequest;
    case 401:
      return ApiErrorReason::kUnauthorized;
    case 403:
      return ApiErrorReason::kForbidden;
    case 404:
      return ApiErrorReason::kNotFound;
    case 405:
      return ApiErrorReason::kMethodNotAllowed;
    case 406:
      return ApiErrorReason::kNotAcceptable;
    case 409:
      return ApiErrorReason::kConflict;
    case 410:
      return ApiErrorReason::kGone;
    case 413:
      return ApiErrorReason::kRequestEntityTooLarge;
    case 415:
      return ApiErrorReason::kUnsupportedMediaType;
    case 422:
      return ApiErrorReason::kInvalid;
    case 429:
      return ApiErrorReason::kTooManyRequests;
    case 500:
      return ApiErrorReason::kInternalError;
    case 503:
      return ApiErrorReason::kServiceUnavailable;
    case 504:
      return ApiErrorReason::kTimeout;
    default:
      return ApiErrorReason::kUnknown;
  }
}

std::optional<std::chrono::seconds> parse_retry_after(const HttpHeaders& headers) {
  auto it = headers.find("retry-after");
  if (it == headers.end()) return std::nullopt;
  const std::string& v = it->second;
  long long seconds = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), seconds);
  // Kubernetes only sends delta-seconds; an HTTP-date is not worth parsing here.
  if (ec != std::errc() || end != v.data() + v.size() || seconds < 0) return std::nullopt;
  return std::chrono::seconds(seconds);
}

bool looks_like_status(const nlohmann::json& body) {
  return body.is_object() && string_field(body, "kind") == "Status";
}

std::string generic_message(int code, const std::string& body) {
  // Like client-go: a short non-JSON body is the message; otherwise describe the code.
  std::string trimmed = body;
  while (!trimmed.empty() &&
         (trimmed.back() == '\n' || trimmed.back() == '\r' || trimmed.back() == ' '))
    trimmed.pop_back();
  if (!trimmed.empty() && trimmed.size() <= 1024) return trimmed;
  return fmt::format("the server responded with HTTP status {}", code);
}

}  // namespace

std::string_view reason_name(ApiErrorReason reason) {
  for (const auto& info : kReasons)
    if (info.reason == reason) return info.name;
  return "Unknown";
}

ApiErrorReason reason_from_name(std::string_view name) {
  if (name == "Expired") return ApiErrorReason::kGone;
  for (const auto& info : kReasons)
    if (info.name == name && info.code != 0) return info.reason;  // not one of ours alone
  return ApiErrorReason::kUnknown;
}

int http_code_for(ApiErrorReason reason) {
  for (const auto& info : kReasons)
    if (info.reason == reason) return info.code;
  return 0;
}

std::string ApiError::what() const {
  if (http_code == 0) return fmt::format("{}: {}", reason_name(reason), message);
  return fmt::format("{} ({}): {}", reason_name(reason), http_code, message);
}

ApiError from_response(int http_code, const std::string& body, const HttpHeaders& headers) {
  ApiError e;
  e.http_code = http_code;
  e.retry_after = parse_retry_after(headers);
  auto parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!looks_like_status(parsed)) {
    e.reason = reason_from_code(http_code);
    e.message = generic_message(http_code, body);
    return e;
  }
  e.status = std::move(parsed);
  const auto& status = e.status;
  std::string reason = string_field(status, "reason");
  e.reason = reason.empty() ? ApiErrorReason::kUnknown : reason_from_name(reason);
  if (e.reason == ApiErrorReason::kUnknown) {
    // An unset or unfamiliar reason: the code (from the Status, else HTTP) decides.
    // Only an integer code counts (metav1.Status.Code is an int32): json::value()
    // would throw on `"code": "410"`, and no caller catches (fuzzing,
    // test/fuzz/regressions/watch_stream).
    const auto status_code = status.find("code");
    int code = status_code != status.end() && status_code->is_number_integer()
                   ? status_code->get<int>()
                   : 0;
    if (code == 0) code = http_code;
    e.reason = reason_from_code(code);
  }
  e.message = string_field(status, "message");
  if (e.message.empty()) e.message = generic_message(http_code, "");
  if (auto details = status.find("details"); details != status.end() && details->is_object()) {
    if (auto causes = details->find("causes"); causes != details->end() && causes->is_array()) {
      for (const auto& c : *causes) {
        if (!c.is_object()) continue;
        e.causes.push_back(
            {string_field(c, "reason"), string_field(c, "message"), string_field(c, "field")});
      }
    }
    if (!e.retry_after) {
      if (auto ra = details->find("retryAfterSeconds");
          ra != details->end() && ra->is_number_integer() && ra->get<long long>() > 0)
        e.retry_after = std::chrono::seconds(ra->get<long long>());
    }
  }
  return e;
}

ApiError transport_error(std::string message) {
  ApiError e;
  e.reason = ApiErrorReason::kTransport;
  e.message = std::move(message);
  return e;
}

nlohmann::json to_status(const ApiError& e) {
  if (e.status.is_object()) return e.status;
  nlohmann::json status = {{"kind", "Status"},
                           {"apiVersion", "v1"},
                           {"metadata", nlohmann::json::object()},
                           {"status", "Failure"},
                           {"message", e.message},
                           {"reason", std::string(reason_name(e.reason))},
                           {"code", e.http_code != 0 ? e.http_code : http_code_for(e.reason)}};
  nlohmann::json details = nlohmann::json::object();
  if (!e.causes.empty()) {
    auto& causes = details["causes"] = nlohmann::json::array();
    for (const auto& c : e.causes) {
      nlohmann::json cause = nlohmann::json::object();
      if (!c.type.empty()) cause["reason"] = c.type;
      if (!c.message.empty()) cause["message"] = c.message;
      if (!c.field.empty()) cause["field"] = c.field;
      causes.push_back(std::move(cause));
    }
  }
  if (e.retry_after) details["retryAfterSeconds"] = e.retry_after->count();
  if (!details.empty()) status["details"] = std::move(details);
  return status;
}

bool is_retryable(const ApiError& e) {
  switch (e.reason) {
    case ApiErrorReason::kTooManyRequests:
    case ApiErrorReason::kServerTimeout:
    case ApiErrorReason::kTimeout:
    case ApiErrorReason::kServiceUnavailable:
    case ApiErrorReason::kInternalError:
    case ApiErrorReason::kTransport:
      return true;
    default:
      return false;
  }
}

}  // namespace druid::kube
