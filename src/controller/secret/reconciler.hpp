#pragma once
// The Secret controller's reconcile of one Secret (upstream's
// internal/controller/secret/reconciler.go): the finalizer
// druid.gardener.cloud/etcd-druid is on the Secret exactly while an Etcd of its
// namespace (terminating ones included) references it (referenced_secrets.hpp),
// so a Secret a cluster needs cannot be deleted under it.
//
// Reads come from the reader (the operator's caches: Secrets metadata-only,
// Etcds), so a Secret whose finalizer is already right costs no request. The
// only write is a JSON merge patch of metadata.finalizers carrying
// metadata.resourceVersion: an optimistic lock, because finalizers are one
// list and a finalizer another writer added concurrently must not be lost. A
// conflict (or a stale cache) fails the reconcile and the key is retried with
// backoff; every step is idempotent, so a crash between any two leaves nothing
// the next reconcile does not finish.

#include <string>

#include "component/object_reader.hpp"
#include "component/object_writer.hpp"
#include "kube/client.hpp"
#include "kube/controller.hpp"

namespace druid::controller::secret {

inline constexpr const char* kControllerName = "secret-controller";

struct SecretControllerConfig {
  int workers = 10;  // controllers.secret.concurrentSyncs
};

struct SecretDependencies {
  component::ObjectWriter& writer;  // finalizer patches
  component::ObjectReader& reader;  // Secrets (metadata), Etcds
};

class SecretReconciler final : public kube::Reconciler {
 public:
  explicit SecretReconciler(SecretDependencies deps) : deps_(deps) {}

  kube::ReconcileOutcome reconcile(const kube::Request& request) override;

 private:
  SecretDependencies deps_;
};

}  // namespace druid::controller::secret
