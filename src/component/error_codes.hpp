#pragma once
// DruidError codes of the Etcd components (the Err* constants of upstream's
// internal/component/<name>/<name>.go and internal/errors/errors.go), exactly as
// upstream spells them: users and alerts match on the lastErrors codes.

namespace druid::component::error_code {

// Not a failure: the step is retried after 10 s (lastOperation state Requeue).
inline constexpr const char* kRequeueAfter = "ERR_REQUEUE_AFTER";
// Ours: an object druid manages is gone while its spec is not being reconciled
// (lastErrors until the next spec reconcile recreates it).
inline constexpr const char* kManagedObjectMissing = "ERR_MANAGED_OBJECT_MISSING";
// Ours: the spec breaks a rule of the CRD (one a CRD without CEL rules did not enforce) or would
// change what cannot change on a deployed cluster; it is not applied until corrected.
inline constexpr const char* kInvalidSpec = "ERR_INVALID_SPEC";

inline constexpr const char* kGetServiceAccount = "ERR_GET_SERVICE_ACCOUNT";
inline constexpr const char* kSyncServiceAccount = "ERR_SYNC_SERVICE_ACCOUNT";
inline constexpr const char* kDeleteServiceAccount = "ERR_DELETE_SERVICE_ACCOUNT";

inline constexpr const char* kGetRole = "ERR_GET_ROLE";
inline constexpr const char* kSyncRole = "ERR_SYNC_ROLE";
inline constexpr const char* kDeleteRole = "ERR_DELETE_ROLE";

inline constexpr const char* kGetRoleBinding = "ERR_GET_ROLE_BINDING";
inline constexpr const char* kSyncRoleBinding = "ERR_SYNC_ROLE_BINDING";
inline constexpr const char* kDeleteRoleBinding = "ERR_DELETE_ROLE_BINDING";

inline constexpr const char* kGetClientService = "ERR_GET_CLIENT_SERVICE";
inline constexpr const char* kSyncClientService = "ERR_SYNC_CLIENT_SERVICE";
inline constexpr const char* kDeleteClientService = "ERR_DELETE_CLIENT_SERVICE";

inline constexpr const char* kGetPeerService = "ERR_GET_PEER_SERVICE";
inline constexpr const char* kSyncPeerService = "ERR_SYNC_PEER_SERVICE";
inline constexpr const char* kDeletePeerService = "ERR_DELETE_PEER_SERVICE";

inline constexpr const char* kGetPodDisruptionBudget = "ERR_GET_POD_DISRUPTION_BUDGET";
inline constexpr const char* kSyncPodDisruptionBudget = "ERR_SYNC_POD_DISRUPTION_BUDGET";
inline constexpr const char* kDeletePodDisruptionBudget = "ERR_DELETE_POD_DISRUPTION_BUDGET";

inline constexpr const char* kGetConfigMap = "ERR_GET_CONFIGMAP";
inline constexpr const char* kSyncConfigMap = "ERR_SYNC_CONFIGMAP";
inline constexpr const char* kDeleteConfigMap = "ERR_DELETE_CONFIGMAP";

inline constexpr const char* kGetStatefulSet = "ERR_GET_STATEFULSET";
inline constexpr const char* kSyncStatefulSet = "ERR_SYNC_STATEFULSET";
inline constexpr const char* kDeleteStatefulSet = "ERR_DELETE_STATEFULSET";
inline constexpr const char* kGetEtcdOpsTask = "ERR_GET_ETCDOPSTASK";
inline constexpr const char* kCreateEtcdOpsTask = "ERR_CREATE_ETCDOPSTASK";
inline constexpr const char* kGetEtcdWrapperImage = "ERR_GET_ETCD_WRAPPER_IMAGE";

inline constexpr const char* kListMemberLease = "ERR_LIST_MEMBER_LEASE";
inline constexpr const char* kSyncMemberLease = "ERR_SYNC_MEMBER_LEASE";
inline constexpr const char* kDeleteMemberLease = "ERR_DELETE_MEMBER_LEASE";

inline constexpr const char* kGetSnapshotLease = "ERR_GET_SNAPSHOT_LEASE";
inline constexpr const char* kSyncSnapshotLease = "ERR_SYNC_SNAPSHOT_LEASE";
inline constexpr const char* kDeleteSnapshotLease = "ERR_DELETE_SNAPSHOT_LEASE";

}  // namespace druid::component::error_code
