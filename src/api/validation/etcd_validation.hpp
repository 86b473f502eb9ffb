#pragma once
// What a Kubernetes API server (v1.32) with the Etcd CRD checks when an Etcd is
// created or updated (upstream's api/core/v1alpha1/crds/druid.gardener.cloud_etcds.yaml,
// generated from api/core/v1alpha1/etcd.go), with the server's messages and
// field paths:
//
//  1. apiVersion/kind (when present); errors here end the validation.
//  2. metadata: the name must be a DNS subdomain (create); name and namespace
//     are immutable (update).
//  3. the schema: types, required fields, patterns (CRON, durations,
//     quantities, names), enums, maxLength/minLength, maxItems/minItems;
//     the scale subresource's `.spec.replicas` / `.status.replicas` checks;
//     listType=set uniqueness of URL lists; date-time formats in status.
//  4. the CEL rules, unless step 1-3 found a blocking error (type, required,
//     enum, too long, too many): then only the server's "some validation rules
//     were not checked" notice is added.
//
// The input is the object as a client sends it: unknown fields are pruned and
// null properties count as absent, as on the server. Create validates the
// object without `status` (the main resource endpoint drops it). Update
// validates `new_etcd` as given, so callers emulate the endpoint first (the
// main endpoint keeps the old status, the status endpoint the old spec).
//
// On update, transition rules (with oldSelf) run only where the old object has
// the value, and validation ratcheting applies: schema errors and errors of
// rules without oldSelf are dropped when the value they concern is unchanged.
//
// Pass-through Kubernetes structures are checked only in part: resources
// (quantities, claim names), the required fields of topologySpreadConstraints,
// affinity being an object. Not checked: the inside of affinity, listType=map
// uniqueness of resource claims, and the syntax of metadata labels/annotations.

#include <nlohmann/json.hpp>

#include "api/etcd.hpp"
#include "api/field_error.hpp"
#include "api/field_path.hpp"

namespace druid::api::validation {

// Which of the checks above run. A server with the CRD as shipped runs all; a server with
// config/crd/druid.gardener.cloud_etcds_without_cel.yaml (Kubernetes < 1.29) runs steps 1-3
// only; the Etcd controller re-checks step 4's rules that such a server let through (steps 1-3
// then only report what blocks the rules: every server enforces the schema).
enum class EtcdChecks { kSchemaAndRules, kSchemaOnly, kRulesOnly };

FieldErrors validate_etcd(const nlohmann::json& etcd,
                          EtcdChecks checks = EtcdChecks::kSchemaAndRules);
FieldErrors validate_etcd_update(const nlohmann::json& new_etcd, const nlohmann::json& old_etcd,
                                 EtcdChecks checks = EtcdChecks::kSchemaAndRules);

// StoreSpec is shared with EtcdCopyBackupsTask (sourceStore, targetStore):
// the schema checks of a store at `path` (container pattern and length) ...
void check_store_spec_schema(FieldErrors& errors, const nlohmann::json& store,
                             const FieldPath& path);
// ... and its CEL rule (endpointOverride must be a URL).
void check_store_spec_rules(FieldErrors& errors, const StoreSpec& store, const FieldPath& path);

}  // namespace druid::api::validation
