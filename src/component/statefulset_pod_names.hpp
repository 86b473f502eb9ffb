#pragma once
// Names and paths inside the etcd pod (upstream's internal/component/statefulset/builder.go,
// internal/component/statefulset/constants.go and internal/common/constants.go): containers,
// volumes, where they are mounted. The StatefulSet builder writes them and the StatefulSet
// component compares the TLS mounts of an existing StatefulSet against them (statefulset_tls.hpp),
// so they are spelled once, here.

namespace druid::component::pod {

// Containers.
inline constexpr const char* kEtcdContainer = "etcd";
inline constexpr const char* kBackupRestoreContainer = "backup-restore";
inline constexpr const char* kChangeBackupBucketPermissionsContainer =
    "change-backup-bucket-permissions";

// Container port names (both containers name their main port "server").
inline constexpr const char* kServerPortName = "server";
inline constexpr const char* kClientPortName = "client";

// Volumes.
inline constexpr const char* kEtcdConfigVolume = "etcd-config-file";
inline constexpr const char* kEtcdCaVolume = "etcd-ca";
inline constexpr const char* kEtcdServerTlsVolume = "etcd-server-tls";
inline constexpr const char* kEtcdClientTlsVolume = "etcd-client-tls";
inline constexpr const char* kEtcdPeerCaVolume = "etcd-peer-ca";
inline constexpr const char* kEtcdPeerServerTlsVolume = "etcd-peer-server-tls";
inline constexpr const char* kBackupRestoreCaVolume = "backup-restore-ca";
inline constexpr const char* kBackupRestoreServerTlsVolume = "backup-restore-server-tls";
inline constexpr const char* kBackupRestoreClientTlsVolume = "backup-restore-client-tls";
inline constexpr const char* kLocalBackupVolume = "local-backup";
inline constexpr const char* kProviderBackupSecretVolume = "etcd-backup-secret";

// Mount paths.
inline constexpr const char* kEtcdDataPath = "/var/etcd/data";
inline constexpr const char* kEtcdConfigPath = "/var/etcd/config/";
inline constexpr const char* kEtcdCaPath = "/var/etcd/ssl/ca";
inline constexpr const char* kEtcdServerTlsPath = "/var/etcd/ssl/server";
inline constexpr const char* kEtcdClientTlsPath = "/var/etcd/ssl/client";
inline constexpr const char* kEtcdPeerCaPath = "/var/etcd/ssl/peer/ca";
inline constexpr const char* kEtcdPeerServerTlsPath = "/var/etcd/ssl/peer/server";
inline constexpr const char* kBackupRestoreCaPath = "/var/etcdbr/ssl/ca";
inline constexpr const char* kBackupRestoreServerTlsPath = "/var/etcdbr/ssl/server";
inline constexpr const char* kGcsBackupSecretPath = "/var/.gcp/";
inline constexpr const char* kProviderBackupSecretPath = "/var/etcd-backup";
// The GCS credentials file inside kGcsBackupSecretPath.
inline constexpr const char* kGcsCredentialsFile = "/var/.gcp/serviceaccount.json";

// The CA file inside a CA mount when tlsCASecretRef.dataKey is unset.
inline constexpr const char* kDefaultCaDataKey = "ca.crt";

// Where a Local store's buckets live on the node when the store secret has
// no `hostPath` key (or there is no secret).
inline constexpr const char* kDefaultLocalBackupHostPath = "/etc/gardener/local-backupbuckets";

// 0640: owner read-write, group read, for every ConfigMap and Secret volume.
inline constexpr int kVolumeDefaultMode = 0640;

}  // namespace druid::component::pod
