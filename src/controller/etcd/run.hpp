#pragma once
// One reconcile of one Etcd: the object as read, decoded, the component
// context, and the operation record of this run.

#include <nlohmann/json.hpp>
#include <string>

#include "api/etcd.hpp"
#include "component/context.hpp"
#include "controller/etcd/last_operation.hpp"
#include "controller/etcd/reconciler.hpp"

namespace druid::controller::etcd {

struct EtcdReconciler::Run {
  nlohmann::json object;  // the Etcd as read
  api::Etcd etcd;
  component::Context ctx;
  OperationRecord record;
  std::string key;  // namespace/name, for messages
  // The status fields a completed spec reconcile sets (lastOperation
  // Succeeded, lastErrors removed, observedGeneration), written together with
  // the status flow's fields in one patch; null when there are none.
  nlohmann::json completed_spec_status;

  const std::string& ns() const { return etcd.metadata.namespace_; }
  const std::string& name() const { return etcd.metadata.name; }
};

}  // namespace druid::controller::etcd
