#pragma once
// Why the EtcdCopyBackupsTask controller could not create a task's job. The
// message goes to status.lastError; the code says what kind of problem it is,
// so tests and the reconciler tell bad input (the user must change the task)
// from trouble that may pass (an API error).

namespace druid::controller::etcdcopybackupstask::error_code {

// Bad input: retrying cannot help until the task's spec changes.
inline constexpr const char* kUnsupportedStorageProvider = "ERR_UNSUPPORTED_STORAGE_PROVIDER";
inline constexpr const char* kStoreContainerRequired = "ERR_STORE_CONTAINER_REQUIRED";
inline constexpr const char* kStoreSecretRefRequired = "ERR_STORE_SECRET_REF_REQUIRED";
inline constexpr const char* kSameSourceAndTarget = "ERR_SAME_SOURCE_AND_TARGET";
inline constexpr const char* kInvalidWaitForFinalSnapshotTimeout =
    "ERR_INVALID_WAIT_FOR_FINAL_SNAPSHOT_TIMEOUT";
// The operator's image vector lacks an image the job needs.
inline constexpr const char* kImageNotFound = "ERR_IMAGE_NOT_FOUND";

// Trouble that may pass: the reconcile is retried with backoff.
inline constexpr const char* kGetStoreSecret = "ERR_GET_STORE_SECRET";
inline constexpr const char* kCreateJob = "ERR_CREATE_JOB";
inline constexpr const char* kGetJob = "ERR_GET_JOB";

}  // namespace druid::controller::etcdcopybackupstask::error_code
