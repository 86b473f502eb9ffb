#pragma once
// The command line of etcd-wrapper's `start-etcd` (test/localenv/README.md), exactly
// as druid's StatefulSet passes it. Unknown flags are kept so the caller can
// warn about them: a newer druid may pass flags this agent does not know.

#include <chrono>
#include <string>
#include <vector>

#include "util/expected.hpp"

namespace druid::localenv::wrapper {

struct StartEtcdFlags {
  std::string backup_restore_host_port = ":8080";  // no scheme
  bool backup_restore_tls_enabled = false;
  std::string backup_restore_ca_cert_bundle_path;  // required with TLS
  std::string etcd_server_name;                    // TLS server name of the local etcd
  int etcd_client_port = 2379;
  int etcd_wrapper_port = 9095;
  std::string etcd_client_cert_path, etcd_client_key_path;
  std::chrono::milliseconds etcd_ready_timeout{0};  // 0 = wait as long as it takes
  std::vector<std::string> unknown;                 // flags this agent ignores
};

// Accepts `--name=value` and `--name value`; a boolean flag alone means true.
// An error names the flag and the bad value.
util::Expected<StartEtcdFlags, std::string> parse_start_etcd_flags(
    const std::vector<std::string>& args);

}  // namespace druid::localenv::wrapper
