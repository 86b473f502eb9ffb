#include "apiserver/custom_resource_validation.hpp"

#include "api/validation/etcd_validation.hpp"
#include "api/validation/task_validation.hpp"

namespace druid::testing {

api::FieldErrors validate_custom_resource(const ResourceType& type, const nlohmann::json& object,
                                          const nlohmann::json& old) {
  namespace v = api::validation;
  if (type.group != "druid.gardener.cloud") return {};
  const bool update = !old.is_null();
  if (type.plural == "etcds") {
    // The shipped CRD runs the CEL rules; the one without CEL only its schema.
    const auto checks =
        type.cel_rules ? v::EtcdChecks::kSchemaAndRules : v::EtcdChecks::kSchemaOnly;
    return update ? v::validate_etcd_update(object, old, checks) : v::validate_etcd(object, checks);
  }
  if (type.plural == "etcdcopybackupstasks") {
    return update ? v::validate_etcd_copy_backups_task_update(object, old)
                  : v::validate_etcd_copy_backups_task(object);
  }
  if (type.plural == "etcdopstasks") {
    return update ? v::validate_etcd_ops_task_update(object, old)
                  : v::validate_etcd_ops_task(object);
  }
  return {};
}

}  // namespace druid::testing
