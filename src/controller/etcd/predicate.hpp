#pragma once
// Which Etcd events start a reconcile (buildPredicate in upstream's
// internal/controller/etcd/register.go). Create and delete
// always do; an update does when the operation annotation asks for it, or,
// with auto-reconcile, when the spec (generation) changed or the Etcd was never
// reconciled. Beyond upstream, a newly set deletionTimestamp always does, so
// deletion does not wait for the periodic requeue.

#include <nlohmann/json.hpp>

#include "kube/controller.hpp"
#include "kube/resource.hpp"

namespace druid::controller::etcd {

bool admits_update(const nlohmann::json& old_etcd, const nlohmann::json& new_etcd,
                   bool auto_reconcile);

kube::Predicate etcd_predicate(bool auto_reconcile);

// Ours (upstream watches only Etcds and learns of members at the next periodic
// status check, up to 15 s later): events of the objects an Etcd controls that
// change what its status shows. A StatefulSet whose status changed (pods ready,
// rolled), a member lease whose holder changed (a member started, or became
// leader), and any managed object deleted (status, and lastErrors say it is
// missing). Creates (druid's own) and lease renewals are not admitted, so a
// steady state costs nothing.
kube::Predicate managed_object_predicate(const util::ResourceType& type);

}  // namespace druid::controller::etcd
