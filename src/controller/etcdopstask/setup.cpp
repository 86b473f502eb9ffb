#include "controller/etcdopstask/setup.hpp"

#include "api/resources.hpp"
#include "kube/resource.hpp"

namespace druid::controller::etcdopstask {

std::unique_ptr<EtcdOpsTaskController> add_etcd_ops_task_controller(
    kube::Manager& manager, BackupSidecar& sidecar, EtcdOpsTaskControllerConfig config,
    const kube::Clock* clock) {
  auto wiring = std::make_unique<EtcdOpsTaskController>();
  wiring->writer = std::make_unique<component::ClientWriter>(manager.client());
  wiring->reader = std::make_unique<component::CachedReader>(*wiring->writer);

  // The same options as the Etcd controller's informers, so the manager
  // shares one cache of each.
  auto informer = [&](const util::ResourceType& type) -> kube::Informer& {
    kube::InformerOptions options;
    options.type = type;
    options.clock = clock;
    kube::Informer& informer = manager.informer(options);
    wiring->reader->add_cache(type, informer.cache());
    return informer;
  };
  kube::Informer& tasks = informer(api::resources::kEtcdOpsTasks);
  informer(api::resources::kEtcds);

  kube::ControllerOptions options;
  options.workers = config.workers;
  options.backoff_max = config.requeue_interval;
  options.clock = clock;
  wiring->reconciler = std::make_shared<EtcdOpsTaskReconciler>(
      EtcdOpsTaskDependencies{*wiring->writer, *wiring->reader, sidecar, clock}, config);
  wiring->controller = &manager.add_controller(kControllerName, wiring->reconciler, options);
  wiring->controller->watch(tasks, kube::predicates::generation_changed());
  return wiring;
}

}  // namespace druid::controller::etcdopstask
