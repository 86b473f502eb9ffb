#pragma once
// Why the compaction controller could not do its work, as constants: they are
// the reasons of the Warning Events it records on the Etcd, and users alert on
// them. Upstream has no codes here (it logs and retries). A failed full
// snapshot is reported with the condition's reason, ErrorTriggeringFullSnapshot
// (job_outcome.hpp).

namespace druid::controller::compaction::error_code {

// The Job cannot be built from the Etcd's spec: a store provider druid does
// not know, a cloud store without secretRef, a value that does not parse.
inline constexpr const char* kInvalidBackupStore = "ERR_COMPACTION_INVALID_BACKUP_STORE";
inline constexpr const char* kImageNotFound = "ERR_COMPACTION_IMAGE_NOT_FOUND";
inline constexpr const char* kInvalidSpec = "ERR_COMPACTION_INVALID_SPEC";
// The Local store's Secret (its hostPath key) could not be read.
inline constexpr const char* kLocalStoreSecret = "ERR_COMPACTION_LOCAL_STORE_SECRET";

}  // namespace druid::controller::compaction::error_code
