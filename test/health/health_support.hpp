#pragma once
// Builders for the objects the status checks read (leases, pods, StatefulSet,
// PVCs, events), all relative to one fixed instant so timing cases need no clock.

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "api/etcd.hpp"
#include "health/condition_builder.hpp"
#include "health/member_status.hpp"
#include "support/fixtures.hpp"
#include "util/time.hpp"

namespace druid::health {

// Readable failure output for check results.
inline void PrintTo(const CheckResult& r, std::ostream* os) {
  *os << "{" << r.type << ", " << r.status << ", " << r.reason << ", \"" << r.message << "\"}";
}

}  // namespace druid::health

namespace druid::health::testing {

using nlohmann::json;
using namespace std::chrono_literals;

// 2024-05-01T10:00:00Z.
inline util::Time t0() {
  return util::Time{std::chrono::sys_days{std::chrono::year{2024} / 5 / 1}} + 10h;
}
inline std::string rfc3339(util::Time t) {
  return util::format_rfc3339(t);
}
inline std::string micro(util::Time t) {
  return util::format_rfc3339_micro(t);
}

inline ObjectPtr ptr(json object) {
  return std::make_shared<const json>(std::move(object));
}

inline json lease_json(const std::string& name, std::optional<std::string> holder,
                       std::optional<util::Time> renew) {
  json lease = {{"apiVersion", "coordination.k8s.io/v1"},
                {"kind", "Lease"},
                {"metadata", {{"name", name}, {"namespace", druid::test::kTestNamespace}}},
                {"spec", json::object()}};
  if (holder) lease["spec"]["holderIdentity"] = *holder;
  if (renew) lease["spec"]["renewTime"] = micro(*renew);
  return lease;
}
inline ObjectPtr lease(const std::string& name, std::optional<std::string> holder,
                       std::optional<util::Time> renew) {
  return ptr(lease_json(name, std::move(holder), renew));
}

// A pod with a ContainersReady condition ("True"/"False"), or none when empty.
inline ObjectPtr pod(const std::string& name, const std::string& containers_ready) {
  json pod = {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata", {{"name", name}, {"namespace", druid::test::kTestNamespace}}},
              {"status", {{"conditions", json::array()}}}};
  pod["status"]["conditions"].push_back({{"type", "Ready"}, {"status", containers_ready}});
  if (!containers_ready.empty()) {
    pod["status"]["conditions"].push_back(
        {{"type", "ContainersReady"}, {"status", containers_ready}});
  }
  return ptr(pod);
}

inline api::Etcd etcd(int replicas = 3) {
  return druid::test::decode(druid::test::base_etcd_json(replicas));
}

inline api::Etcd etcd_with_store(int replicas = 3) {
  json j = druid::test::base_etcd_json(replicas);
  druid::test::add_store(j, "aws");
  return druid::test::decode(j);
}

inline api::EtcdMemberStatus member(const std::string& name, const std::string& status,
                                    std::string last_transition_time = "") {
  api::EtcdMemberStatus m;
  m.name = name;
  m.status = status;
  m.reason = "x";
  m.last_transition_time = std::move(last_transition_time);
  return m;
}

inline std::vector<api::EtcdMemberStatus> members(std::initializer_list<const char*> statuses) {
  std::vector<api::EtcdMemberStatus> result;
  int i = 0;
  for (const char* status : statuses) {
    result.push_back(member("etcd-main-" + std::to_string(i++), status));
  }
  return result;
}

inline api::Condition condition(const std::string& type, const std::string& status,
                                const std::string& reason = "r", const std::string& message = "m",
                                util::Time at = t0() - 1h) {
  api::Condition c;
  c.type = type;
  c.status = status;
  c.reason = reason;
  c.message = message;
  c.last_transition_time = rfc3339(at);
  c.last_update_time = rfc3339(at);
  return c;
}

// A StatefulSet `etcd-main` controlled by the test Etcd, steady and fully ready.
inline json statefulset_json(int replicas = 3) {
  return {{"apiVersion", "apps/v1"},
          {"kind", "StatefulSet"},
          {"metadata",
           {{"name", druid::test::kTestEtcdName},
            {"namespace", druid::test::kTestNamespace},
            {"generation", 2},
            {"ownerReferences",
             {{{"apiVersion", "druid.gardener.cloud/v1alpha1"},
               {"kind", "Etcd"},
               {"name", druid::test::kTestEtcdName},
               {"uid", druid::test::kTestEtcdUid},
               {"controller", true},
               {"blockOwnerDeletion", true}}}}}},
          {"spec",
           {{"replicas", replicas},
            {"volumeClaimTemplates", {{{"metadata", {{"name", druid::test::kTestEtcdName}}}}}}}},
          {"status",
           {{"observedGeneration", 2},
            {"replicas", replicas},
            {"currentReplicas", replicas},
            {"readyReplicas", replicas},
            {"updatedReplicas", replicas},
            {"currentRevision", "etcd-main-abc"},
            {"updateRevision", "etcd-main-abc"}}}};
}

inline ObjectPtr pvc(const std::string& name, const std::string& phase) {
  return ptr({{"apiVersion", "v1"},
              {"kind", "PersistentVolumeClaim"},
              {"metadata", {{"name", name}, {"namespace", druid::test::kTestNamespace}}},
              {"status", {{"phase", phase}}}});
}

// A Warning event about PVC `pvc_name` seen once at `at` (first = last timestamp).
inline json pvc_event_json(const std::string& name, const std::string& pvc_name,
                           const std::string& message, util::Time at) {
  return {{"apiVersion", "v1"},
          {"kind", "Event"},
          {"metadata", {{"name", name}, {"namespace", druid::test::kTestNamespace}}},
          {"involvedObject",
           {{"apiVersion", "v1"},
            {"kind", "PersistentVolumeClaim"},
            {"name", pvc_name},
            {"namespace", druid::test::kTestNamespace}}},
          {"type", "Warning"},
          {"reason", "FailedAttachVolume"},
          {"message", message},
          {"source", {{"component", "attachdetach-controller"}}},
          {"count", 1},
          {"firstTimestamp", rfc3339(at)},
          {"lastTimestamp", rfc3339(at)}};
}

}  // namespace druid::health::testing
