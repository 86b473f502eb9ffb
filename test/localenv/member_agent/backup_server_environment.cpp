#include "localenv/member_agent/backup_server_environment.hpp"

#include <cstdlib>

namespace druid::localenv::backup {
namespace {

std::string env_or(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::string(value) : fallback;
}

}  // namespace

BackupServerEnvironment BackupServerEnvironment::from_process() {
  BackupServerEnvironment env;
  env.pod_name = env_or("POD_NAME", "");
  env.pod_namespace = env_or("POD_NAMESPACE", "");
  env.storage_container = env_or("STORAGE_CONTAINER", "");
  env.etcd_conf = env_or("ETCD_CONF", env.etcd_conf.string());
  env.data_volume_dir = env_or("DATA_VOLUME_DIR", env.data_volume_dir.string());
  env.local_store_root = env_or("LOCAL_STORE_ROOT", env.local_store_root.string());
  env.home = env_or("HOME", env.home.string());
  return env;
}

}  // namespace druid::localenv::backup
