#pragma once
// The EtcdCopyBackupsTask custom resource (druid.gardener.cloud/v1alpha1,
// upstream's api/core/v1alpha1/etcdcopybackupstask.go): copy the backups of one store into another.
// The copy job's name lives in api/names.hpp.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "api/codec.hpp"
#include "api/common.hpp"
#include "api/etcd.hpp"
#include "api/object_meta.hpp"
#include "util/expected.hpp"

namespace druid::api {

inline constexpr const char* kEtcdCopyBackupsTaskKind = "EtcdCopyBackupsTask";

// Condition types of an EtcdCopyBackupsTask, mapped from its job's conditions.
namespace copy_backups_condition {
inline constexpr const char* kSucceeded = "Succeeded";
inline constexpr const char* kFailed = "Failed";
}  // namespace copy_backups_condition

struct WaitForFinalSnapshotSpec {
  bool enabled = false;
  // Go duration; "0" or absent means wait forever.
  std::optional<std::string> timeout;
  UnknownFields unknown;
  friend bool operator==(const WaitForFinalSnapshotSpec&,
                         const WaitForFinalSnapshotSpec&) = default;
};

template <class V>
void visit_fields(V& v, WaitForFinalSnapshotSpec& w) {
  v.required("enabled", w.enabled);
  v("timeout", w.timeout);
  v.unknown(w.unknown);
}

struct EtcdCopyBackupsTaskSpec {
  std::map<std::string, std::string> pod_labels;
  StoreSpec source_store;
  StoreSpec target_store;
  std::optional<std::uint32_t> max_backup_age;  // days
  std::optional<std::uint32_t> max_backups;
  std::optional<WaitForFinalSnapshotSpec> wait_for_final_snapshot;
  UnknownFields unknown;
  friend bool operator==(const EtcdCopyBackupsTaskSpec&, const EtcdCopyBackupsTaskSpec&) = default;
};

template <class V>
void visit_fields(V& v, EtcdCopyBackupsTaskSpec& s) {
  v("podLabels", s.pod_labels);
  v.required("sourceStore", s.source_store);
  v.required("targetStore", s.target_store);
  v("maxBackupAge", s.max_backup_age);
  v("maxBackups", s.max_backups);
  v("waitForFinalSnapshot", s.wait_for_final_snapshot);
  v.unknown(s.unknown);
}

struct EtcdCopyBackupsTaskStatus {
  std::vector<Condition> conditions;
  std::optional<std::int64_t> observed_generation;
  std::optional<std::string> last_error;
  UnknownFields unknown;
  friend bool operator==(const EtcdCopyBackupsTaskStatus&,
                         const EtcdCopyBackupsTaskStatus&) = default;

  const Condition* condition(const std::string& type) const;
};

template <class V>
void visit_fields(V& v, EtcdCopyBackupsTaskStatus& s) {
  v("conditions", s.conditions);
  v("observedGeneration", s.observed_generation);
  v("lastError", s.last_error);
  v.unknown(s.unknown);
}

struct EtcdCopyBackupsTask {
  std::string api_version = kApiVersion;
  std::string kind = kEtcdCopyBackupsTaskKind;
  ObjectMeta metadata;
  EtcdCopyBackupsTaskSpec spec;
  std::optional<EtcdCopyBackupsTaskStatus> status;
  UnknownFields unknown;
  friend bool operator==(const EtcdCopyBackupsTask&, const EtcdCopyBackupsTask&) = default;
};

template <class V>
void visit_fields(V& v, EtcdCopyBackupsTask& t) {
  v("apiVersion", t.api_version);
  v("kind", t.kind);
  v("metadata", t.metadata);
  v("spec", t.spec);
  v("status", t.status);
  v.unknown(t.unknown);
}

// Decoding/encoding entry points; decode errors carry field paths.
util::Expected<EtcdCopyBackupsTask, FieldErrors> decode_etcd_copy_backups_task(
    const nlohmann::json& j);
nlohmann::json encode_etcd_copy_backups_task(const EtcdCopyBackupsTask& task);

}  // namespace druid::api
