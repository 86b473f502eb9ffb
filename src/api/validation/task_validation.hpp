#pragma once
// What a Kubernetes API server with the druid CRDs checks when an
// EtcdCopyBackupsTask or an EtcdOpsTask is created or updated (the markers of upstream's
// api/core/v1alpha1/etcdcopybackupstask.go, etcdopstask.go and ondemandsnapshot.go), with the
// server's messages and field paths, in the same steps as the Etcd validation
// (api/validation/etcd_validation.hpp):
//
//  1. apiVersion/kind (when present); errors here end the validation.
//  2. metadata: the name must be a DNS subdomain (create); name and namespace
//     are immutable (update).
//  3. the schema: types, required fields, enums, minimums, patterns, lengths,
//     property and item counts.
//  4. the CEL rules, unless step 1-3 found a blocking error (type, required,
//     enum, too long, too many): then only the server's "some validation rules
//     were not checked" notice is added.
//
// The input is the object as a client sends it. As on the server, unknown
// fields are pruned, null properties count as absent and (EtcdOpsTask) the CRD
// defaults are applied, to the new and the old object, before validating.
// Create validates the object without `status` (the main resource endpoint
// drops it); update validates the new object as given.
//
// On update, transition rules (`self == oldSelf`) run only where the old
// object has the value, and validation ratcheting applies: schema errors and
// errors of rules without oldSelf are dropped when their value is unchanged.

#include <nlohmann/json.hpp>

#include "api/field_error.hpp"

namespace druid::api::validation {

FieldErrors validate_etcd_copy_backups_task(const nlohmann::json& task);
FieldErrors validate_etcd_copy_backups_task_update(const nlohmann::json& new_task,
                                                   const nlohmann::json& old_task);

FieldErrors validate_etcd_ops_task(const nlohmann::json& task);
FieldErrors validate_etcd_ops_task_update(const nlohmann::json& new_task,
                                          const nlohmann::json& old_task);

}  // namespace druid::api::validation
