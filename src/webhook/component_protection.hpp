#pragma once
// The etcd-components protection decision (upstream's
// internal/webhook/etcdcomponentprotection/handler.go): whether an
// UPDATE or DELETE of an object druid manages for an Etcd is allowed. A pure
// function of the request, what `lookup` reads and the configuration.

#include <string>
#include <vector>

#include "api/operator_config.hpp"
#include "util/expected.hpp"
#include "webhook/admission_review.hpp"
#include "webhook/component_lookup.hpp"

namespace druid::webhook {

inline constexpr const char* kHandlerName = "etcd-components-webhook";
inline constexpr const char* kWebhookPath = "/webhooks/etcdcomponents";

struct ProtectionConfig {
  // The operator's own identity, system:serviceaccount:<ns>:<name>.
  std::string reconciler_service_account;
  // Usernames (exact) allowed to change components while no reconcile runs.
  std::vector<std::string> exempt_service_accounts;
};

// From webhooks.etcdComponentProtection: serviceAccountInfo wins over the
// deprecated reconcilerServiceAccountFQDN; neither is an error.
util::Expected<ProtectionConfig, std::string> protection_config(
    const api::EtcdComponentProtectionWebhookConfiguration& config);

// "system:serviceaccount:<namespace>:<name>".
std::string service_account_username(const std::string& ns, const std::string& name);

Decision decide(const AdmissionRequest& request, ComponentLookup& lookup,
                const ProtectionConfig& config);

}  // namespace druid::webhook
