#pragma once
// The EtcdCopyBackupsTask controller's settings (`controllers.etcdCopyBackupsTask`
// of upstream's api/config/v1alpha1/types.go) and the feature gate its job
// image depends on.

namespace druid::controller::etcdcopybackupstask {

struct EtcdCopyBackupsTaskControllerConfig {
  int workers = 3;  // concurrentSyncs
  // UpgradeEtcdVersion: the job runs `etcd-backup-restore-next`.
  bool upgrade_etcd_version = false;
};

}  // namespace druid::controller::etcdcopybackupstask
