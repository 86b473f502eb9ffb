#pragma once
// Which Etcd events start a reconcile (etcd-druid.md §2.1). Create and delete
// always do; an update does when the operation annotation asks for it, or,
// with auto-reconcile, when the spec (generation) changed or the Etcd was never
// reconciled. Beyond upstream, a newly set deletionTimestamp always does, so
// deletion does not wait for the periodic requeue.

#include <nlohmann/json.hpp>

#include "kube/controller.hpp"

namespace druid::controller::etcd {

bool admits_update(const nlohmann::json& old_etcd, const nlohmann::json& new_etcd,
                   bool auto_reconcile);

kube::Predicate etcd_predicate(bool auto_reconcile);

}  // namespace druid::controller::etcd
