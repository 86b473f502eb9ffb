#include "controller/secret/setup.hpp"

#include "api/resources.hpp"
#include "controller/secret/referenced_secrets.hpp"
#include "kube/resource.hpp"

namespace druid::controller::secret {
namespace {

const nlohmann::json& spec_of(const nlohmann::json& etcd) {
  static const nlohmann::json kNone;
  auto it = etcd.find("spec");
  return it != etcd.end() ? *it : kNone;
}

// Etcd events that can change which Secrets are referenced. A resync (old and
// new the same object) passes, so a missed change is caught up; a status
// write or a new deletionTimestamp leaves the references as they were.
kube::Predicate references_may_have_changed() {
  kube::Predicate predicate;
  predicate.update = [](const nlohmann::json& old_etcd, const nlohmann::json& new_etcd) {
    return &old_etcd == &new_etcd || spec_of(old_etcd) != spec_of(new_etcd);
  };
  return predicate;
}

}  // namespace

std::unique_ptr<SecretController> add_secret_controller(kube::Manager& manager,
                                                        SecretControllerConfig config,
                                                        const kube::Clock* clock) {
  auto wiring = std::make_unique<SecretController>();
  wiring->writer = std::make_unique<component::ClientWriter>(manager.client());
  wiring->reader = std::make_unique<component::CachedReader>(*wiring->writer);

  kube::InformerOptions secrets;
  secrets.type = kube::resources::kSecrets;
  secrets.metadata_only = true;
  secrets.clock = clock;
  wiring->secrets = &manager.informer(secrets);
  wiring->reader->add_cache(kube::resources::kSecrets, wiring->secrets->cache());

  // The Etcd controller's options (controller/etcd/setup.cpp): one shared informer.
  kube::InformerOptions etcds;
  etcds.type = api::resources::kEtcds;
  etcds.clock = clock;
  kube::Informer& etcd_informer = manager.informer(etcds);
  wiring->reader->add_cache(api::resources::kEtcds, etcd_informer.cache());

  kube::ControllerOptions options;
  options.workers = config.workers;
  options.clock = clock;
  wiring->reconciler =
      std::make_shared<SecretReconciler>(SecretDependencies{*wiring->writer, *wiring->reader});
  wiring->controller = &manager.add_controller(kControllerName, wiring->reconciler, options);
  wiring->controller->watch(*wiring->secrets);
  // An edit maps the old Etcd as well as the new one: the Secret it stopped
  // referencing must lose its finalizer.
  wiring->controller->watch(etcd_informer, references_may_have_changed(),
                            [](const nlohmann::json& etcd) { return secret_requests_of(etcd); });
  return wiring;
}

}  // namespace druid::controller::secret
