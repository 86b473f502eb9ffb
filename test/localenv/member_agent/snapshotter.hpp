#pragma once
// Full and delta snapshots of this member's etcd into the Local store, and the
// snapshot leases after each (test/localenv/README.md). One snapshot at a time:
// the schedule and /snapshot/* requests share one Snapshotter.

#include <mutex>
#include <optional>
#include <string>

#include "etcd/client.hpp"
#include "kube/client.hpp"
#include "localenv/member_agent/local_snapstore.hpp"
#include "localenv/member_agent/snapshot.hpp"
#include "util/expected.hpp"
#include "util/time.hpp"

namespace druid::localenv::backup {

struct SnapshotterOptions {
  bool compress = false;  // gzip, suffix ".gz"
  // Snapshot leases; renewed only when `kube` is given and the names are set.
  std::string lease_namespace;
  std::string full_snapshot_lease;
  std::string delta_snapshot_lease;
};

class Snapshotter {
 public:
  // `etcd` should have a timeout long enough for a whole snapshot stream.
  // `kube` may be null (no lease updates).
  Snapshotter(etcd::Client& etcd, const LocalSnapstore& store, kube::Client* kube,
              SnapshotterOptions options);

  util::Expected<Snapshot, std::string> take_full(bool final, util::Time now);
  // nullopt when no event happened since the newest snapshot in the store.
  util::Expected<std::optional<Snapshot>, std::string> take_delta(util::Time now);
  // The delta lease of a store without deltas says "0" (upstream does this at start).
  void initialise_delta_lease(util::Time now);

 private:
  void renew_lease(const std::string& name, std::int64_t revision, util::Time renew_time);

  etcd::Client& etcd_;
  const LocalSnapstore& store_;
  kube::Client* kube_;
  SnapshotterOptions options_;
  std::mutex mutex_;
};

}  // namespace druid::localenv::backup
