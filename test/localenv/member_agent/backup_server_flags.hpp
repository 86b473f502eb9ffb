#pragma once
// The command line of `druid-member-agent server`: the flags druid passes to
// etcd-backup-restore's `etcdbrctl server` (test/localenv/README.md). Flags this agent
// has no use for are accepted silently; flags nobody knows are reported as
// warnings and ignored, so a newer druid does not break an older agent.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "util/expected.hpp"

namespace druid::localenv::backup {

struct BackupServerFlags {
  int server_port = 8080;
  std::string server_cert, server_key;  // both set: HTTPS

  // This member's etcd (--endpoints) and the ready members (--service-endpoints).
  std::vector<std::string> endpoints{"http://127.0.0.1:2379"};
  std::vector<std::string> service_endpoints;
  std::string cacert, cert, key;
  bool insecure_transport = true;
  bool insecure_skip_tls_verify = false;

  std::string data_dir = "/var/etcd/data/new.etcd";
  std::int64_t embedded_etcd_quota_bytes = 8589934592;
  std::string auto_compaction_mode = "periodic";
  std::string auto_compaction_retention = "30m";

  bool enable_member_lease_renewal = false;
  std::chrono::nanoseconds k8s_heartbeat_duration = std::chrono::seconds(30);

  bool enable_snapshot_lease_renewal = false;
  std::string full_snapshot_lease_name, delta_snapshot_lease_name;

  std::string storage_provider;  // empty: no store
  std::string store_prefix;
  std::string store_container;  // --store-container; env STORAGE_CONTAINER wins when unset
  std::string schedule = "0 */1 * * *";
  std::chrono::nanoseconds delta_snapshot_period = std::chrono::seconds(20);
  bool compress_snapshots = false;
  std::string compression_policy = "gzip";
  std::chrono::nanoseconds etcd_snapshot_timeout = std::chrono::minutes(15);

  // One line per unknown flag, for the caller to log.
  std::vector<std::string> warnings;
};

// Accepts `--name=value`, `--name value` and, for booleans, a bare `--name`
// (as Go's pflag does; a single leading dash works too). Errors name the flag
// and the bad value, e.g. `invalid value "x" for flag --server-port: not an integer`.
util::Expected<BackupServerFlags, std::string> parse_backup_server_flags(
    const std::vector<std::string>& args);

}  // namespace druid::localenv::backup
