#pragma once
// The Etcd controller's settings (`controllers.etcd` of upstream's
// api/config/v1alpha1/types.go), with
// upstream's defaults.

#include <chrono>

#include "component/context.hpp"

namespace druid::controller::etcd {

struct EtcdControllerConfig {
  int workers = 3;  // concurrentSyncs
  // --enable-etcd-spec-auto-reconcile (--ignore-operation-annotation).
  bool enable_etcd_spec_auto_reconcile = false;
  // Every Etcd is requeued this long after each reconcile; also the backoff cap.
  std::chrono::milliseconds status_sync_period = std::chrono::seconds(15);
  std::chrono::milliseconds member_unknown_threshold = std::chrono::minutes(1);
  std::chrono::milliseconds member_not_ready_threshold = std::chrono::minutes(5);
  // A status that changed only in condition lastUpdateTimes is still written
  // this often, so consumers can tell it is fresh.
  std::chrono::milliseconds status_heartbeat = std::chrono::minutes(5);
  // Retry interval of a component asking for ERR_REQUEUE_AFTER
  // (upstream's syncRetryInterval; not configurable there, only tests shorten it).
  std::chrono::milliseconds sync_retry_interval = std::chrono::seconds(10);
  // How often deletion checks that every component is gone (not configurable
  // upstream either).
  std::chrono::milliseconds deletion_verify_interval = std::chrono::seconds(5);
  component::OperatorSettings settings;
};

}  // namespace druid::controller::etcd
