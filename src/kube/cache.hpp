#pragma once
// The indexed object store an informer fills and reconcilers read from.
// Objects are shared immutable JSON: a reader holds a pointer to the version it
// looked up, the informer replaces the pointer on the next event, and nothing
// is copied on either side. One writer (the informer thread), many readers.

#include <cstddef>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "util/label_selector.hpp"

namespace druid::kube {

using ObjectPtr = std::shared_ptr<const nlohmann::json>;

// "namespace/name", or "name" for cluster-scoped objects (client-go's
// MetaNamespaceKeyFunc). Namespaces and names cannot contain '/'.
std::string object_key(std::string_view ns, std::string_view name);
std::string object_key(const nlohmann::json& object);

// How a replace() (a relist) changed the store, for the informer's handlers.
struct CacheDiff {
  std::vector<ObjectPtr> added;
  std::vector<std::pair<ObjectPtr, ObjectPtr>> updated;  // (old, new)
  std::vector<ObjectPtr> deleted;
};

class Cache {
 public:
  Cache() = default;
  Cache(const Cache&) = delete;
  Cache& operator=(const Cache&) = delete;

  // --- writes (the informer) ---
  // Inserts or replaces the object; returns the previous version (null if none).
  ObjectPtr upsert(ObjectPtr object);
  // Removes the object; returns it (null if it was not cached).
  ObjectPtr erase(std::string_view ns, std::string_view name);
  // Makes the store hold exactly `objects` (a fresh list), reporting the changes.
  // An object whose resourceVersion did not change counts as unchanged.
  CacheDiff replace(std::vector<ObjectPtr> objects);

  // --- reads (thread-safe; results are snapshots) ---
  ObjectPtr get(std::string_view ns, std::string_view name) const;
  ObjectPtr get(std::string_view key) const;
  // Objects of `ns` ("" = all namespaces) matching `selector`, sorted by key.
  std::vector<ObjectPtr> list(std::string_view ns = {}, const util::Selector& selector = {}) const;
  // Objects with an ownerReference to `owner_uid`, sorted by key.
  std::vector<ObjectPtr> by_owner(std::string_view owner_uid) const;
  std::vector<std::string> keys() const;
  std::size_t size() const;

 private:
  struct Entry {
    ObjectPtr object;
    util::Labels labels;  // decoded once on write, matched on every selector read
    std::vector<std::string> owner_uids;
  };
  // Callers hold mutex_ exclusively.
  ObjectPtr insert_locked(const std::string& key, ObjectPtr object);
  ObjectPtr erase_locked(const std::string& key);
  // Keys of a requirement the label index can answer alone; null if none can.
  const std::set<std::string>* candidates_locked(const util::Selector& selector,
                                                 std::set<std::string>& scratch) const;

  mutable std::shared_mutex mutex_;
  std::map<std::string, Entry, std::less<>> objects_;  // by key, so namespaces are ranges
  // "labelkey=value" -> object keys; answers the equality requirements of selectors.
  std::unordered_map<std::string, std::set<std::string>> by_label_;
  std::unordered_map<std::string, std::set<std::string>> by_owner_;  // owner uid -> keys
};

}  // namespace druid::kube
