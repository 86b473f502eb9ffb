#pragma once
// A ComponentLookup over in-memory objects, with injectable errors, and a
// builder for the requests the decision tests use (the objects and names:
// support/webhook_fixtures.hpp).

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "support/webhook_fixtures.hpp"
#include "webhook/admission_review.hpp"
#include "webhook/component_lookup.hpp"

namespace druid::webhook::test {

class FakeLookup final : public ComponentLookup {
 public:
  std::map<std::string, json> etcds;         // by name, in kNs
  std::map<std::string, json> statefulsets;  // by name, in kNs (whole objects)
  std::optional<std::string> etcd_error;
  std::optional<std::string> statefulset_error;
  std::vector<std::string> calls;  // "get etcd x", "get sts x", "list sts <selector>"

  Lookup<std::optional<json>> get_etcd(const std::string& ns, const std::string& name) override {
    calls.push_back("get etcd " + ns + "/" + name);
    if (etcd_error) return util::unexpected(*etcd_error);
    const auto it = etcds.find(name);
    if (ns != kNs || it == etcds.end()) return std::optional<json>();
    return std::optional<json>(it->second);
  }
  Lookup<json> get_statefulset_metadata(const std::string& ns, const std::string& name) override {
    calls.push_back("get sts " + ns + "/" + name);
    if (statefulset_error) return util::unexpected(*statefulset_error);
    const auto it = statefulsets.find(name);
    if (ns != kNs || it == statefulsets.end()) {
      return util::unexpected("statefulsets.apps \"" + name + "\" not found");
    }
    return it->second["metadata"];
  }
  Lookup<std::vector<json>> list_statefulset_metadata(const std::string& ns,
                                                      const util::Labels& labels) override {
    calls.push_back("list sts " + ns + " " + util::Selector::from_labels(labels).to_string());
    if (statefulset_error) return util::unexpected(*statefulset_error);
    std::vector<json> out;
    if (ns != kNs) return out;
    for (const auto& [name, sts] : statefulsets) {
      const json sts_labels = sts["metadata"].value("labels", json::object());
      bool all = true;
      for (const auto& [k, v] : labels) {
        if (!sts_labels.contains(k) || sts_labels[k] != v) all = false;
      }
      if (all) out.push_back(sts["metadata"]);
    }
    return out;
  }
};

struct Kind {
  std::string group;
  std::string version;
  std::string kind;
  std::string resource;
};
inline const Kind kStatefulSetKind{"apps", "v1", "StatefulSet", "statefulsets"};
inline const Kind kConfigMapKind{"", "v1", "ConfigMap", "configmaps"};
inline const Kind kLeaseKind{"coordination.k8s.io", "v1", "Lease", "leases"};
inline const Kind kPvcKind{"", "v1", "PersistentVolumeClaim", "persistentvolumeclaims"};

// A request for `obj` (object for UPDATE, oldObject for DELETE, both for UPDATE).
inline AdmissionRequest request(const std::string& operation, const Kind& kind, const json& obj,
                                const std::string& user = kUser) {
  AdmissionRequest r;
  r.uid = "uid-1";
  r.kind = {kind.group, kind.version, kind.kind};
  r.resource = {kind.group, kind.version, kind.resource};
  r.name = obj.is_object() ? obj["metadata"].value("name", "") : "";
  r.namespace_ = kNs;
  r.operation = operation;
  r.username = user;
  if (operation == kOperationDelete) {
    r.old_object = obj;
  } else {
    r.object = obj;
    if (operation == kOperationUpdate) r.old_object = obj;
  }
  return r;
}

}  // namespace druid::webhook::test
