#pragma once
// The etcd configuration druid writes into the ConfigMap `<etcd>-config` as
// etcd.conf.yaml (upstream's internal/component/configmap/etcdconfig.go), as data.
// backup-restore reads it, puts the pod's member name into `name`, collapses
// the per-member URL maps to its own entry and hands it to etcd.
//
// The fields are those of upstream's etcdConfig struct; `to_json` gives the
// object Go's encoding/json makes of it (omitempty fields left out when
// empty), which is what gets turned into YAML. Keys come out sorted in the
// YAML whatever their order here, because the YAML is made from JSON.

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "api/etcd.hpp"
#include "component/context.hpp"
#include "util/expected.hpp"

namespace druid::component {

// client-transport-security / peer-transport-security.
struct EtcdTransportSecurity {
  std::string cert_file;                      // cert-file (omitted when empty)
  std::string key_file;                       // key-file (omitted when empty)
  bool client_cert_auth = false;              // client-cert-auth (omitted when false)
  std::string trusted_ca_file;                // trusted-ca-file (omitted when empty)
  bool auto_tls = false;                      // auto-tls (always written)
  bool skip_client_san_verification = false;  // skip-client-san-verification (omitted when false)
};

// Member name -> URLs.
using MemberUrls = std::map<std::string, std::vector<std::string>>;

struct EtcdConfigFile {
  std::string name;                                                // name
  std::string data_dir;                                            // data-dir
  std::string metrics;                                             // metrics
  std::int64_t snapshot_count = 0;                                 // snapshot-count
  bool enable_grpc_gateway = false;                                // enable-grpc-gateway
  std::int64_t quota_backend_bytes = 0;                            // quota-backend-bytes
  std::string initial_cluster_token;                               // initial-cluster-token
  std::string initial_cluster_state;                               // initial-cluster-state
  std::string initial_cluster;                                     // initial-cluster
  std::string auto_compaction_mode;                                // auto-compaction-mode
  std::string auto_compaction_retention;                           // auto-compaction-retention
  std::string listen_peer_urls;                                    // listen-peer-urls
  std::string listen_client_urls;                                  // listen-client-urls
  MemberUrls initial_advertise_peer_urls;                          // initial-advertise-peer-urls
  MemberUrls advertise_client_urls;                                // advertise-client-urls
  std::optional<EtcdTransportSecurity> client_transport_security;  // omitted when unset
  std::optional<EtcdTransportSecurity> peer_transport_security;    // omitted when unset
  std::string member_name_prefix;                // member-name-prefix (omitted when empty)
  bool next_cluster_version_compatible = false;  // (omitted when false)
  std::string backend_bbolt_freelist_type;       // (omitted when empty)
};

// The configuration for `etcd`. Errors name the field that cannot be used,
// e.g. `spec.etcd.quota: quantities must match the regular expression ...`.
util::Expected<EtcdConfigFile, std::string> etcd_config(const api::Etcd& etcd,
                                                        const OperatorSettings& settings);

// The JSON object Go's encoding/json makes of upstream's struct.
nlohmann::json to_json(const EtcdConfigFile& config);

}  // namespace druid::component
