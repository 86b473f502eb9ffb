#include "controller/etcd/predicate.hpp"

#include <string>

#include "api/annotations.hpp"
#include "api/common.hpp"
#include "util/json_access.hpp"

namespace druid::controller::etcd {
namespace {

using nlohmann::json;

bool has_reconcile_annotation(const json& etcd) {
  const json& annotations = util::metadata_of(etcd).value("annotations", json::object());
  for (const char* key : {api::kDruidOperationAnnotation, api::kGardenerOperationAnnotation}) {
    const auto it = annotations.find(key);
    if (it != annotations.end() && it->is_string() && *it == api::kOperationReconcile) return true;
  }
  return false;
}

const json& status_of(const json& etcd) {
  static const json kEmpty = json::object();
  const auto it = etcd.find("status");
  return it != etcd.end() && it->is_object() ? *it : kEmpty;
}

bool never_reconciled(const json& etcd) {
  const json& status = status_of(etcd);
  return status.value("lastOperation", json()).is_null() &&
         status.value("observedGeneration", json()).is_null();
}

bool last_reconcile_succeeded(const json& etcd) {
  const json operation = status_of(etcd).value("lastOperation", json());
  return operation.is_object() &&
         operation.value("type", "") == api::last_operation::kTypeReconcile &&
         operation.value("state", "") == api::last_operation::kStateSucceeded;
}

bool generation_changed(const json& old_etcd, const json& new_etcd) {
  return util::metadata_of(old_etcd).value("generation", json()) !=
         util::metadata_of(new_etcd).value("generation", json());
}

bool deletion_started(const json& old_etcd, const json& new_etcd) {
  return !util::metadata_of(old_etcd).contains("deletionTimestamp") &&
         util::metadata_of(new_etcd).contains("deletionTimestamp");
}

// A value of an operation annotation druid does not act on, newly set: the
// reconcile it starts warns about it (drift_report.cpp).
bool unknown_operation_set(const json& old_etcd, const json& new_etcd) {
  const json& old_annotations = util::metadata_of(old_etcd).value("annotations", json::object());
  const json& new_annotations = util::metadata_of(new_etcd).value("annotations", json::object());
  for (const char* key : {api::kDruidOperationAnnotation, api::kGardenerOperationAnnotation}) {
    const auto now = new_annotations.find(key);
    if (now == new_annotations.end() || !now->is_string() || *now == api::kOperationReconcile) {
      continue;
    }
    const auto before = old_annotations.find(key);
    if (before == old_annotations.end() || *before != *now) return true;
  }
  return false;
}

const json& field_or_null(const json& object, const char* key) {
  static const json kNull;
  const auto it = object.find(key);
  return it != object.end() ? *it : kNull;
}

}  // namespace

bool admits_update(const json& old_etcd, const json& new_etcd, bool auto_reconcile) {
  if (deletion_started(old_etcd, new_etcd)) return true;
  if (unknown_operation_set(old_etcd, new_etcd)) return true;
  const bool changed = generation_changed(old_etcd, new_etcd);
  const bool fresh = never_reconciled(new_etcd);
  if (has_reconcile_annotation(new_etcd) &&
      (last_reconcile_succeeded(new_etcd) || changed || fresh)) {
    return true;
  }
  return auto_reconcile && (changed || fresh);
}

kube::Predicate etcd_predicate(bool auto_reconcile) {
  kube::Predicate predicate;
  predicate.create = [](const json&) { return true; };
  predicate.remove = [](const json&) { return true; };
  predicate.update = [auto_reconcile](const json& old_etcd, const json& new_etcd) {
    return admits_update(old_etcd, new_etcd, auto_reconcile);
  };
  return predicate;
}

kube::Predicate managed_object_predicate(const util::ResourceType& type) {
  kube::Predicate predicate;
  predicate.create = [](const json&) { return false; };
  predicate.remove = [](const json&) { return true; };
  if (type == kube::resources::kStatefulSets) {
    predicate.update = [](const json& old_object, const json& new_object) {
      return field_or_null(old_object, "status") != field_or_null(new_object, "status");
    };
  } else if (type == kube::resources::kLeases) {
    predicate.update = [](const json& old_object, const json& new_object) {
      return field_or_null(field_or_null(old_object, "spec"), "holderIdentity") !=
             field_or_null(field_or_null(new_object, "spec"), "holderIdentity");
    };
  } else {
    predicate.update = [](const json&, const json&) { return false; };
  }
  return predicate;
}

}  // namespace druid::controller::etcd
