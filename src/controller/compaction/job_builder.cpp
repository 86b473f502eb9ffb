#include "controller/compaction/job_builder.hpp"

#include <fmt/format.h>

#include "api/annotations.hpp"
#include "api/defaults.hpp"
#include "api/duration.hpp"
#include "api/labels.hpp"
#include "api/names.hpp"
#include "api/provider.hpp"
#include "api/quantity.hpp"
#include "component/component.hpp"
#include "component/statefulset_backup_store.hpp"
#include "component/statefulset_pod_names.hpp"
#include "controller/compaction/error_codes.hpp"

namespace druid::controller::compaction {

using nlohmann::json;
namespace provider_name = api::storage_provider;
namespace pod = component::pod;

namespace {

// Where the job works: an emptyDir, so nothing of it outlives the pod.
constexpr const char* kDataDir = "/var/etcd/data/compaction.etcd";
constexpr const char* kRestorationTempDir = "/var/etcd/data/compaction.restoration.temp";
constexpr const char* kSnapstoreTempDir = "/var/etcd/data/tmp";

JobBuildError invalid_spec(std::string message) {
  return {error_code::kInvalidSpec, std::move(message)};
}

// Providers whose credentials are a mounted Secret directory (all but Local and ECS).
bool mounts_credentials(const std::string& provider) {
  return component::credentials_variable(provider) != nullptr;
}

json labels(const api::Etcd& etcd) {
  json out = json::object();
  for (const auto& [key, value] : api::compaction_job_labels(etcd)) out[key] = value;
  return out;
}

// spec.annotations, except safe-to-evict=false: a compaction pod must not
// keep a node from being scaled down.
json pod_annotations(const api::Etcd& etcd) {
  json out = json::object();
  for (const auto& [key, value] : etcd.spec.annotations) {
    if (key == api::kSafeToEvictAnnotation && value == "false") continue;
    out[key] = value;
  }
  return out;
}

// One request of snapshotCompaction.resources.requests; the default when
// unset or zero (upstream's Requests.Cpu()/Memory() with IsZero()).
util::Expected<std::string, JobBuildError> request(const api::Etcd& etcd, const char* resource,
                                                   const char* fallback) {
  const auto& compaction = etcd.spec.backup.snapshot_compaction;
  if (!compaction || !compaction->resources || !compaction->resources->is_object()) {
    return std::string(fallback);
  }
  const json requests = compaction->resources->value("requests", json::object());
  const auto value = requests.find(resource);
  if (value == requests.end() || value->is_null()) return std::string(fallback);
  api::IntOrString text;
  if (value->is_string()) {
    text = value->get<std::string>();
  } else if (value->is_number_integer()) {
    text = value->get<std::int64_t>();
  } else {
    return util::unexpected(invalid_spec(fmt::format(
        "spec.backup.snapshotCompaction.resources.requests.{}: Invalid value: {}: not a quantity",
        resource, value->dump())));
  }
  auto quantity = api::parse_quantity(text);
  if (!quantity) {
    return util::unexpected(
        invalid_spec(fmt::format("spec.backup.snapshotCompaction.resources.requests.{}: {}",
                                 resource, quantity.error().reason)));
  }
  if (quantity->is_zero()) return std::string(fallback);
  return quantity->to_string();
}

util::Expected<std::string, JobBuildError> go_duration(const std::optional<std::string>& value,
                                                       const char* field) {
  auto parsed = api::parse_duration(*value);
  if (!parsed) {
    return util::unexpected(invalid_spec(fmt::format("{}: {}", field, parsed.error().reason)));
  }
  return parsed->to_string();
}

// The backup volume and its mount: Local buckets from the node, or the
// store Secret of a cloud provider. ECS reads its Secret through env.
util::Expected<std::monostate, JobBuildError> add_store_volume(
    const api::Etcd& etcd, const std::string& provider, const CompactionJobSettings& settings,
    json& volumes, json& mounts) {
  const auto& store = *etcd.spec.backup.store;
  if (provider == provider_name::kLocal) {
    const std::string host_path = settings.local_host_path.empty()
                                      ? pod::kDefaultLocalBackupHostPath
                                      : settings.local_host_path;
    volumes.push_back({{"name", kLocalStoreVolume},
                       {"hostPath",
                        {{"path", host_path + "/" + store.container.value_or("")},
                         {"type", "DirectoryOrCreate"}}}});
    mounts.push_back(
        {{"name", kLocalStoreVolume}, {"mountPath", component::local_store_mount_path(etcd)}});
    return std::monostate{};
  }
  if (!mounts_credentials(provider)) return std::monostate{};
  if (!store.secret_ref) {
    return util::unexpected(JobBuildError{
        error_code::kInvalidBackupStore,
        fmt::format("spec.backup.store.secretRef: Required value: the compaction job needs the "
                    "credentials of backup store {}",
                    provider)});
  }
  // No defaultMode, unlike the etcd pod's Secret volumes (upstream's job).
  volumes.push_back({{"name", pod::kProviderBackupSecretVolume},
                     {"secret", {{"secretName", store.secret_ref->name}}}});
  mounts.push_back(
      {{"name", pod::kProviderBackupSecretVolume},
       {"mountPath", provider == provider_name::kGCS ? pod::kGcsBackupSecretPath
                                                     : pod::kProviderBackupSecretPath}});
  return std::monostate{};
}

}  // namespace

util::Expected<std::vector<std::string>, JobBuildError> compaction_job_args(
    const api::Etcd& etcd, const std::string& provider, const std::string& metrics_scrape_wait) {
  std::vector<std::string> args = {
      "compact",
      fmt::format("--data-dir={}", kDataDir),
      fmt::format("--restoration-temp-snapshots-dir={}", kRestorationTempDir),
      fmt::format("--snapstore-temp-directory={}", kSnapstoreTempDir),
      fmt::format("--metrics-scrape-wait-duration={}", metrics_scrape_wait),
      "--enable-snapshot-lease-renewal=true",
      fmt::format("--full-snapshot-lease-name={}", api::full_snapshot_lease_name(etcd)),
      fmt::format("--delta-snapshot-lease-name={}", api::delta_snapshot_lease_name(etcd)),
  };
  auto quota = api::effective::quota(etcd);
  if (!quota) return util::unexpected(invalid_spec(quota.error().reason));
  args.push_back(fmt::format("--embedded-etcd-quota-bytes={}", quota->value()));
  // Only when set: backup-restore's own defaults apply otherwise.
  if (etcd.spec.etcd.etcd_defrag_timeout) {
    auto timeout = go_duration(etcd.spec.etcd.etcd_defrag_timeout, "spec.etcd.etcdDefragTimeout");
    if (!timeout) return util::unexpected(timeout.error());
    args.push_back("--etcd-defrag-timeout=" + *timeout);
  }
  if (etcd.spec.backup.etcd_snapshot_timeout) {
    auto timeout =
        go_duration(etcd.spec.backup.etcd_snapshot_timeout, "spec.backup.etcdSnapshotTimeout");
    if (!timeout) return util::unexpected(timeout.error());
    args.push_back("--etcd-snapshot-timeout=" + *timeout);
  }
  const auto& store = *etcd.spec.backup.store;
  // A store without provider leaves backup-restore its default.
  if (!provider.empty()) args.push_back("--storage-provider=" + provider);
  if (!store.prefix.empty()) args.push_back("--store-prefix=" + store.prefix);
  if (store.container) args.push_back("--store-container=" + *store.container);
  if (store.endpoint_override && !store.endpoint_override->empty()) {
    args.push_back("--store-endpoint-override=" + *store.endpoint_override);
  }
  return args;
}

util::Expected<json, JobBuildError> build_compaction_job(const api::Etcd& etcd,
                                                         const api::ImageVector& images,
                                                         const CompactionJobSettings& settings) {
  if (!api::is_backup_store_enabled(etcd)) {
    return util::unexpected(JobBuildError{error_code::kInvalidBackupStore,
                                          "spec.backup.store: Required value: the Etcd has no "
                                          "backup store to compact"});
  }
  auto provider = component::backup_store_provider(etcd);
  if (!provider) {
    return util::unexpected(JobBuildError{error_code::kInvalidBackupStore, provider.error()});
  }
  auto resolved = api::resolve_etcd_images(etcd, images, settings.upgrade_etcd_version);
  if (!resolved)
    return util::unexpected(JobBuildError{error_code::kImageNotFound, resolved.error()});
  auto args = compaction_job_args(etcd, *provider, settings.metrics_scrape_wait);
  if (!args) return util::unexpected(args.error());
  auto env = component::backup_restore_env(etcd, *provider);
  if (!env) return util::unexpected(JobBuildError{error_code::kInvalidBackupStore, env.error()});
  auto cpu = request(etcd, "cpu", kDefaultCpuRequest);
  if (!cpu) return util::unexpected(cpu.error());
  auto memory = request(etcd, "memory", kDefaultMemoryRequest);
  if (!memory) return util::unexpected(memory.error());

  json volumes = json::array({{{"name", kWorkspaceVolume}, {"emptyDir", json::object()}}});
  json mounts = json::array({{{"name", kWorkspaceVolume}, {"mountPath", pod::kEtcdDataPath}}});
  if (auto added = add_store_volume(etcd, *provider, settings, volumes, mounts); !added) {
    return util::unexpected(added.error());
  }

  json container = {{"name", kCompactBackupContainer},
                    {"image", resolved->etcd_backup_restore},
                    {"imagePullPolicy", "IfNotPresent"},
                    {"args", std::move(*args)},
                    {"env", std::move(*env)},
                    {"resources", {{"requests", {{"cpu", *cpu}, {"memory", *memory}}}}},
                    {"volumeMounts", std::move(mounts)},
                    {"securityContext", {{"allowPrivilegeEscalation", false}}}};
  const std::int64_t deadline = settings.active_deadline.count();
  json pod_metadata = {{"labels", labels(etcd)}};
  if (json annotations = pod_annotations(etcd); !annotations.empty()) {
    pod_metadata["annotations"] = std::move(annotations);
  }
  // No pod securityContext: the image's non-root user, as upstream.
  json pod_spec = {{"activeDeadlineSeconds", deadline},
                   {"terminationGracePeriodSeconds", kTerminationGracePeriodSeconds},
                   {"serviceAccountName", api::service_account_name(etcd)},
                   {"restartPolicy", "Never"},
                   {"containers", json::array({std::move(container)})},
                   {"volumes", std::move(volumes)}};
  return json{
      {"apiVersion", "batch/v1"},
      {"kind", "Job"},
      {"metadata", component::managed_metadata(etcd, api::compaction_job_name(etcd),
                                               api::compaction_job_labels(etcd))},
      {"spec",
       {{"activeDeadlineSeconds", deadline},
        {"completions", 1},
        {"backoffLimit", 0},
        {"template", {{"metadata", std::move(pod_metadata)}, {"spec", std::move(pod_spec)}}}}}};
}

}  // namespace druid::controller::compaction
