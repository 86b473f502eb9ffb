#pragma once
// Validating admission webhooks, as kube-apiserver's ValidatingAdmissionWebhook
// plugin calls them: every webhook of every ValidatingWebhookConfiguration whose
// rules (operations, apiGroups, apiVersions, resources with subresources, scope),
// namespaceSelector and objectSelector match the request gets an AdmissionReview
// v1 over HTTPS (caBundle, timeoutSeconds); a denial or, with failurePolicy Fail,
// a failed call rejects the request with the real server's Status.
// matchConditions (CEL) are not evaluated.

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "api/label_selector.hpp"
#include "apiserver/api_core.hpp"
#include "apiserver/status.hpp"

namespace druid::testing {

// Whether one rule of a webhook (an entry of `rules`) covers the request.
bool rule_matches(const nlohmann::json& rule, const AdmissionAttributes& attributes);
// metav1.LabelSelector (JSON) against labels; an absent or empty selector matches all.
bool label_selector_matches(const nlohmann::json& selector, const util::Labels& labels);
// The AdmissionReview v1 request for `attributes`, with `uid`.
nlohmann::json admission_review(const AdmissionAttributes& attributes, const std::string& uid);
// The error a denial answers (webhookerrors.ToStatusErr).
StatusError denied_error(const std::string& webhook, const nlohmann::json& status);

class WebhookAdmission {
 public:
  // Labels of a namespace (for namespaceSelector); empty when it does not exist.
  using NamespaceLabels = std::function<util::Labels(const std::string& ns)>;
  // Told the name of every webhook called (for the server's counters).
  using CallObserver = std::function<void(const std::string& webhook)>;
  explicit WebhookAdmission(NamespaceLabels namespace_labels, CallObserver on_call = {});

  std::optional<StatusError> review(const AdmissionAttributes& attributes,
                                    const std::vector<nlohmann::json>& configurations);

 private:
  bool webhook_matches(const nlohmann::json& webhook, const AdmissionAttributes& attributes) const;
  std::optional<StatusError> call(const nlohmann::json& webhook,
                                  const AdmissionAttributes& attributes);

  NamespaceLabels namespace_labels_;
  CallObserver on_call_;
  IdGenerator ids_;
};

}  // namespace druid::testing
