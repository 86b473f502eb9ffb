#include "component/etcd_config.hpp"

#include <fmt/format.h>

#include "api/defaults.hpp"
#include "api/names.hpp"
#include "component/statefulset_pod_names.hpp"

namespace druid::component {
namespace {

// `name` is a placeholder: backup-restore replaces it with the member name.
constexpr const char* kConfigName = "etcd-config";
constexpr const char* kInitialClusterToken = "etcd-cluster";
// backup-restore decides `existing` itself when a member joins a cluster.
constexpr const char* kInitialClusterState = "new";

std::string scheme(bool tls) {
  return tls ? "https" : "http";
}

// What etcd serves on the mounted TLS secrets (the mounts are the StatefulSet's).
EtcdTransportSecurity transport_security(const api::CaSecretReference& ca, const char* ca_path,
                                         const char* server_tls_path) {
  EtcdTransportSecurity security;
  security.cert_file = fmt::format("{}/tls.crt", server_tls_path);
  security.key_file = fmt::format("{}/tls.key", server_tls_path);
  security.client_cert_auth = true;
  security.trusted_ca_file =
      fmt::format("{}/{}", ca_path, ca.data_key.value_or(pod::kDefaultCaDataKey));
  security.auto_tls = false;
  return security;
}

// `<scheme>://<pod>.<etcd>-peer.<ns>.svc:<port>`: the pod's stable name via
// the headless peer Service (also for client URLs).
std::string pod_url(const api::Etcd& etcd, int ordinal, bool tls, std::int32_t port) {
  return fmt::format("{}://{}.{}.{}.svc:{}", scheme(tls), api::pod_name(etcd, ordinal),
                     api::peer_service_name(etcd), etcd.metadata.namespace_, port);
}

// The member's peer URLs: its pod URL, then the URLs of the first
// additionalAdvertisePeerURLs entry naming the member. Entries are matched by
// member name (`<prefix>-<pod>` with memberNamePrefix), as the CRD documents;
// upstream compares with the pod name and so ignores them under a prefix
// (docs/compatibility.md).
std::vector<std::string> member_peer_urls(const api::Etcd& etcd, int ordinal) {
  const bool tls = etcd.spec.etcd.peer_url_tls.has_value();
  std::vector<std::string> urls{pod_url(etcd, ordinal, tls, api::effective::server_port(etcd))};
  const std::string member = api::member_name(etcd, ordinal);
  for (const auto& entry : etcd.spec.etcd.additional_advertise_peer_urls) {
    if (entry.member_name == member) {
      urls.insert(urls.end(), entry.urls.begin(), entry.urls.end());
      break;
    }
  }
  return urls;
}

// `<member>=<url>` per member and URL, then the bootstrap source cluster's
// members the same way, comma-separated (etcd's --initial-cluster).
std::string initial_cluster(const api::Etcd& etcd) {
  std::string joined;
  const auto add = [&joined](const std::string& member, const std::string& url) {
    joined += fmt::format("{}={},", member, url);
  };
  for (int i = 0; i < etcd.spec.replicas; ++i) {
    const std::string member = api::member_name(etcd, i);
    for (const auto& url : member_peer_urls(etcd, i)) add(member, url);
  }
  if (const auto& bootstrap = etcd.spec.etcd.bootstrap_with_existing_cluster) {
    for (const auto& source : bootstrap->members) {
      for (const auto& url : source.peer_urls) add(source.name, url);
    }
  }
  // Like upstream's strings.Trim(s, ","): commas at either end go.
  const auto first = joined.find_first_not_of(',');
  if (first == std::string::npos) return "";
  return joined.substr(first, joined.find_last_not_of(',') - first + 1);
}

MemberUrls advertise_peer_urls(const api::Etcd& etcd) {
  MemberUrls urls;
  for (int i = 0; i < etcd.spec.replicas; ++i) {
    urls[api::member_name(etcd, i)] = member_peer_urls(etcd, i);
  }
  return urls;
}

MemberUrls advertise_client_urls(const api::Etcd& etcd) {
  const bool tls = etcd.spec.etcd.client_url_tls.has_value();
  MemberUrls urls;
  for (int i = 0; i < etcd.spec.replicas; ++i) {
    urls[api::member_name(etcd, i)] = {pod_url(etcd, i, tls, api::effective::client_port(etcd))};
  }
  return urls;
}

nlohmann::json to_json(const MemberUrls& urls) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [member, list] : urls) out[member] = list;
  return out;
}

nlohmann::json to_json(const EtcdTransportSecurity& security) {
  nlohmann::json out = nlohmann::json::object();
  if (!security.cert_file.empty()) out["cert-file"] = security.cert_file;
  if (!security.key_file.empty()) out["key-file"] = security.key_file;
  if (security.client_cert_auth) out["client-cert-auth"] = true;
  if (!security.trusted_ca_file.empty()) out["trusted-ca-file"] = security.trusted_ca_file;
  out["auto-tls"] = security.auto_tls;
  if (security.skip_client_san_verification) out["skip-client-san-verification"] = true;
  return out;
}

}  // namespace

util::Expected<EtcdConfigFile, std::string> etcd_config(const api::Etcd& etcd,
                                                        const OperatorSettings& settings) {
  const auto quota = api::effective::quota(etcd);
  if (!quota) return util::unexpected(quota.error().message());

  const auto& spec = etcd.spec.etcd;
  const bool client_tls = spec.client_url_tls.has_value();
  const bool peer_tls = spec.peer_url_tls.has_value();

  EtcdConfigFile config;
  config.name = kConfigName;
  config.data_dir = fmt::format("{}/new.etcd", pod::kEtcdDataPath);
  config.metrics = api::effective::metrics_level(etcd);
  config.snapshot_count = api::effective::snapshot_count(etcd);
  config.enable_grpc_gateway = api::effective::grpc_gateway_enabled(etcd);
  config.quota_backend_bytes = quota->value();
  config.initial_cluster_token = kInitialClusterToken;
  config.initial_cluster_state = kInitialClusterState;
  config.initial_cluster = initial_cluster(etcd);
  config.auto_compaction_mode = api::effective::auto_compaction_mode(etcd);
  config.auto_compaction_retention = api::effective::auto_compaction_retention(etcd);
  config.listen_peer_urls =
      fmt::format("{}://0.0.0.0:{}", scheme(peer_tls), api::effective::server_port(etcd));
  config.listen_client_urls =
      fmt::format("{}://0.0.0.0:{}", scheme(client_tls), api::effective::client_port(etcd));
  config.initial_advertise_peer_urls = advertise_peer_urls(etcd);
  config.advertise_client_urls = advertise_client_urls(etcd);
  if (client_tls) {
    config.client_transport_security = transport_security(
        spec.client_url_tls->tls_ca_secret_ref, pod::kEtcdCaPath, pod::kEtcdServerTlsPath);
  }
  if (peer_tls) {
    auto security = transport_security(spec.peer_url_tls->tls_ca_secret_ref, pod::kEtcdPeerCaPath,
                                       pod::kEtcdPeerServerTlsPath);
    security.skip_client_san_verification =
        spec.peer_url_tls->skip_client_san_verification.value_or(false);
    config.peer_transport_security = security;
  }
  config.member_name_prefix = etcd.spec.member_name_prefix.value_or("");
  // Lets etcd 3.5 members join a cluster being upgraded to 3.6.
  config.next_cluster_version_compatible = true;
  // Only etcd versions the upgrade path brings know this flag.
  if (settings.feature_gates.upgrade_etcd_version) {
    config.backend_bbolt_freelist_type = api::effective::backend_bbolt_freelist_type(etcd);
  }
  return config;
}

nlohmann::json to_json(const EtcdConfigFile& config) {
  nlohmann::json out = {
      {"name", config.name},
      {"data-dir", config.data_dir},
      {"metrics", config.metrics},
      {"snapshot-count", config.snapshot_count},
      {"enable-grpc-gateway", config.enable_grpc_gateway},
      {"quota-backend-bytes", config.quota_backend_bytes},
      {"initial-cluster-token", config.initial_cluster_token},
      {"initial-cluster-state", config.initial_cluster_state},
      {"initial-cluster", config.initial_cluster},
      {"auto-compaction-mode", config.auto_compaction_mode},
      {"auto-compaction-retention", config.auto_compaction_retention},
      {"listen-peer-urls", config.listen_peer_urls},
      {"listen-client-urls", config.listen_client_urls},
      {"initial-advertise-peer-urls", to_json(config.initial_advertise_peer_urls)},
      {"advertise-client-urls", to_json(config.advertise_client_urls)},
  };
  if (config.client_transport_security) {
    out["client-transport-security"] = to_json(*config.client_transport_security);
  }
  if (config.peer_transport_security) {
    out["peer-transport-security"] = to_json(*config.peer_transport_security);
  }
  if (!config.member_name_prefix.empty()) out["member-name-prefix"] = config.member_name_prefix;
  if (config.next_cluster_version_compatible) out["next-cluster-version-compatible"] = true;
  if (!config.backend_bbolt_freelist_type.empty()) {
    out["backend-bbolt-freelist-type"] = config.backend_bbolt_freelist_type;
  }
  return out;
}

}  // namespace druid::component
