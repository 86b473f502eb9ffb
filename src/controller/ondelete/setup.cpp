#include "controller/ondelete/setup.hpp"

#include "api/labels.hpp"
#include "api/resources.hpp"
#include "controller/cached_forms.hpp"
#include "controller/ondelete/predicate.hpp"
#include "kube/resource.hpp"

namespace druid::controller::ondelete {

std::unique_ptr<OnDeleteController> add_ondelete_controller(kube::Manager& manager,
                                                            LeaderTransfer* leader_transfer,
                                                            OnDeleteControllerConfig config,
                                                            const kube::Clock* clock) {
  auto wiring = std::make_unique<OnDeleteController>();
  wiring->writer = std::make_unique<component::ClientWriter>(manager.client());
  wiring->reader = std::make_unique<component::CachedReader>(*wiring->writer);
  wiring->metrics = std::make_unique<PodUpdateMetrics>();

  auto informer = [&](const util::ResourceType& type, bool managed) -> kube::Informer& {
    kube::InformerOptions options;
    options.type = type;
    if (managed) options.label_selector = api::managed_by_selector();
    options.transform = cached_form(type);
    options.clock = clock;
    kube::Informer& informer = manager.informer(options);
    wiring->reader->add_cache(type, informer.cache());
    return informer;
  };
  kube::Informer& statefulsets = informer(kube::resources::kStatefulSets, true);
  kube::Informer& pods = informer(kube::resources::kPods, true);
  informer(kube::resources::kLeases, true);
  informer(api::resources::kEtcds, false);

  kube::ControllerOptions options;
  options.workers = config.workers;
  options.clock = clock;
  wiring->reconciler = std::make_shared<OnDeleteReconciler>(
      OnDeleteDependencies{*wiring->writer, *wiring->reader, &manager.event_recorder(),
                           leader_transfer, wiring->metrics.get()},
      config);
  wiring->controller = &manager.add_controller(kControllerName, wiring->reconciler, options);
  wiring->controller->watch(statefulsets, statefulset_predicate());
  wiring->controller->watch(pods, pod_predicate(),
                            kube::map_to_controller_owner("apps", "StatefulSet"));
  return wiring;
}

}  // namespace druid::controller::ondelete
