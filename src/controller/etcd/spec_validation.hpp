#pragma once
// The checks an Etcd's spec passes before the controller applies it. With the CRD as shipped the
// API server has run them already; with the CRD without CEL rules
// (config/crd/druid.gardener.cloud_etcds_without_cel.yaml, for Kubernetes < 1.29) it lets through
// what only those rules catch — a 3-member cluster scaled to 1, a changed storage class or claim
// template, a member-name prefix set on a running cluster, peer URLs that are not URLs — and
// applying such a spec breaks quorum, renames members, or reports Succeeded for what was never
// applied. So the controller runs the CRD's CEL rules itself, and, having no old object, checks
// the transition rules (oldSelf) against what it deployed: the StatefulSet's replicas, storage
// class and claim template name, and the member-name prefix in the ConfigMap's etcd.conf.yaml.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "api/etcd.hpp"
#include "api/field_error.hpp"

namespace druid::controller::etcd {

// What was applied for an Etcd, as its StatefulSet and ConfigMap show; unset where the object
// is not there (not deployed yet, or not controlled by this Etcd).
struct DeployedSpec {
  std::optional<std::int64_t> replicas;
  std::optional<std::string> storage_class;  // "" when the claim template names none
  std::optional<std::string> claim_template_name;
  std::optional<std::string> member_name_prefix;  // "" when etcd.conf.yaml has none
};

// Reads the DeployedSpec from the Etcd's StatefulSet and ConfigMap (either may be null); objects
// not controlled by the Etcd with `etcd_uid` are ignored.
DeployedSpec deployed_spec(const nlohmann::json* statefulset, const nlohmann::json* configmap,
                           const std::string& etcd_uid);

// The reasons `object` (decoded as `etcd`) must not be applied, as the API server with the CEL
// rules would have said them ("spec.replicas: Invalid value: \"integer\": Replicas can either be
// increased or be downscaled to 0."); empty when it may be applied.
api::FieldErrors check_spec(const nlohmann::json& object, const api::Etcd& etcd,
                            const DeployedSpec& deployed);

}  // namespace druid::controller::etcd
