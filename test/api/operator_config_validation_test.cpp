#include "api/validation/operator_config_validation.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace druid::api::validation {
namespace {

using Messages = std::vector<std::string>;

Messages messages(const FieldErrors& errors) {
  Messages out;
  for (const auto& e : errors) out.push_back(e.message());
  return out;
}

Messages validate(const OperatorConfiguration& config) {
  return messages(validate_operator_config(config));
}

OperatorConfiguration with_leader_election() {
  auto c = default_operator_config();
  c.leader_election.enabled = true;
  apply_operator_config_defaults(c);
  return c;
}

OperatorConfiguration with_compaction() {
  auto c = default_operator_config();
  c.controllers.compaction.enabled = true;
  apply_operator_config_defaults(c);
  return c;
}

OperatorConfiguration with_webhook() {
  auto c = default_operator_config();
  c.webhooks.etcd_component_protection.enabled = true;
  c.webhooks.etcd_component_protection.service_account_info = ServiceAccountInfo{"druid", "garden"};
  return c;
}

TEST(OperatorConfigValidation, DefaultsAreValid) {
  EXPECT_EQ(validate(default_operator_config()), Messages{});
  EXPECT_EQ(validate(with_leader_election()), Messages{});
  EXPECT_EQ(validate(with_compaction()), Messages{});
  EXPECT_EQ(validate(with_webhook()), Messages{});
}

TEST(OperatorConfigValidation, BurstMustNotBeNegative) {
  auto c = default_operator_config();
  c.client_connection.burst = 0;
  EXPECT_EQ(validate(c), Messages{});
  c.client_connection.burst = -1;
  EXPECT_EQ(
      validate(c),
      Messages{"clientConnection.burst: Invalid value: -1: must be greater than or equal to 0"});
}

TEST(OperatorConfigValidation, LeaderElectionCheckedOnlyWhenEnabled) {
  auto c = default_operator_config();
  c.leader_election.lease_duration = "-1s";
  c.leader_election.resource_lock = "";
  EXPECT_EQ(validate(c), Messages{});
}

TEST(OperatorConfigValidation, LeaderElectionDurationsMustBePositive) {
  auto c = with_leader_election();
  c.leader_election.renew_deadline = "0s";
  EXPECT_EQ(
      validate(c),
      Messages{"leaderElection.renewDeadline: Invalid value: \"0s\": must be greater than 0"});
  c = with_leader_election();
  c.leader_election.retry_period = "-2s";
  EXPECT_EQ(validate(c),
            Messages{"leaderElection.retryPeriod: Invalid value: \"-2s\": must be greater than 0"});
  c = with_leader_election();
  c.leader_election.lease_duration = "0s";
  EXPECT_EQ(validate(c),
            (Messages{"leaderElection.leaseDuration: Invalid value: \"0s\": must be greater than 0",
                      "leaderElection.leaseDuration: Invalid value: \"0s\": must be greater than "
                      "leaderElection.renewDeadline"}));
}

TEST(OperatorConfigValidation, LeaseDurationMustExceedRenewDeadline) {
  auto c = with_leader_election();
  c.leader_election.lease_duration = "10s";
  c.leader_election.renew_deadline = "10s";
  EXPECT_EQ(validate(c), Messages{"leaderElection.leaseDuration: Invalid value: \"10s\": must be "
                                  "greater than leaderElection.renewDeadline"});
  c.leader_election.lease_duration = "10.001s";
  EXPECT_EQ(validate(c), Messages{});
}

TEST(OperatorConfigValidation, LeaderElectionNeedsLockAndName) {
  auto c = with_leader_election();
  c.leader_election.resource_lock = "";
  c.leader_election.resource_name = "";
  EXPECT_EQ(validate(c), (Messages{"leaderElection.resourceLock: Required value",
                                   "leaderElection.resourceName: Required value"}));
}

TEST(OperatorConfigValidation, UnparsableDurationsAreReported) {
  auto c = with_leader_election();
  c.leader_election.retry_period = "soon";
  EXPECT_EQ(validate(c), Messages{"leaderElection.retryPeriod: Invalid value: \"soon\": time: "
                                  "invalid duration \"soon\""});
}

TEST(OperatorConfigValidation, EtcdController) {
  auto c = default_operator_config();
  c.controllers.etcd.concurrent_syncs = 0;
  EXPECT_EQ(validate(c),
            Messages{"controllers.etcd.concurrentSyncs: Invalid value: 0: must be greater than 0"});
  c.controllers.etcd.concurrent_syncs.reset();
  EXPECT_EQ(validate(c),
            Messages{"controllers.etcd.concurrentSyncs: Invalid value: 0: must be greater than 0"});
  c = default_operator_config();
  c.controllers.etcd.etcd_status_sync_period = "0s";
  c.controllers.etcd.etcd_member.not_ready_threshold = "-1m";
  c.controllers.etcd.etcd_member.unknown_threshold = "";
  EXPECT_EQ(validate(c),
            (Messages{"controllers.etcd.etcdStatusSyncPeriod: Invalid value: \"0s\": must be "
                      "greater than 0",
                      "controllers.etcd.etcdMember.notReadyThreshold: Invalid value: \"-1m\": "
                      "must be greater than 0",
                      "controllers.etcd.etcdMember.unknownThreshold: Invalid value: \"\": must be "
                      "greater than 0"}));
}

TEST(OperatorConfigValidation, SecretController) {
  auto c = default_operator_config();
  c.controllers.secret.concurrent_syncs = 1;
  EXPECT_EQ(validate(c), Messages{});
  c.controllers.secret.concurrent_syncs = -4;
  EXPECT_EQ(validate(c), Messages{"controllers.secret.concurrentSyncs: Invalid value: -4: must be "
                                  "greater than 0"});
}

TEST(OperatorConfigValidation, EtcdOpsTaskController) {
  auto c = default_operator_config();
  c.controllers.etcd_ops_task.concurrent_syncs = 0;
  c.controllers.etcd_ops_task.requeue_interval = "0s";
  EXPECT_EQ(validate(c),
            (Messages{"controllers.etcdOpsTask.concurrentSyncs: Invalid value: 0: must be greater "
                      "than 0",
                      "controllers.etcdOpsTask.requeueInterval: Invalid value: \"0s\": must be "
                      "greater than 0"}));
  c.controllers.etcd_ops_task.concurrent_syncs = 1;
  c.controllers.etcd_ops_task.requeue_interval = "1ms";
  EXPECT_EQ(validate(c), Messages{});
}

TEST(OperatorConfigValidation, CompactionCheckedOnlyWhenEnabled) {
  auto c = default_operator_config();
  c.controllers.compaction.events_threshold = -1;
  c.controllers.compaction.metrics_scrape_wait_duration = "-1s";
  EXPECT_EQ(validate(c), Messages{});
}

TEST(OperatorConfigValidation, CompactionController) {
  auto c = with_compaction();
  c.controllers.compaction.concurrent_syncs = 0;
  c.controllers.compaction.active_deadline_duration = "0s";
  c.controllers.compaction.metrics_scrape_wait_duration = "-1s";
  c.controllers.compaction.events_threshold = 0;
  c.controllers.compaction.trigger_full_snapshot_threshold = -5;
  EXPECT_EQ(validate(c),
            (Messages{"controllers.compaction.concurrentSyncs: Invalid value: 0: must be greater "
                      "than 0",
                      "controllers.compaction.activeDeadlineDuration: Invalid value: \"0s\": must "
                      "be greater than 0",
                      "controllers.compaction.metricsScrapeWaitDuration: Invalid value: \"-1s\": "
                      "must be greater than or equal to 0",
                      "controllers.compaction.eventsThreshold: Invalid value: 0: must be greater "
                      "than 0",
                      "controllers.compaction.triggerFullSnapshotThreshold: Invalid value: -5: "
                      "must be greater than 0"}));
  c = with_compaction();
  c.controllers.compaction.metrics_scrape_wait_duration = "0s";
  c.controllers.compaction.events_threshold = 1;
  c.controllers.compaction.trigger_full_snapshot_threshold = 1;
  EXPECT_EQ(validate(c), Messages{});
}

TEST(OperatorConfigValidation, CopyBackupsTaskWorkersWhenEnabled) {
  auto c = default_operator_config();
  c.controllers.etcd_copy_backups_task.enabled = true;
  EXPECT_EQ(validate(c), Messages{"controllers.etcdCopyBackupsTask.concurrentSyncs: Invalid value: "
                                  "0: must be greater than 0"});
  c.controllers.etcd_copy_backups_task.concurrent_syncs = 2;
  EXPECT_EQ(validate(c), Messages{});
  c.controllers.etcd_copy_backups_task.enabled = false;
  c.controllers.etcd_copy_backups_task.concurrent_syncs = 0;
  EXPECT_EQ(validate(c), Messages{});
}

TEST(OperatorConfigValidation, LoggingIsReportedUnderLog) {
  auto c = default_operator_config();
  c.logging.log_level = "warn";
  c.logging.log_format = "xml";
  EXPECT_EQ(validate(c),
            (Messages{"log.logLevel: Unsupported value: \"warn\": supported values: \"debug\", "
                      "\"info\", \"error\"",
                      "log.logFormat: Unsupported value: \"xml\": supported values: \"json\", "
                      "\"text\""}));
  for (const char* level : {"debug", "info", "error", ""}) {
    for (const char* format : {"json", "text", ""}) {
      c.logging = LogConfiguration{level, format};
      EXPECT_EQ(validate(c), Messages{}) << level << "/" << format;
    }
  }
}

TEST(OperatorConfigValidation, WebhookCheckedOnlyWhenEnabled) {
  auto c = default_operator_config();
  c.webhooks.etcd_component_protection.reconciler_service_account_fqdn = " ";
  c.webhooks.etcd_component_protection.service_account_info = ServiceAccountInfo{};
  EXPECT_EQ(validate(c), Messages{});
}

TEST(OperatorConfigValidation, WebhookNeedsAnIdentity) {
  auto c = with_webhook();
  c.webhooks.etcd_component_protection.service_account_info.reset();
  EXPECT_EQ(validate(c),
            Messages{"webhooks.etcdComponentProtection: Required value: either "
                     "reconcilerServiceAccountFQDN or serviceAccountInfo must be set"});
  c.webhooks.etcd_component_protection.reconciler_service_account_fqdn =
      "system:serviceaccount:garden:etcd-druid";
  EXPECT_EQ(validate(c), Messages{});
}

TEST(OperatorConfigValidation, WebhookIdentityIsOneOrTheOther) {
  auto c = with_webhook();
  c.webhooks.etcd_component_protection.reconciler_service_account_fqdn =
      "system:serviceaccount:garden:etcd-druid";
  EXPECT_EQ(validate(c), Messages{"webhooks.etcdComponentProtection: Invalid value: only one of "
                                  "reconcilerServiceAccountFQDN or serviceAccountInfo can be set "
                                  "but not both."});
}

TEST(OperatorConfigValidation, WebhookServiceAccountInfoMustBeFilled) {
  auto c = with_webhook();
  c.webhooks.etcd_component_protection.service_account_info = ServiceAccountInfo{" ", ""};
  EXPECT_EQ(validate(c),
            (Messages{"webhooks.etcdComponentProtection.serviceAccountInfo.name: Required value",
                      "webhooks.etcdComponentProtection.serviceAccountInfo.namespace: Required "
                      "value"}));
}

TEST(OperatorConfigValidation, WebhookFqdnMustNotBeBlank) {
  auto c = with_webhook();
  c.webhooks.etcd_component_protection.service_account_info.reset();
  c.webhooks.etcd_component_protection.reconciler_service_account_fqdn = "  ";
  EXPECT_EQ(validate(c), Messages{"webhooks.etcdComponentProtection.reconcilerServiceAccountFQDN: "
                                  "Required value"});
}

TEST(OperatorConfigValidation, LoadedFileIsValidated) {
  auto config = load_operator_config(
      "apiVersion: config.druid.gardener.cloud/v1alpha1\nkind: OperatorConfiguration\n"
      "controllers: {etcd: {concurrentSyncs: 0}}\nlogging: {logLevel: trace}\n");
  ASSERT_TRUE(config);
  EXPECT_EQ(validate(*config),
            (Messages{"controllers.etcd.concurrentSyncs: Invalid value: 0: must be greater than 0",
                      "log.logLevel: Unsupported value: \"trace\": supported values: \"debug\", "
                      "\"info\", \"error\""}));
}

}  // namespace
}  // namespace druid::api::validation
