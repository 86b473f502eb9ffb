#pragma once
// The namespace, users and objects of the webhook and deployment tests:
// Kubernetes objects labelled as etcd-druid manages them, and an Etcd.

#include <nlohmann/json.hpp>
#include <string>

#include "api/labels.hpp"
#include "support/fixtures.hpp"

namespace druid::webhook::test {

using nlohmann::json;

inline constexpr const char* kNs = druid::test::kTestNamespace;
inline constexpr const char* kEtcd = druid::test::kTestEtcdName;
inline constexpr const char* kReconciler = "system:serviceaccount:garden:etcd-druid";
inline constexpr const char* kGarbageCollector =
    "system:serviceaccount:kube-system:generic-garbage-collector";
inline constexpr const char* kUser = "jane";

inline json managed_labels(const std::string& etcd = kEtcd) {
  return {{api::kManagedByLabelKey, api::kManagedByValue}, {api::kPartOfLabelKey, etcd}};
}

inline json object(const std::string& api_version, const std::string& kind, const std::string& name,
                   json labels = managed_labels()) {
  return {{"apiVersion", api_version},
          {"kind", kind},
          {"metadata", {{"name", name}, {"namespace", kNs}, {"labels", std::move(labels)}}}};
}

inline json statefulset(const std::string& name = kEtcd, json labels = managed_labels()) {
  return object("apps/v1", "StatefulSet", name, std::move(labels));
}

// An Etcd in kNs; lastOperation when `op_type` is set.
inline json etcd(json annotations = json::object(), const std::string& op_type = "",
                 const std::string& op_state = "") {
  json e = druid::test::base_etcd_json();
  e["metadata"]["annotations"] = std::move(annotations);
  if (!op_type.empty()) {
    e["status"]["lastOperation"] = {{"type", op_type},
                                    {"state", op_state},
                                    {"description", "test"},
                                    {"runID", "r1"},
                                    {"lastUpdateTime", "2024-01-01T00:00:00Z"}};
  }
  return e;
}

}  // namespace druid::webhook::test
