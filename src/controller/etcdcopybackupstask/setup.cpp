#include "controller/etcdcopybackupstask/setup.hpp"

#include "api/etcd.hpp"
#include "api/etcd_copy_backups_task.hpp"
#include "api/labels.hpp"
#include "api/resources.hpp"
#include "kube/resource.hpp"

namespace druid::controller::etcdcopybackupstask {

std::unique_ptr<EtcdCopyBackupsTaskController> add_etcd_copy_backups_task_controller(
    kube::Manager& manager, const api::ImageVector& images,
    EtcdCopyBackupsTaskControllerConfig config, const kube::Clock* clock) {
  auto wiring = std::make_unique<EtcdCopyBackupsTaskController>();
  wiring->writer = std::make_unique<component::ClientWriter>(manager.client());
  wiring->reader = std::make_unique<component::CachedReader>(*wiring->writer);

  kube::InformerOptions task_options;
  task_options.type = api::resources::kEtcdCopyBackupsTasks;
  task_options.clock = clock;
  kube::Informer& tasks = manager.informer(task_options);
  wiring->reader->add_cache(api::resources::kEtcdCopyBackupsTasks, tasks.cache());

  // The Jobs druid creates carry this label; the same options as every
  // informer of druid-managed objects, so the manager shares one cache.
  kube::InformerOptions job_options;
  job_options.type = kube::resources::kJobs;
  job_options.label_selector = api::managed_by_selector();
  job_options.clock = clock;
  kube::Informer& jobs = manager.informer(job_options);
  wiring->reader->add_cache(kube::resources::kJobs, jobs.cache());

  kube::ControllerOptions options;
  options.workers = config.workers;
  options.clock = clock;
  wiring->reconciler = std::make_shared<EtcdCopyBackupsTaskReconciler>(
      EtcdCopyBackupsTaskDependencies{*wiring->writer, *wiring->reader, images,
                                      &manager.event_recorder()},
      config);
  wiring->controller = &manager.add_controller(kControllerName, wiring->reconciler, options);
  wiring->controller->watch(tasks, kube::predicates::generation_changed());
  wiring->controller->watch(
      jobs, {}, kube::map_to_controller_owner(api::kGroup, api::kEtcdCopyBackupsTaskKind));
  return wiring;
}

}  // namespace druid::controller::etcdcopybackupstask
