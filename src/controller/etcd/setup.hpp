#pragma once
// Wires the Etcd controller into a manager: an informer for Etcds, informers
// (filtered by app.kubernetes.io/managed-by=etcd-druid) for every kind of
// object the components and the status flow read, one for the Warning events
// about PVCs, a reader over their caches, and the controller with its
// predicate and workers. A steady state reads nothing from the API server.

#include <memory>

#include "api/image_vector.hpp"
#include "component/cached_reader.hpp"
#include "component/object_writer.hpp"
#include "component/registry.hpp"
#include "controller/etcd/config.hpp"
#include "controller/etcd/reconciler.hpp"
#include "kube/manager.hpp"

namespace druid::controller::etcd {

// The events DataVolumesReady quotes (upstream's
// internal/health/condition/check_data_volumes_ready.go): Warnings about PVCs.
// Both are field selectors every API server supports for Events.
inline constexpr const char* kPvcWarningEventsFieldSelector =
    "involvedObject.kind=PersistentVolumeClaim,type=Warning";
// The field the status flow reads those events by (one claim at a time), and
// their cache indexes.
inline constexpr const char* kEventInvolvedObjectName = "involvedObject.name";

// What the wiring owns; it must outlive the manager's run.
struct EtcdController {
  std::unique_ptr<component::Registry> registry;
  std::unique_ptr<component::ClientWriter> writer;
  std::unique_ptr<component::CachedReader> reader;
  std::unique_ptr<component::LiveReader> live_reader;
  std::unique_ptr<EtcdMetrics> metrics = std::make_unique<EtcdMetrics>();
  std::shared_ptr<EtcdReconciler> reconciler;
  kube::Controller* controller = nullptr;
};

std::unique_ptr<EtcdController> add_etcd_controller(kube::Manager& manager,
                                                    const api::ImageVector& image_vector,
                                                    EtcdControllerConfig config,
                                                    const kube::Clock* clock = nullptr);

}  // namespace druid::controller::etcd
