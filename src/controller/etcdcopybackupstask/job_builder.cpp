#include "controller/etcdcopybackupstask/job_builder.hpp"

#include <fmt/format.h>

#include <string_view>

#include "api/defaults.hpp"
#include "api/duration.hpp"
#include "api/labels.hpp"
#include "api/names.hpp"
#include "api/provider.hpp"
#include "component/statefulset_backup_store.hpp"
#include "component/statefulset_pod_names.hpp"
#include "controller/etcdcopybackupstask/error_codes.hpp"

namespace druid::controller::etcdcopybackupstask {

using nlohmann::json;
namespace provider_name = api::storage_provider;
namespace pod = component::pod;

namespace {

// What differs between the two stores of a task: field, flag, variable and
// volume names, and where credentials are mounted.
struct StoreSide {
  const api::StoreSpec& store;
  const char* field;             // spec.sourceStore
  const char* flag_prefix;       // --source- / --
  const char* env_prefix;        // SOURCE_ / ""
  const char* store_wording;     // "source-store" / "store", as upstream's message says
  const char* local_volume;      // source-host-storage / host-storage
  const char* secret_volume;     // source-etcd-backup-secret / etcd-backup-secret
  std::string secret_directory;  // /var/source-etcd-backup / /var/etcd-backup
  std::string gcs_directory;     // /var/.source-gcp/ / /var/.gcp/
};

StoreSide source_side(const api::EtcdCopyBackupsTask& task) {
  return {task.spec.source_store,
          "spec.sourceStore",
          "--source-",
          "SOURCE_",
          "source-store",
          kLocalSourceVolume,
          kSourceBackupSecretVolume,
          kSourceBackupSecretPath,
          kSourceGcsBackupSecretPath};
}

StoreSide target_side(const api::EtcdCopyBackupsTask& task) {
  return {task.spec.target_store,
          "spec.targetStore",
          "--",
          "",
          "store",
          kLocalTargetVolume,
          pod::kProviderBackupSecretVolume,
          pod::kProviderBackupSecretPath,
          pod::kGcsBackupSecretPath};
}

JobBuildError invalid(const char* code, std::string message) {
  return {code, std::move(message)};
}

// Credentials come from a mounted Secret for every cloud provider druid
// supports here; Local mounts host directories instead.
bool is_cloud(const std::string& provider) {
  return component::credentials_variable(provider) != nullptr;
}

util::Expected<std::string, JobBuildError> check_store(const StoreSide& side) {
  auto provider = api::normalize_storage_provider(side.store.provider);
  if (!provider) {
    return util::unexpected(
        invalid(error_code::kUnsupportedStorageProvider,
                fmt::format("{}.provider: {}", side.field, provider.error().reason)));
  }
  if (*provider == provider_name::kECS) {
    return util::unexpected(invalid(
        error_code::kUnsupportedStorageProvider,
        fmt::format("{}.provider: storage provider '{}' is not supported for copying backups",
                    side.field, *side.store.provider)));
  }
  if (!side.store.container || side.store.container->empty()) {
    return util::unexpected(
        invalid(error_code::kStoreContainerRequired,
                fmt::format("{}.container: Required value: the copy-backups job needs the "
                            "container (bucket) of the {}",
                            side.field, side.store_wording)));
  }
  if (is_cloud(*provider) && !side.store.secret_ref) {
    // Upstream's message, with the field it is about.
    return util::unexpected(invalid(error_code::kStoreSecretRefRequired,
                                    fmt::format("{}.secretRef: no secretRef is configured for "
                                                "backup {}",
                                                side.field, side.store_wording)));
  }
  return std::move(*provider);
}

// The same bucket and prefix behind the same endpoint: the job would copy a
// store onto itself.
bool same_store(const api::StoreSpec& source, const std::string& source_provider,
                const api::StoreSpec& target, const std::string& target_provider) {
  return source_provider == target_provider && source.container == target.container &&
         source.prefix == target.prefix &&
         source.endpoint_override.value_or("") == target.endpoint_override.value_or("");
}

json env_value(std::string name, const std::string& value) {
  return {{"name", std::move(name)}, {"value", value}};
}

std::string credentials_path(const StoreSide& side, const std::string& provider) {
  if (provider == provider_name::kGCS) return side.gcs_directory + "serviceaccount.json";
  return side.secret_directory;
}

void add_env(const StoreSide& side, const std::string& provider, json& env) {
  env.push_back(
      env_value(std::string(side.env_prefix) + "STORAGE_CONTAINER", *side.store.container));
  if (const char* variable = component::credentials_variable(provider)) {
    env.push_back(
        env_value(std::string(side.env_prefix) + variable, credentials_path(side, provider)));
  }
}

void add_volume_mount(const StoreSide& side, const std::string& provider, json& mounts) {
  if (provider == provider_name::kLocal) {
    mounts.push_back(
        {{"name", side.local_volume},
         {"mountPath", component::non_root_local_store_mount_path(*side.store.container)}});
  } else if (provider == provider_name::kGCS) {
    mounts.push_back({{"name", side.secret_volume}, {"mountPath", side.gcs_directory}});
  } else if (is_cloud(provider)) {
    mounts.push_back({{"name", side.secret_volume}, {"mountPath", side.secret_directory + "/"}});
  }
}

void add_volume(const StoreSide& side, const std::string& provider,
                const std::optional<std::string>& local_host_path, json& volumes) {
  if (provider == provider_name::kLocal) {
    volumes.push_back({{"name", side.local_volume},
                       {"hostPath",
                        {{"path", local_host_path.value_or(pod::kDefaultLocalBackupHostPath) + "/" +
                                      *side.store.container},
                         {"type", "DirectoryOrCreate"}}}});
  } else if (is_cloud(provider)) {
    volumes.push_back({{"name", side.secret_volume},
                       {"secret",
                        {{"secretName", side.store.secret_ref->name},
                         {"defaultMode", pod::kVolumeDefaultMode}}}});
  }
}

void add_store_args(const StoreSide& side, const std::string& provider, json& args) {
  // A store without provider leaves backup-restore its default, as upstream.
  if (provider.empty()) return;
  const std::string flag = side.flag_prefix;
  args.push_back(flag + "storage-provider=" + provider);
  if (!side.store.prefix.empty()) args.push_back(flag + "store-prefix=" + side.store.prefix);
  args.push_back(flag + "store-container=" + *side.store.container);
  if (side.store.endpoint_override && !side.store.endpoint_override->empty()) {
    args.push_back(flag + "store-endpoint-override=" + *side.store.endpoint_override);
  }
}

util::Expected<json, JobBuildError> job_args(const api::EtcdCopyBackupsTask& task,
                                             const StoreSide& source,
                                             const std::string& source_provider,
                                             const StoreSide& target,
                                             const std::string& target_provider) {
  json args =
      json::array({"copy", fmt::format("--snapstore-temp-directory={}", kSnapstoreTempDirectory)});
  add_store_args(target, target_provider, args);
  add_store_args(source, source_provider, args);
  const auto& spec = task.spec;
  if (spec.max_backup_age) args.push_back(fmt::format("--max-backup-age={}", *spec.max_backup_age));
  if (spec.max_backups) args.push_back(fmt::format("--max-backups-to-copy={}", *spec.max_backups));
  if (spec.wait_for_final_snapshot) {
    const auto& wait = *spec.wait_for_final_snapshot;
    args.push_back(fmt::format("--wait-for-final-snapshot={}", wait.enabled));
    if (wait.timeout) {
      auto timeout = api::parse_duration(*wait.timeout);
      if (!timeout) {
        return util::unexpected(
            invalid(error_code::kInvalidWaitForFinalSnapshotTimeout,
                    fmt::format("spec.waitForFinalSnapshot.timeout: {}", timeout.error().reason)));
      }
      // Go's Duration.String(), as upstream passes it: "10m" becomes "10m0s".
      args.push_back("--wait-for-final-snapshot-timeout=" + timeout->to_string());
    }
  }
  return args;
}

json pod_labels(const api::EtcdCopyBackupsTask& task) {
  json labels = json::object();
  for (const auto& [key, value] : api::copy_backups_job_labels(task.metadata.name)) {
    labels[key] = value;
  }
  // The task's podLabels win over druid's.
  for (const auto& [key, value] : task.spec.pod_labels) labels[key] = value;
  return labels;
}

json job_labels(const api::EtcdCopyBackupsTask& task) {
  json labels = json::object();
  for (const auto& [key, value] : api::copy_backups_job_labels(task.metadata.name)) {
    labels[key] = value;
  }
  return labels;
}

// Hands the Local directories to the non-root user before the copy starts.
json change_permissions_container(const std::string& alpine_image, const StoreSide& source,
                                  const std::string& source_provider, const StoreSide& target,
                                  const json& mounts) {
  const std::string owner = fmt::format("{}:{}", api::kNonRootUserId, api::kNonRootUserId);
  json command = json::array(
      {"chown", "-R", owner, component::non_root_local_store_mount_path(*target.store.container)});
  // Upstream also names the source directory when the source is a cloud
  // store; nothing is mounted there, chown fails, and the job never starts.
  if (source_provider == provider_name::kLocal) {
    command.push_back(component::non_root_local_store_mount_path(*source.store.container));
  }
  return {{"name", pod::kChangeBackupBucketPermissionsContainer},
          {"image", alpine_image},
          {"command", std::move(command)},
          {"volumeMounts", mounts},
          // Root inside the init container only, to chown the host directories.
          {"securityContext",
           {{"allowPrivilegeEscalation", false},
            {"runAsGroup", 0},
            {"runAsNonRoot", false},
            {"runAsUser", 0}}}};
}

}  // namespace

util::Expected<CopyStores, JobBuildError> check_copy_stores(const api::EtcdCopyBackupsTask& task) {
  const StoreSide source = source_side(task);
  const StoreSide target = target_side(task);
  auto target_provider = check_store(target);
  if (!target_provider) return util::unexpected(target_provider.error());
  auto source_provider = check_store(source);
  if (!source_provider) return util::unexpected(source_provider.error());
  if (same_store(source.store, *source_provider, target.store, *target_provider)) {
    return util::unexpected(invalid(
        error_code::kSameSourceAndTarget,
        fmt::format("spec.targetStore: the target store is the source store (provider '{}', "
                    "container '{}', prefix '{}'): backups cannot be copied onto themselves",
                    *target_provider, *target.store.container, target.store.prefix)));
  }
  return CopyStores{std::move(*source_provider), std::move(*target_provider)};
}

util::Expected<json, JobBuildError> build_copy_backups_job(const api::EtcdCopyBackupsTask& task,
                                                           const api::ImageVector& images,
                                                           const JobInputs& inputs) {
  auto stores = check_copy_stores(task);
  if (!stores) return util::unexpected(stores.error());
  const StoreSide source = source_side(task);
  const StoreSide target = target_side(task);
  const std::string& source_provider = stores->source_provider;
  const std::string& target_provider = stores->target_provider;

  auto backup_restore_image =
      api::require_image(images, api::backup_restore_image_name(inputs.upgrade_etcd_version));
  if (!backup_restore_image) {
    return util::unexpected(
        JobBuildError{error_code::kImageNotFound, backup_restore_image.error()});
  }
  auto args = job_args(task, source, source_provider, target, target_provider);
  if (!args) return util::unexpected(args.error());

  // Source first, then target, for env, mounts and volumes (upstream's order).
  json env = json::array();
  add_env(source, source_provider, env);
  add_env(target, target_provider, env);
  json mounts = json::array();
  add_volume_mount(source, source_provider, mounts);
  add_volume_mount(target, target_provider, mounts);
  json volumes = json::array();
  add_volume(source, source_provider, inputs.source_local_host_path, volumes);
  add_volume(target, target_provider, inputs.target_local_host_path, volumes);

  json container = {{"name", kCopyBackupsContainer},
                    {"image", *backup_restore_image},
                    {"imagePullPolicy", "IfNotPresent"},
                    {"args", std::move(*args)},
                    {"env", std::move(env)},
                    {"securityContext", {{"allowPrivilegeEscalation", false}}}};
  if (!mounts.empty()) container["volumeMounts"] = mounts;

  json pod_spec = {{"restartPolicy", "OnFailure"},
                   {"containers", json::array({std::move(container)})},
                   {"shareProcessNamespace", true},
                   {"securityContext",
                    {{"runAsGroup", api::kNonRootUserId},
                     {"runAsNonRoot", true},
                     {"runAsUser", api::kNonRootUserId},
                     {"fsGroup", api::kNonRootUserId}}}};
  if (!volumes.empty()) pod_spec["volumes"] = std::move(volumes);
  if (target_provider == provider_name::kLocal) {
    auto alpine = api::require_image(images, api::image_name::kAlpine);
    if (!alpine) return util::unexpected(JobBuildError{error_code::kImageNotFound, alpine.error()});
    pod_spec["initContainers"] = json::array(
        {change_permissions_container(*alpine, source, source_provider, target, mounts)});
  }

  return json{{"apiVersion", "batch/v1"},
              {"kind", "Job"},
              {"metadata",
               {{"name", api::copy_backups_job_name(task.metadata.name)},
                {"namespace", task.metadata.namespace_},
                {"labels", job_labels(task)},
                {"ownerReferences", json::array({{{"apiVersion", api::kApiVersion},
                                                  {"kind", api::kEtcdCopyBackupsTaskKind},
                                                  {"name", task.metadata.name},
                                                  {"uid", task.metadata.uid},
                                                  {"controller", true},
                                                  {"blockOwnerDeletion", true}}})}}},
              {"spec",
               {{"template",
                 {{"metadata", {{"labels", pod_labels(task)}}}, {"spec", std::move(pod_spec)}}}}}};
}

}  // namespace druid::controller::etcdcopybackupstask
