#pragma once
// The indexed object store an informer fills and reconcilers read from.
// Objects are stored packed (object_packer.hpp: MessagePack deflated against
// the first object of the cache, a few percent of the memory of a parsed JSON
// tree, whose every key and value is a node of its own) and unpacked on each
// read: a reader gets a shared immutable tree of the version
// it looked up and may keep it as long as it likes, while the store holds only
// the bytes. Indexes by label, owner and chosen fields narrow a read to the
// objects it can match before any is unpacked. One writer (the informer
// thread), many readers.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kube/key_set.hpp"
#include "kube/object_packer.hpp"
#include "kube/string_pool.hpp"
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
  // `indexed_fields`: dotted paths of string fields ("involvedObject.name")
  // that list_by_field() answers from an index, as client-go's indexers and
  // controller-runtime's field indexes do.
  explicit Cache(std::vector<std::string> indexed_fields = {});
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

  // --- reads (thread-safe; results are snapshots, unpacked per call) ---
  ObjectPtr get(std::string_view ns, std::string_view name) const;
  ObjectPtr get(std::string_view key) const;
  // Objects of `ns` ("" = all namespaces) matching `selector`, sorted by key.
  std::vector<ObjectPtr> list(std::string_view ns = {}, const util::Selector& selector = {}) const;
  // Objects of `ns` whose string field at the dotted `path` equals `value`
  // (the field selector "path=value"), sorted by key: from the index when
  // `path` is indexed, else by scanning the namespace.
  std::vector<ObjectPtr> list_by_field(std::string_view ns, std::string_view path,
                                       std::string_view value) const;
  // Objects with an ownerReference to `owner_uid`, sorted by key.
  std::vector<ObjectPtr> by_owner(std::string_view owner_uid) const;
  std::vector<std::string> keys() const;
  std::size_t size() const;

 private:
  using Interned = StringPool::Handle;
  // Index entries hold pointers to the objects_ map's keys (key_set.hpp).
  using KeySet = kube::KeySet;
  using Label = std::pair<Interned, Interned>;  // key, value (interned)
  struct LabelLess {  // std::less gives pointers a total order; pair's < does not promise one
    bool operator()(const Label& a, const Label& b) const {
      const std::less<> less;
      return less(a.first, b.first) || (a.first == b.first && less(a.second, b.second));
    }
  };

  // Only the packed object: its labels, owners and indexed fields are read
  // from the object itself when it is indexed and again (unpacked) when it is
  // unindexed, so they take no memory of their own between the two.
  struct Entry {
    std::vector<std::uint8_t> packed;  // packer_'s form of the object
  };
  ObjectPtr unpack(const Entry& entry) const;  // null only if the bytes were damaged
  // Adds `key`'s index entries for `object` (acquiring their strings), or
  // removes them (releasing the strings).
  void index_locked(const std::string* key, const nlohmann::json& object);
  void unindex_locked(const std::string* key, const nlohmann::json& object);
  // Removes `key` from every index, for an object that cannot be unpacked.
  void unindex_everywhere_locked(const std::string* key);
  // Callers hold mutex_ exclusively.
  ObjectPtr insert_locked(std::string key, const nlohmann::json& object);
  ObjectPtr erase_locked(std::string_view key);
  // Keys of a requirement the label index can answer alone; null if none can.
  const KeySet* candidates_locked(const util::Selector& selector, KeySet& scratch) const;
  // The keys indexed under `value` (looked up without interning), or null.
  const KeySet* keys_under(const std::map<Interned, KeySet>& index, std::string_view value) const;

  const std::vector<std::string> indexed_fields_;
  mutable std::shared_mutex mutex_;
  std::map<std::string, Entry, std::less<>> objects_;  // by key, so namespaces are ranges
  ObjectPacker packer_;
  StringPool strings_;  // label keys and values, owner uids, indexed field values
  // (label key, label value) -> object keys; answers equality requirements of selectors.
  std::map<Label, KeySet, LabelLess> by_label_;
  std::map<Interned, KeySet> by_owner_;  // owner uid -> keys
  // One per indexed field: field value -> object keys.
  std::vector<std::map<Interned, KeySet>> by_field_;
};

}  // namespace druid::kube
