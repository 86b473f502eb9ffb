// The EtcdCopyBackupsTask controller's configuration
// (controllers.etcdCopyBackupsTask and the UpgradeEtcdVersion gate; issue 14,
// item 2): the controller runs only when enabled, which upstream ignores.
#include <gtest/gtest.h>

#include "operator/config_mapping.hpp"

namespace druid::operator_ {
namespace {

TEST(EtcdCopyBackupsTaskControllerConfig, AbsentUnlessEnabled) {
  auto config = api::default_operator_config();
  config.controllers.etcd_copy_backups_task.enabled = false;
  config.controllers.etcd_copy_backups_task.concurrent_syncs = 5;
  EXPECT_FALSE(etcd_copy_backups_task_controller_config(config, {}).has_value());
}

TEST(EtcdCopyBackupsTaskControllerConfig, EnabledTakesWorkersAndTheGate) {
  auto config = api::default_operator_config();
  config.controllers.etcd_copy_backups_task.enabled = true;
  config.controllers.etcd_copy_backups_task.concurrent_syncs = 5;
  api::FeatureGates gates;
  gates.upgrade_etcd_version = true;
  const auto out = etcd_copy_backups_task_controller_config(config, gates);
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->workers, 5);
  EXPECT_TRUE(out->upgrade_etcd_version);
}

TEST(EtcdCopyBackupsTaskControllerConfig, UnsetWorkersTakeUpstreamsDefault) {
  auto config = api::default_operator_config();
  config.controllers.etcd_copy_backups_task.enabled = true;
  config.controllers.etcd_copy_backups_task.concurrent_syncs.reset();
  const auto out = etcd_copy_backups_task_controller_config(config, {});
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->workers, 3);
  EXPECT_FALSE(out->upgrade_etcd_version);
}

}  // namespace
}  // namespace druid::operator_
