#pragma once
// Wires the EtcdCopyBackupsTask controller into a manager: the task informer
// (reconciles on generation changes only: created, spec edited, deletion
// requested, as upstream's GenerationChangedPredicate), the informer of
// druid's Jobs (app.kubernetes.io/managed-by=etcd-druid, every event mapped to
// the controlling task, as upstream's Owns(Job)), a reader over their caches,
// and the controller.

#include <memory>

#include "api/image_vector.hpp"
#include "component/cached_reader.hpp"
#include "component/object_writer.hpp"
#include "controller/etcdcopybackupstask/config.hpp"
#include "controller/etcdcopybackupstask/reconciler.hpp"
#include "kube/manager.hpp"

namespace druid::controller::etcdcopybackupstask {

inline constexpr const char* kControllerName = "etcdcopybackupstask-controller";

// What the wiring owns; it must outlive the manager's run.
struct EtcdCopyBackupsTaskController {
  std::unique_ptr<component::ClientWriter> writer;
  std::unique_ptr<component::CachedReader> reader;
  std::shared_ptr<EtcdCopyBackupsTaskReconciler> reconciler;
  kube::Controller* controller = nullptr;
};

// `images` must outlive the manager's run.
std::unique_ptr<EtcdCopyBackupsTaskController> add_etcd_copy_backups_task_controller(
    kube::Manager& manager, const api::ImageVector& images,
    EtcdCopyBackupsTaskControllerConfig config = {}, const kube::Clock* clock = nullptr);

}  // namespace druid::controller::etcdcopybackupstask
