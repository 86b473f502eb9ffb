#pragma once
// Condition `DataVolumesReady` (upstream's
// internal/health/condition/check_data_volumes_ready.go): surfaces Warning events
// about the etcd data volumes (PVCs `<vct>-<sts>-<ordinal>`) that are not
// Bound, e.g. a failed provisioning or attach, so users see why members do not
// start. For each such PVC the two most recent Warning events are quoted:
//   Warning for PVC <ns>/<pvc>: -> Events:
//   * <source> reported <age> ago: <message>
// with the PVCs joined by "; ". Ages are printed like kubectl does
// (apimachinery's HumanDuration); a repeated event reads
// "<age> ago (x<count> over <age of first>)".

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "api/etcd.hpp"
#include "health/condition_builder.hpp"
#include "health/member_status.hpp"
#include "util/time.hpp"

namespace druid::health {

struct DataVolumeInputs {
  const nlohmann::json* controlled_sts = nullptr;  // null: no StatefulSet controlled by the Etcd
  std::optional<std::string> statefulset_error;    // reading the StatefulSet failed
  const std::vector<ObjectPtr>& pvcs;              // PVCs in the Etcd's namespace
  const std::vector<ObjectPtr>& events;            // events in the Etcd's namespace
  std::optional<std::string> pvcs_error;           // listing PVCs failed
  std::optional<std::string> events_error;         // listing events failed
  util::Time now;
};

CheckResult check_data_volumes_ready(const api::Etcd& etcd, const DataVolumeInputs& in);

// The warning text for the not-Bound PVCs of `sts` ("" when there is none).
std::string pvc_warning_messages(const nlohmann::json& sts, const std::vector<ObjectPtr>& pvcs,
                                 const std::vector<ObjectPtr>& events, util::Time now);

}  // namespace druid::health
