#pragma once
// Storage writes plus what a cluster's controllers do right after them, done
// synchronously so tests never wait on a background loop:
//  - finalizers: an object marked for deletion goes when its last finalizer does;
//  - the garbage collector: background (dependents go after the owner),
//    foreground (owner waits with the `foregroundDeletion` finalizer until its
//    blocking dependents are gone) and orphan (owner references removed)
//    propagation, and dangling owner references are dropped from objects that
//    still have another owner;
//  - the namespace controller: a terminating namespace empties, then goes;
//  - the CRD controllers: a new CRD is Established with NamesAccepted, its types
//    are served; a deleted CRD first deletes its custom resources.
// Externally synchronised (the API core's mutex).

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "apiserver/resource_registry.hpp"
#include "apiserver/store.hpp"

namespace druid::testing {

enum class PropagationPolicy { kBackground, kForeground, kOrphan };

inline constexpr const char* kForegroundDeletionFinalizer = "foregroundDeletion";
inline constexpr const char* kOrphanFinalizer = "orphan";
inline constexpr const char* kCrdCleanupFinalizer = "customresourcecleanup.apiextensions.k8s.io";

class ObjectLifecycle {
 public:
  using Now = std::function<std::string()>;  // RFC 3339 "now" for timestamps
  ObjectLifecycle(Store& store, ResourceRegistry& registry, Now now);

  // The key of an object of `type` (namespace ignored for cluster-scoped types).
  static ObjectKey key_of(const ResourceType& type, const nlohmann::json& object);

  const nlohmann::json& create(const ResourceType& type, nlohmann::json object);
  // Stores `object` and settles the consequences (e.g. the last finalizer of a
  // deleting object removed: the object goes). Returns the object as stored,
  // or its last state if it went.
  nlohmann::json update(const ResourceType& type, nlohmann::json object);

  struct DeleteResult {
    nlohmann::json object;  // marked for deletion, or the last state
    bool deleted = false;   // gone from storage (versus waiting for finalizers)
  };
  DeleteResult remove(const ObjectKey& key, PropagationPolicy policy);

 private:
  const ResourceType* type_of(const std::string& storage) const;
  void index(const ObjectKey& key, const nlohmann::json* old, const nlohmann::json* now);
  std::vector<ObjectKey> dependents_of(const std::string& uid) const;
  void settle(const ObjectKey& key);
  nlohmann::json erase(const ObjectKey& key);
  void after_erase(const ObjectKey& key, const nlohmann::json& last);
  void orphan_dependents(const std::string& uid);
  void collect_dependents_of_gone_owner(const std::string& uid);
  bool has_blocking_dependents(const std::string& uid) const;
  void remove_finalizer(const ObjectKey& key, const std::string& finalizer);
  void settle_namespace(const ObjectKey& key);
  void settle_crd(const ObjectKey& key);
  void establish_crd(const ObjectKey& key);
  nlohmann::json write(const ObjectKey& key, nlohmann::json object);

  Store& store_;
  ResourceRegistry& registry_;
  Now now_;
  std::map<std::string, ObjectKey> by_uid_;
  std::map<std::string, std::set<ObjectKey>> dependents_;  // owner uid -> dependents
  std::map<ObjectKey, nlohmann::json> erased_;             // last states, for DeleteResult
  int depth_ = 0;                                          // guards against runaway cascades
};

}  // namespace druid::testing
