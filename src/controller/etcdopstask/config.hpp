#pragma once
// The EtcdOpsTask controller's settings (`controllers.etcdOpsTask` of
// upstream's api/config/v1alpha1/types.go), with upstream's defaults.

#include <chrono>

namespace druid::controller::etcdopstask {

struct EtcdOpsTaskControllerConfig {
  int workers = 3;  // concurrentSyncs
  // How long a task waits before its next attempt when the sidecar could not
  // be reached; also the cap of the per-task backoff (upstream's
  // requeueInterval, which bounds its rate limiter the same way).
  std::chrono::milliseconds requeue_interval = std::chrono::seconds(15);
};

}  // namespace druid::controller::etcdopstask
