#pragma once
// Where the backup server finds things: the pod's identity (POD_NAME,
// POD_NAMESPACE, STORAGE_CONTAINER as druid sets them) and the paths a real
// pod has at fixed places, overridable so tests run without /var or /home:
//   ETCD_CONF        the etcd config (default /var/etcd/config/etcd.conf.yaml, as upstream)
//   DATA_VOLUME_DIR  the data volume holding safe_guard (default /var/etcd/data)
//   LOCAL_STORE_ROOT the directory the Local store's container directory lives
//                    in (default /home/nonroot, where druid mounts the hostPath
//                    as /home/nonroot/<container>)
//   HOME             where /config writes etcd.conf.yaml

#include <filesystem>
#include <string>

namespace druid::localenv::backup {

struct BackupServerEnvironment {
  std::string pod_name;
  std::string pod_namespace;
  std::string storage_container;
  std::filesystem::path etcd_conf = "/var/etcd/config/etcd.conf.yaml";
  std::filesystem::path data_volume_dir = "/var/etcd/data";
  std::filesystem::path local_store_root = "/home/nonroot";
  std::filesystem::path home = "/home/nonroot";

  // From this process's environment variables.
  static BackupServerEnvironment from_process();
};

}  // namespace druid::localenv::backup
