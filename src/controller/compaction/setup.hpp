#pragma once
// Wires the compaction controller into a manager (upstream's
// internal/controller/compaction/register.go): the Etcd, Lease, Job and Pod
// informers (Leases and Pods with the Etcd controller's options, Jobs with the
// copy-backups controller's, so the manager shares one cache of each), a
// reader over their caches, and the controller. Snapshot lease and compaction
// Job events (predicate.hpp) enqueue the controlling Etcd; Etcd events do not.

#include <memory>

#include "api/image_vector.hpp"
#include "component/cached_reader.hpp"
#include "component/object_writer.hpp"
#include "controller/compaction/config.hpp"
#include "controller/compaction/metrics.hpp"
#include "controller/compaction/reconciler.hpp"
#include "controller/etcdopstask/backup_sidecar.hpp"
#include "kube/manager.hpp"

namespace druid::controller::compaction {

inline constexpr const char* kControllerName = "compaction-controller";

// What the wiring owns; it must outlive the manager's run.
struct CompactionController {
  std::unique_ptr<component::ClientWriter> writer;
  std::unique_ptr<component::CachedReader> reader;
  std::unique_ptr<CompactionMetrics> metrics;
  std::shared_ptr<CompactionReconciler> reconciler;
  kube::Controller* controller = nullptr;
};

// `images` and `sidecar` must outlive the manager's run.
std::unique_ptr<CompactionController> add_compaction_controller(
    kube::Manager& manager, const api::ImageVector& images, etcdopstask::BackupSidecar& sidecar,
    CompactionControllerConfig config = {}, const kube::Clock* clock = nullptr);

}  // namespace druid::controller::compaction
