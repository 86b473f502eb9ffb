#pragma once
// The StatefulSet's pre-sync (PreSync in upstream's
// internal/component/statefulset/statefulset.go): before a running cluster is
// hibernated (spec.replicas 0) or moved to a new etcd image, a full snapshot is
// taken through an EtcdOpsTask, so the data written until the pods stop is in
// the backup store. The sync waits for the task (requeueing), retries a failed
// one up to three attempts in all, then proceeds without it.

#include <nlohmann/json.hpp>
#include <string_view>

#include "api/etcd.hpp"
#include "component/context.hpp"
#include "component/druid_error.hpp"

namespace druid::component {

// Attempts before the pre-sync gives up on a snapshot and proceeds.
inline constexpr int kMaxPresyncSnapshotAttempts = 3;

// The EtcdOpsTask `<prefix><index>` asking for a full snapshot of the Etcd,
// controlled by it; the API server fills in the CRD defaults (ttl, timeouts).
nlohmann::json build_presync_snapshot_task(const api::Etcd& etcd, std::string_view prefix,
                                           int index);

// Which snapshot the pre-sync needs, given the existing StatefulSet: the
// hibernation prefix when the Etcd asks for 0 replicas, the upgrade prefix when
// `upgrade_gate` is on and `desired_etcd_image` differs from the image of the
// StatefulSet's `etcd` container, else empty (no snapshot needed). Only asked
// when a backup store is configured and the StatefulSet runs members.
std::string_view presync_snapshot_prefix(const api::Etcd& etcd, const nlohmann::json& statefulset,
                                         bool upgrade_gate, std::string_view desired_etcd_image);

// The whole pre-sync: nothing without a backup store or without a running
// StatefulSet; otherwise ensures the needed snapshot. Returns ERR_REQUEUE_AFTER
// while waiting for a task, and sets ctx.presync_snapshot_failed when it
// proceeds after the last attempt failed.
DruidResult<> run_statefulset_presync(Context& ctx);

}  // namespace druid::component
