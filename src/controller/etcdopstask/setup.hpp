#pragma once
// Wires the EtcdOpsTask controller into a manager: the EtcdOpsTask and Etcd
// informers (the Etcd controller's, shared by the manager), a reader over
// their caches, and the controller. Tasks trigger a reconcile only when their
// generation changes (created, spec edited, deletion requested), as upstream's
// GenerationChangedPredicate; progress after that is driven by requeues.

#include <memory>

#include "component/cached_reader.hpp"
#include "component/object_writer.hpp"
#include "controller/etcdopstask/backup_sidecar.hpp"
#include "controller/etcdopstask/config.hpp"
#include "controller/etcdopstask/reconciler.hpp"
#include "kube/manager.hpp"

namespace druid::controller::etcdopstask {

inline constexpr const char* kControllerName = "etcdopstask-controller";

// What the wiring owns; it must outlive the manager's run.
struct EtcdOpsTaskController {
  std::unique_ptr<component::ClientWriter> writer;
  std::unique_ptr<component::CachedReader> reader;
  std::shared_ptr<EtcdOpsTaskReconciler> reconciler;
  kube::Controller* controller = nullptr;
};

// `sidecar` must outlive the manager's run.
std::unique_ptr<EtcdOpsTaskController> add_etcd_ops_task_controller(
    kube::Manager& manager, BackupSidecar& sidecar, EtcdOpsTaskControllerConfig config = {},
    const kube::Clock* clock = nullptr);

}  // namespace druid::controller::etcdopstask
