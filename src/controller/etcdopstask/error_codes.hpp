#pragma once
// The codes the EtcdOpsTask controller writes to status.lastErrors[].code
// (upstream's internal/controller/etcdopstask). Users alert on them: they are
// constants, never built from strings.

namespace druid::controller::etcdopstask::error_code {

inline constexpr const char* kGetEtcd = "ERR_GET_ETCD";
inline constexpr const char* kDuplicateTask = "ERR_DUPLICATE_TASK";
inline constexpr const char* kBackupNotEnabled = "ERR_BACKUP_NOT_ENABLED";
inline constexpr const char* kEtcdNotReady = "ERR_ETCD_NOT_READY";
inline constexpr const char* kGetCaSecret = "ERR_GET_CA_SECRET";
inline constexpr const char* kCaDataKeyNotFound = "ERR_CA_DATA_KEY_NOT_FOUND";
inline constexpr const char* kAppendCaCerts = "ERR_APPEND_CA_CERTS";
inline constexpr const char* kExecuteHttpRequest = "ERR_EXECUTE_HTTP_REQUEST";
inline constexpr const char* kCreateSnapshot = "ERR_CREATE_SNAPSHOT";
inline constexpr const char* kDeleteEtcdOpsTask = "ERR_DELETE_ETCD_OPS_TASK";

}  // namespace druid::controller::etcdopstask::error_code
