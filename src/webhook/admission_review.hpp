#pragma once
// AdmissionReview of admission.k8s.io/v1 and v1beta1 as a webhook sees it:
// the request fields the component-protection decision reads, and the
// response an API server expects back. Both versions carry the same fields;
// the response is written in the version the request came in.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "util/expected.hpp"

namespace druid::webhook {

inline constexpr const char* kAdmissionV1 = "admission.k8s.io/v1";
inline constexpr const char* kAdmissionV1beta1 = "admission.k8s.io/v1beta1";
inline constexpr const char* kAdmissionReviewKind = "AdmissionReview";

// Operations of an AdmissionRequest.
inline constexpr const char* kOperationCreate = "CREATE";
inline constexpr const char* kOperationUpdate = "UPDATE";
inline constexpr const char* kOperationDelete = "DELETE";
inline constexpr const char* kOperationConnect = "CONNECT";

struct GroupVersionKind {
  std::string group;
  std::string version;
  std::string kind;
};

struct GroupVersionResource {
  std::string group;
  std::string version;
  std::string resource;
};

struct AdmissionRequest {
  std::string uid;
  GroupVersionKind kind;
  GroupVersionResource resource;
  std::string sub_resource;
  std::string name;
  std::string namespace_;
  std::string operation;
  std::string username;  // userInfo.username
  // As sent: null when absent (oldObject on UPDATE-less operations, object on DELETE).
  nlohmann::json object;
  nlohmann::json old_object;
};

// What a webhook answers (AdmissionResponse without the uid): `code` and
// `message` travel in response.status, as controller-runtime writes them.
struct Decision {
  bool allowed = false;
  int code = 0;
  std::string reason;  // "Forbidden" for denials, empty otherwise
  std::string message;
  std::vector<std::string> warnings;

  static Decision allow(std::string message, std::vector<std::string> warnings = {});
  // Denied by policy: 403 Forbidden.
  static Decision deny(std::string message);
  // The request could not be judged: 400 (bad request) or 500.
  static Decision errored(int code, std::string message);
  friend bool operator==(const Decision&, const Decision&) = default;
};

struct AdmissionReview {
  std::string api_version;  // kAdmissionV1 or kAdmissionV1beta1
  AdmissionRequest request;
};

// Decodes a request body. The error is the message of the 400 answer
// (an AdmissionReview that cannot be read is answered, not dropped).
util::Expected<AdmissionReview, std::string> decode_admission_review(std::string_view body);

// The response AdmissionReview: same apiVersion as the request, its uid echoed.
nlohmann::json encode_admission_review(const std::string& api_version, const std::string& uid,
                                       const Decision& decision);

}  // namespace druid::webhook
