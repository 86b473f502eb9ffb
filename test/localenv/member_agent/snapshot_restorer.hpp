#pragma once
// Restoring a single-member etcd's data directory from the Local store
// (test/localenv/README.md): the latest full snapshot with `etcdctl snapshot
// restore` into `<data-dir>.part`, then each later delta replayed into a
// temporary etcd started on that directory (free loopback ports), then the
// directory swapped into place.
//
// Difference from upstream: events are replayed one put/delete at a time (the
// JSON gateway client has no Txn), so events that shared one revision in the
// source land in consecutive revisions; keys and values are the same.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

#include "localenv/member_agent/local_snapstore.hpp"
#include "util/expected.hpp"

namespace druid::localenv::backup {

struct RestoreRequest {
  std::string member_name;
  std::string initial_cluster;              // "<name>=<peer URL>,..."
  std::string initial_advertise_peer_urls;  // comma-joined
  std::filesystem::path data_dir;
  std::filesystem::path work_dir;  // temporary files and process logs
  std::int64_t quota_bytes = 8589934592;
  std::string etcdctl = "/usr/bin/etcdctl";
  std::string etcd = "/usr/bin/etcd";
  std::chrono::milliseconds timeout = std::chrono::minutes(5);
};

struct RestoreOutcome {
  bool restored = false;  // false: the store held no full snapshot, nothing was done
  std::int64_t full_revision = 0;
  int deltas_applied = 0;
};

util::Expected<RestoreOutcome, std::string> restore_from_store(const LocalSnapstore& store,
                                                               const RestoreRequest& request);

}  // namespace druid::localenv::backup
