#pragma once
// metav1.Status bodies exactly as a Kubernetes API server writes them for failed
// requests (k8s.io/apimachinery/pkg/api/errors), so clients see the same codes,
// reasons, messages and details from us as from a real cluster.

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "api/field_error.hpp"

namespace druid::testing {

// Which group and resource an error is about: the server names objects as
// `<resource>.<group> "<name>"` (just `<resource> "<name>"` for the core group).
struct QualifiedResource {
  std::string group;
  std::string resource;  // plural
  std::string str() const { return group.empty() ? resource : resource + "." + group; }
};

struct QualifiedKind {
  std::string group;
  std::string kind;
  std::string str() const { return group.empty() ? kind : kind + "." + group; }
};

// A failed request: HTTP code and the Status body that goes with it.
struct StatusError {
  int code = 500;
  std::string reason;                // metav1.StatusReason, e.g. "NotFound"
  std::string message;               // the human text
  nlohmann::json details = nullptr;  // metav1.StatusDetails or null
  std::optional<std::chrono::seconds> retry_after;

  nlohmann::json to_json() const;
};

// The Status of a successful delete that returns no object.
nlohmann::json success_status(const QualifiedResource& resource, const std::string& name,
                              const std::string& uid);

StatusError not_found(const QualifiedResource& resource, const std::string& name);
StatusError already_exists(const QualifiedResource& resource, const std::string& name);
// Optimistic concurrency: the resourceVersion of the request is not the stored one.
StatusError conflict_modified(const QualifiedResource& resource, const std::string& name);
// 409 with a custom cause, e.g. a failed delete precondition.
StatusError conflict(const QualifiedResource& resource, const std::string& name,
                     const std::string& cause);
StatusError invalid(const QualifiedKind& kind, const std::string& name,
                    const api::FieldErrors& errors);
StatusError bad_request(const std::string& message);
StatusError unauthorized();
StatusError forbidden(const QualifiedResource& resource, const std::string& name,
                      const std::string& cause);
StatusError method_not_allowed();
// A path that names no resource the server serves.
StatusError path_not_found();
StatusError unsupported_media_type(const std::string& content_type, bool custom_resource);
StatusError not_acceptable(const std::string& message);
StatusError expired(const std::string& message);
StatusError gone(const std::string& message);
StatusError too_many_requests(std::chrono::seconds retry_after);
StatusError internal_error(const std::string& cause);
StatusError timeout(const std::string& message);
StatusError request_entity_too_large(const std::string& message);

}  // namespace druid::testing
