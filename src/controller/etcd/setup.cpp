#include "controller/etcd/setup.hpp"

#include "api/etcd.hpp"
#include "api/labels.hpp"
#include "api/resources.hpp"
#include "controller/cached_forms.hpp"
#include "controller/etcd/predicate.hpp"
#include "kube/resource.hpp"

namespace druid::controller::etcd {
namespace {

const std::vector<util::ResourceType>& managed_types() {
  static const std::vector<util::ResourceType> kTypes = {kube::resources::kServiceAccounts,
                                                         kube::resources::kRoles,
                                                         kube::resources::kRoleBindings,
                                                         kube::resources::kLeases,
                                                         kube::resources::kPodDisruptionBudgets,
                                                         kube::resources::kServices,
                                                         kube::resources::kConfigMaps,
                                                         kube::resources::kStatefulSets,
                                                         kube::resources::kPods,
                                                         kube::resources::kPersistentVolumeClaims};
  return kTypes;
}

}  // namespace

std::unique_ptr<EtcdController> add_etcd_controller(kube::Manager& manager,
                                                    const api::ImageVector& image_vector,
                                                    EtcdControllerConfig config,
                                                    const kube::Clock* clock) {
  auto wiring = std::make_unique<EtcdController>();
  wiring->registry = std::make_unique<component::Registry>();
  wiring->writer = std::make_unique<component::ClientWriter>(manager.client());
  wiring->reader = std::make_unique<component::CachedReader>(*wiring->writer);
  wiring->live_reader = std::make_unique<component::LiveReader>(*wiring->writer);

  kube::InformerOptions etcds;
  etcds.type = api::resources::kEtcds;
  etcds.clock = clock;
  kube::Informer& etcd_informer = manager.informer(etcds);
  wiring->reader->add_cache(api::resources::kEtcds, etcd_informer.cache());

  // The informers of what an Etcd controls, whose events re-check its status.
  std::vector<std::pair<const util::ResourceType*, kube::Informer*>> controlled;
  for (const auto& type : managed_types()) {
    kube::InformerOptions options;
    options.type = type;
    // Objects druid manages carry this label; caching only them keeps the
    // operator's memory independent of everything else in the cluster.
    options.label_selector = api::managed_by_selector();
    options.transform = cached_form(type);
    options.clock = clock;
    kube::Informer& informer = manager.informer(options);
    wiring->reader->add_cache(type, informer.cache());
    // Pods and PVCs belong to the StatefulSet; its status carries their news.
    if (type != kube::resources::kPods && type != kube::resources::kPersistentVolumeClaims) {
      controlled.emplace_back(&type, &informer);
    }
  }
  // Warning events about PVCs, for DataVolumesReady while a claim is unbound.
  // Read from a cache so that a claim that stays Pending (no provisioner)
  // costs no request per status check; the field selector keeps every other
  // event of the cluster out of memory (the API server filters both the list
  // and the watch by these fields).
  kube::InformerOptions events;
  events.type = kube::resources::kEvents;
  events.field_selector = kPvcWarningEventsFieldSelector;
  events.indexed_fields = {kEventInvolvedObjectName};
  events.clock = clock;
  wiring->reader->add_cache(kube::resources::kEvents, manager.informer(events).cache());
  // Pre-sync snapshot tasks carry no druid labels.
  kube::InformerOptions tasks;
  tasks.type = api::resources::kEtcdOpsTasks;
  tasks.clock = clock;
  wiring->reader->add_cache(api::resources::kEtcdOpsTasks, manager.informer(tasks).cache());

  const bool auto_reconcile = config.enable_etcd_spec_auto_reconcile;
  kube::ControllerOptions options;
  options.workers = config.workers;
  options.backoff_max = config.status_sync_period;
  options.clock = clock;
  wiring->reconciler = std::make_shared<EtcdReconciler>(
      ReconcilerDependencies{*wiring->writer, *wiring->reader, *wiring->live_reader,
                             *wiring->registry, image_vector, &manager.event_recorder(), clock,
                             wiring->metrics.get()},
      std::move(config));
  wiring->controller = &manager.add_controller("etcd-controller", wiring->reconciler, options);
  wiring->controller->watch(etcd_informer, etcd_predicate(auto_reconcile));
  for (const auto& [type, informer] : controlled) {
    wiring->controller->watch(*informer, managed_object_predicate(*type),
                              kube::map_to_controller_owner(api::kGroup, api::kEtcdKind));
  }
  return wiring;
}

}  // namespace druid::controller::etcd
