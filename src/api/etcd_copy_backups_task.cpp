#include "api/etcd_copy_backups_task.hpp"

namespace druid::api {

const Condition* EtcdCopyBackupsTaskStatus::condition(const std::string& type) const {
  for (const auto& c : conditions) {
    if (c.type == type) return &c;
  }
  return nullptr;
}

util::Expected<EtcdCopyBackupsTask, FieldErrors> decode_etcd_copy_backups_task(
    const nlohmann::json& j) {
  EtcdCopyBackupsTask task;
  auto errors = decode_into(j, task);
  if (!errors.empty()) return util::unexpected(std::move(errors));
  // An empty apiVersion or kind is an absent one (Go's omitempty reads both
  // alike, and encoding omits ""): the type's own. Otherwise `"kind": ""`
  // re-encoded without kind, which decoded to the default: found by fuzzing
  // (test/fuzz/regressions/etcd_codec).
  if (task.api_version.empty()) task.api_version = kApiVersion;
  if (task.kind.empty()) task.kind = kEtcdCopyBackupsTaskKind;
  return task;
}

nlohmann::json encode_etcd_copy_backups_task(const EtcdCopyBackupsTask& task) {
  return encode(task);
}

}  // namespace druid::api
