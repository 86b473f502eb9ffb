#pragma once
// Wires the Secret controller into a manager: an informer of every Secret,
// metadata only (their data never sits in the operator's memory), the Etcd
// informer the Etcd controller uses (same options, so the manager shares one
// cache and one watch), a reader over both caches, and the controller. Secret
// events enqueue that Secret; Etcd events enqueue every Secret the Etcd
// references, on an update those of the old and of the new spec (so a Secret
// an Etcd stopped referencing is released). A steady state sends no request.

#include <memory>

#include "component/cached_reader.hpp"
#include "component/object_writer.hpp"
#include "controller/secret/reconciler.hpp"
#include "kube/manager.hpp"

namespace druid::controller::secret {

// What the wiring owns; it must outlive the manager's run.
struct SecretController {
  std::unique_ptr<component::ClientWriter> writer;
  std::unique_ptr<component::CachedReader> reader;
  std::shared_ptr<SecretReconciler> reconciler;
  kube::Informer* secrets = nullptr;
  kube::Controller* controller = nullptr;
};

std::unique_ptr<SecretController> add_secret_controller(kube::Manager& manager,
                                                        SecretControllerConfig config = {},
                                                        const kube::Clock* clock = nullptr);

}  // namespace druid::controller::secret
