#pragma once
// What etcd-druid leaves in a namespace of the test API server, as two runs that did the same
// thing leave it: every managed object keyed "<resource>/<name>" without the metadata the server
// assigns and without status, and per Etcd its finalizers, observedGeneration and lastOperation
// state. Runs with faults, crashes or restarts are compared with a clean run through it (tests
// and bench/reconcile).

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "apiserver/server.hpp"
#include "support/object_state.hpp"

namespace druid::test {

// The resources etcd-druid creates for Etcds (and the tasks it may create), as the test API
// server names them.
inline const std::vector<std::string>& managed_resources() {
  static const std::vector<std::string> kResources = {"serviceaccounts",
                                                      "roles.rbac.authorization.k8s.io",
                                                      "rolebindings.rbac.authorization.k8s.io",
                                                      "leases.coordination.k8s.io",
                                                      "poddisruptionbudgets.policy",
                                                      "services",
                                                      "configmaps",
                                                      "statefulsets.apps",
                                                      "jobs.batch",
                                                      "etcdopstasks.druid.gardener.cloud"};
  return kResources;
}

// Keys met twice (two objects of one resource and name, which no run should leave) are added to
// `duplicates` when given.
inline nlohmann::json managed_state(druid::testing::TestApiServer& server, const std::string& ns,
                                    std::vector<std::string>* duplicates = nullptr) {
  nlohmann::json state = nlohmann::json::object();
  for (const auto& resource : managed_resources()) {
    for (nlohmann::json object : server.core().list_objects(resource, ns)) {
      strip_volatile(object,
                     {.fields = VolatileFields::kServerAssignedMetadata, .keep_status = false});
      const std::string key = resource + "/" + object["metadata"].value("name", "");
      if (state.contains(key) && duplicates != nullptr) duplicates->push_back(key);
      state[key] = std::move(object);
    }
  }
  for (const auto& etcd : server.core().list_objects("etcds.druid.gardener.cloud", ns)) {
    const auto& meta = etcd["metadata"];
    const auto status = etcd.value("status", nlohmann::json::object());
    state["etcds/" + meta.value("name", "")] = {
        {"finalizers", meta.value("finalizers", nlohmann::json::array())},
        {"observedGeneration", status.value("observedGeneration", 0)},
        {"lastOperation",
         status.value("lastOperation", nlohmann::json::object()).value("state", "")}};
  }
  return state;
}

// How many Etcds of `ns` have converged: lastOperation Succeeded for their current generation.
inline int converged_etcds(druid::testing::TestApiServer& server, const std::string& ns) {
  int done = 0;
  for (const auto& etcd : server.core().list_objects("etcds.druid.gardener.cloud", ns)) {
    const auto status = etcd.value("status", nlohmann::json::object());
    if (status.value("observedGeneration", 0) == etcd["metadata"].value("generation", -1) &&
        status.value("lastOperation", nlohmann::json::object()).value("state", "") == "Succeeded") {
      ++done;
    }
  }
  return done;
}

}  // namespace druid::test
