#include "controller/compaction/setup.hpp"

#include "api/etcd.hpp"
#include "api/labels.hpp"
#include "api/resources.hpp"
#include "controller/cached_forms.hpp"
#include "controller/compaction/predicate.hpp"
#include "kube/resource.hpp"

namespace druid::controller::compaction {

std::unique_ptr<CompactionController> add_compaction_controller(kube::Manager& manager,
                                                                const api::ImageVector& images,
                                                                etcdopstask::BackupSidecar& sidecar,
                                                                CompactionControllerConfig config,
                                                                const kube::Clock* clock) {
  auto wiring = std::make_unique<CompactionController>();
  wiring->writer = std::make_unique<component::ClientWriter>(manager.client());
  wiring->reader = std::make_unique<component::CachedReader>(*wiring->writer);
  wiring->metrics = std::make_unique<CompactionMetrics>();

  // The same options as the other controllers' informers of these types.
  auto informer = [&](const util::ResourceType& type, bool managed) -> kube::Informer& {
    kube::InformerOptions options;
    options.type = type;
    if (managed) {
      options.label_selector = api::managed_by_selector();
      options.transform = cached_form(type);
    }
    options.clock = clock;
    kube::Informer& informer = manager.informer(options);
    wiring->reader->add_cache(type, informer.cache());
    return informer;
  };
  informer(api::resources::kEtcds, false);
  kube::Informer& leases = informer(kube::resources::kLeases, true);
  kube::Informer& jobs = informer(kube::resources::kJobs, true);
  // Job pods carry the job's labels, managed-by among them: a failed job's
  // pod is read from the cache the Etcd controller keeps anyway.
  informer(kube::resources::kPods, true);

  kube::ControllerOptions options;
  options.workers = config.workers;
  options.clock = clock;
  wiring->reconciler = std::make_shared<CompactionReconciler>(
      CompactionDependencies{*wiring->writer, *wiring->reader, images, sidecar,
                             &manager.event_recorder(), wiring->metrics.get(), clock},
      config);
  wiring->controller = &manager.add_controller(kControllerName, wiring->reconciler, options);
  const auto to_etcd = kube::map_to_controller_owner(api::kGroup, api::kEtcdKind);
  wiring->controller->watch(leases, snapshot_lease_predicate(), to_etcd);
  wiring->controller->watch(jobs, compaction_job_predicate(), to_etcd);
  return wiring;
}

}  // namespace druid::controller::compaction
