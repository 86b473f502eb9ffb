#include "api/etcd.hpp"

namespace druid::api {

const Condition* EtcdStatus::condition(const std::string& type) const {
  for (const auto& c : conditions) {
    if (c.type == type) return &c;
  }
  return nullptr;
}

util::Expected<Etcd, FieldErrors> decode_etcd(const nlohmann::json& j) {
  Etcd etcd;
  auto errors = decode_into(j, etcd);
  if (!errors.empty()) return util::unexpected(std::move(errors));
  // An empty apiVersion or kind is an absent one (Go's omitempty reads both
  // alike, and encoding omits ""): the type's own. Otherwise `"kind": ""`
  // re-encoded without kind, which decoded to the default: found by fuzzing
  // (test/fuzz/regressions/etcd_codec).
  if (etcd.api_version.empty()) etcd.api_version = kApiVersion;
  if (etcd.kind.empty()) etcd.kind = kEtcdKind;
  return etcd;
}

nlohmann::json encode_etcd(const Etcd& etcd) {
  return encode(etcd);
}

namespace {

bool operation_in_progress(const Etcd& etcd, const char* type) {
  if (!etcd.status || !etcd.status->last_operation) return false;
  const auto& op = *etcd.status->last_operation;
  return op.type == type &&
         (op.state == last_operation::kStateProcessing || op.state == last_operation::kStateError ||
          op.state == last_operation::kStateRequeue);
}

}  // namespace

bool is_reconciliation_in_progress(const Etcd& etcd) {
  return operation_in_progress(etcd, last_operation::kTypeReconcile);
}

bool is_deletion_in_progress(const Etcd& etcd) {
  return operation_in_progress(etcd, last_operation::kTypeDelete);
}

bool is_backup_store_enabled(const Etcd& etcd) {
  return etcd.spec.backup.store.has_value();
}

}  // namespace druid::api
