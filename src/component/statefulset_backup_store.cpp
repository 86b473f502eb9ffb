#include "component/statefulset_backup_store.hpp"

#include <fmt/format.h>

#include "api/defaults.hpp"
#include "api/provider.hpp"
#include "component/statefulset_pod_names.hpp"
#include "util/base64.hpp"

namespace druid::component {
namespace {

namespace provider_name = api::storage_provider;

nlohmann::json env_value(const char* name, const std::string& value) {
  nlohmann::json env = {{"name", name}};
  // EnvVar.value is omitempty in Go, so an empty value is not sent.
  if (!value.empty()) env["value"] = value;
  return env;
}

nlohmann::json env_from_field(const char* name, const char* field_path) {
  return {{"name", name}, {"valueFrom", {{"fieldRef", {{"fieldPath", field_path}}}}}};
}

nlohmann::json env_from_secret(const char* name, const std::string& secret, const char* key) {
  return {{"name", name},
          {"valueFrom", {{"secretKeyRef", {{"name", secret}, {"key", key}, {"optional", false}}}}}};
}

// Providers whose credentials are a mounted secret directory.
bool mounts_credentials(const std::string& provider) {
  return credentials_variable(provider) != nullptr;
}

util::Expected<nlohmann::json, std::string> provider_env(const api::StoreSpec& store,
                                                         const std::string& provider) {
  nlohmann::json env = nlohmann::json::array();
  if (provider == provider_name::kGCS) {
    env.push_back(env_value(credentials_variable(provider), pod::kGcsCredentialsFile));
  } else if (mounts_credentials(provider)) {
    // Set even without a secretRef: the variable is harmless when nothing is
    // mounted, and upstream sets it the same way.
    env.push_back(env_value(credentials_variable(provider), pod::kProviderBackupSecretPath));
  } else if (provider == provider_name::kECS) {
    if (!store.secret_ref) {
      return util::unexpected(std::string(
          "spec.backup.store.secretRef: Required value: no secretRef could be configured for "
          "backup store of ECS"));
    }
    const auto& secret = store.secret_ref->name;
    env.push_back(env_from_secret("ECS_ENDPOINT", secret, "endpoint"));
    env.push_back(env_from_secret("ECS_ACCESS_KEY_ID", secret, "accessKeyID"));
    env.push_back(env_from_secret("ECS_SECRET_ACCESS_KEY", secret, "secretAccessKey"));
  }
  return env;
}

bool has_secret_ref(const api::Etcd& etcd) {
  return etcd.spec.backup.store && etcd.spec.backup.store->secret_ref.has_value();
}

bool has_container(const api::Etcd& etcd) {
  return etcd.spec.backup.store && etcd.spec.backup.store->container.has_value();
}

}  // namespace

const char* credentials_variable(const std::string& provider) {
  if (provider == provider_name::kS3) return "AWS_APPLICATION_CREDENTIALS";
  if (provider == provider_name::kABS) return "AZURE_APPLICATION_CREDENTIALS";
  if (provider == provider_name::kGCS) return "GOOGLE_APPLICATION_CREDENTIALS";
  if (provider == provider_name::kSwift) return "OPENSTACK_APPLICATION_CREDENTIALS";
  if (provider == provider_name::kOSS) return "ALICLOUD_APPLICATION_CREDENTIALS";
  if (provider == provider_name::kOCS) return "OPENSHIFT_APPLICATION_CREDENTIALS";
  return nullptr;
}

util::Expected<std::optional<std::string>, std::string> local_host_path_of_secret(
    const nlohmann::json& secret) {
  const auto data = secret.find("data");
  if (data == secret.end() || !data->is_object()) return std::optional<std::string>();
  const auto value = data->find(kLocalHostPathSecretKey);
  if (value == data->end() || !value->is_string()) return std::optional<std::string>();
  auto decoded = util::base64_decode(value->get<std::string>());
  if (!decoded) return util::unexpected(std::string("its hostPath is not valid base64"));
  return std::optional<std::string>(std::move(*decoded));
}

std::string non_root_local_store_mount_path(const std::string& container) {
  return "/home/nonroot/" + container;
}

util::Expected<std::string, std::string> backup_store_provider(const api::Etcd& etcd) {
  if (!api::is_backup_store_enabled(etcd)) return std::string();
  auto provider = api::normalize_storage_provider(etcd.spec.backup.store->provider);
  if (!provider) return util::unexpected("spec.backup.store.provider: " + provider.error().reason);
  return *provider;
}

util::Expected<nlohmann::json, std::string> backup_restore_env(const api::Etcd& etcd,
                                                               const std::string& provider) {
  nlohmann::json env = nlohmann::json::array();
  env.push_back(env_from_field("POD_NAME", "metadata.name"));
  env.push_back(env_from_field("POD_NAMESPACE", "metadata.namespace"));
  if (!api::is_backup_store_enabled(etcd)) return env;
  const auto& store = *etcd.spec.backup.store;
  env.push_back(env_value("STORAGE_CONTAINER", store.container.value_or("")));
  auto credentials = provider_env(store, provider);
  if (!credentials) return util::unexpected(credentials.error());
  for (auto& variable : *credentials) env.push_back(std::move(variable));
  return env;
}

std::string local_store_mount_path(const api::Etcd& etcd) {
  const std::string home = api::effective::runs_as_root(etcd) ? "/root" : "/home/nonroot";
  return has_container(etcd) ? home + "/" + *etcd.spec.backup.store->container : home;
}

std::optional<nlohmann::json> backup_volume_mount(const api::Etcd& etcd,
                                                  const std::string& provider) {
  if (!api::is_backup_store_enabled(etcd)) return std::nullopt;
  if (provider == provider_name::kLocal) {
    if (!has_container(etcd)) return std::nullopt;
    return nlohmann::json{{"name", pod::kLocalBackupVolume},
                          {"mountPath", local_store_mount_path(etcd)}};
  }
  // No secret, no volume: the mount would point at nothing.
  if (!mounts_credentials(provider) || !has_secret_ref(etcd)) return std::nullopt;
  const char* path =
      provider == provider_name::kGCS ? pod::kGcsBackupSecretPath : pod::kProviderBackupSecretPath;
  return nlohmann::json{{"name", pod::kProviderBackupSecretVolume}, {"mountPath", path}};
}

std::optional<nlohmann::json> backup_volume(const api::Etcd& etcd, const std::string& provider,
                                            const std::string& local_host_path) {
  if (!api::is_backup_store_enabled(etcd)) return std::nullopt;
  const auto& store = *etcd.spec.backup.store;
  if (provider == provider_name::kLocal) {
    return nlohmann::json{{"name", pod::kLocalBackupVolume},
                          {"hostPath",
                           {{"path", local_host_path + "/" + store.container.value_or("")},
                            {"type", "DirectoryOrCreate"}}}};
  }
  if (!mounts_credentials(provider) || !store.secret_ref) return std::nullopt;
  return nlohmann::json{
      {"name", pod::kProviderBackupSecretVolume},
      {"secret",
       {{"secretName", store.secret_ref->name}, {"defaultMode", pod::kVolumeDefaultMode}}}};
}

std::optional<nlohmann::json> change_backup_bucket_permissions_container(
    const api::Etcd& etcd, const std::string& provider, const std::string& alpine_image) {
  if (provider != provider_name::kLocal || api::effective::runs_as_root(etcd)) return std::nullopt;
  auto mount = backup_volume_mount(etcd, provider);
  if (!mount) return std::nullopt;
  const auto user = api::kNonRootUserId;
  return nlohmann::json{
      {"name", pod::kChangeBackupBucketPermissionsContainer},
      {"image", alpine_image},
      {"imagePullPolicy", "IfNotPresent"},
      {"command", nlohmann::json::array({"sh", "-c", "--"})},
      {"args", nlohmann::json::array(
                   {fmt::format("chown -R {}:{} {}", user, user, local_store_mount_path(etcd))})},
      {"volumeMounts", nlohmann::json::array({*mount})},
      // Root inside the init container only, to chown the host directory.
      {"securityContext",
       {{"allowPrivilegeEscalation", false},
        {"runAsGroup", 0},
        {"runAsNonRoot", false},
        {"runAsUser", 0}}}};
}

}  // namespace druid::component
