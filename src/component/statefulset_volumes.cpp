#include "component/statefulset_volumes.hpp"

#include "api/names.hpp"
#include "component/statefulset_backup_store.hpp"
#include "component/statefulset_pod_names.hpp"

namespace druid::component {
namespace {

nlohmann::json mount(const std::string& name, const char* path) {
  return {{"name", name}, {"mountPath", path}};
}

nlohmann::json secret_volume(const char* name, const std::string& secret_name) {
  nlohmann::json secret = {{"defaultMode", pod::kVolumeDefaultMode}};
  // SecretVolumeSource.secretName is omitempty in Go: an unset clientTLSSecretRef
  // (optional in the API, a value type upstream) is sent without a name.
  if (!secret_name.empty()) secret["secretName"] = secret_name;
  return {{"name", name}, {"secret", secret}};
}

std::string client_secret_name(const std::optional<api::SecretReference>& reference) {
  return reference ? reference->name : std::string();
}

nlohmann::json data_mount(const api::Etcd& etcd) {
  return mount(api::volume_claim_template_name(etcd), pod::kEtcdDataPath);
}

nlohmann::json config_volume(const api::Etcd& etcd) {
  const std::string file = api::kEtcdConfigFileName;
  return {{"name", pod::kEtcdConfigVolume},
          {"configMap",
           {{"name", api::configmap_name(etcd)},
            {"items", nlohmann::json::array({{{"key", file}, {"path", file}}})},
            {"defaultMode", pod::kVolumeDefaultMode}}}};
}

void add_tls_volumes(nlohmann::json& volumes, const api::TLSConfig& tls, const char* ca,
                     const char* server, const char* client) {
  volumes.push_back(secret_volume(ca, tls.tls_ca_secret_ref.name));
  volumes.push_back(secret_volume(server, tls.server_tls_secret_ref.name));
  volumes.push_back(secret_volume(client, client_secret_name(tls.client_tls_secret_ref)));
}

}  // namespace

nlohmann::json etcd_volume_mounts(const api::Etcd& etcd) {
  nlohmann::json mounts = nlohmann::json::array({data_mount(etcd)});
  if (etcd.spec.etcd.client_url_tls) {
    mounts.push_back(mount(pod::kEtcdCaVolume, pod::kEtcdCaPath));
    mounts.push_back(mount(pod::kEtcdServerTlsVolume, pod::kEtcdServerTlsPath));
    mounts.push_back(mount(pod::kEtcdClientTlsVolume, pod::kEtcdClientTlsPath));
  }
  if (etcd.spec.etcd.peer_url_tls) {
    mounts.push_back(mount(pod::kEtcdPeerCaVolume, pod::kEtcdPeerCaPath));
    mounts.push_back(mount(pod::kEtcdPeerServerTlsVolume, pod::kEtcdPeerServerTlsPath));
  }
  if (etcd.spec.backup.tls) {
    mounts.push_back(mount(pod::kBackupRestoreCaVolume, pod::kBackupRestoreCaPath));
  }
  return mounts;
}

nlohmann::json backup_restore_volume_mounts(const api::Etcd& etcd, const std::string& provider) {
  nlohmann::json mounts = nlohmann::json::array(
      {data_mount(etcd), mount(pod::kEtcdConfigVolume, pod::kEtcdConfigPath)});
  if (etcd.spec.backup.tls) {
    mounts.push_back(mount(pod::kBackupRestoreServerTlsVolume, pod::kBackupRestoreServerTlsPath));
  }
  if (etcd.spec.etcd.client_url_tls) {
    mounts.push_back(mount(pod::kEtcdCaVolume, pod::kEtcdCaPath));
    mounts.push_back(mount(pod::kEtcdClientTlsVolume, pod::kEtcdClientTlsPath));
  }
  if (auto backup = backup_volume_mount(etcd, provider)) mounts.push_back(std::move(*backup));
  return mounts;
}

nlohmann::json pod_volumes(const api::Etcd& etcd, const std::string& provider,
                           const std::string& local_host_path) {
  nlohmann::json volumes = nlohmann::json::array({config_volume(etcd)});
  if (const auto& tls = etcd.spec.etcd.client_url_tls) {
    add_tls_volumes(volumes, *tls, pod::kEtcdCaVolume, pod::kEtcdServerTlsVolume,
                    pod::kEtcdClientTlsVolume);
  }
  if (const auto& tls = etcd.spec.etcd.peer_url_tls) {
    // Peer TLS has no client certificate volume.
    volumes.push_back(secret_volume(pod::kEtcdPeerCaVolume, tls->tls_ca_secret_ref.name));
    volumes.push_back(
        secret_volume(pod::kEtcdPeerServerTlsVolume, tls->server_tls_secret_ref.name));
  }
  if (const auto& tls = etcd.spec.backup.tls) {
    // The client volume is declared though no container mounts it (as upstream).
    add_tls_volumes(volumes, *tls, pod::kBackupRestoreCaVolume, pod::kBackupRestoreServerTlsVolume,
                    pod::kBackupRestoreClientTlsVolume);
  }
  if (auto backup = backup_volume(etcd, provider, local_host_path)) {
    volumes.push_back(std::move(*backup));
  }
  return volumes;
}

}  // namespace druid::component
