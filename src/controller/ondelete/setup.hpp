#pragma once
// Wires the OnDelete controller into a manager (always registered; inert
// unless a StatefulSet uses updateStrategy OnDelete). Its informers are the
// Etcd controller's (same options, so the manager shares them: StatefulSets,
// Pods and Leases filtered by app.kubernetes.io/managed-by=etcd-druid, and
// Etcds): no extra cache, no extra watch.

#include <memory>

#include "component/cached_reader.hpp"
#include "component/object_writer.hpp"
#include "controller/ondelete/leader_transfer.hpp"
#include "controller/ondelete/pod_update_metrics.hpp"
#include "controller/ondelete/reconciler.hpp"
#include "kube/manager.hpp"

namespace druid::controller::ondelete {

inline constexpr const char* kControllerName = "ondelete-controller";

// What the wiring owns; it must outlive the manager's run.
struct OnDeleteController {
  std::unique_ptr<component::ClientWriter> writer;
  std::unique_ptr<component::CachedReader> reader;
  std::unique_ptr<PodUpdateMetrics> metrics;
  std::shared_ptr<OnDeleteReconciler> reconciler;
  kube::Controller* controller = nullptr;
};

// `leader_transfer` may be null (the leader is then deleted without a
// transfer) and must outlive the manager's run.
std::unique_ptr<OnDeleteController> add_ondelete_controller(kube::Manager& manager,
                                                            LeaderTransfer* leader_transfer,
                                                            OnDeleteControllerConfig config = {},
                                                            const kube::Clock* clock = nullptr);

}  // namespace druid::controller::ondelete
