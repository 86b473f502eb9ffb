#include "kube/cache.hpp"

#include <algorithm>
#include <mutex>
#include <set>

#include "util/json_access.hpp"

namespace druid::kube {

using util::metadata_of;
using util::string_field;

using nlohmann::json;

namespace {

// The string at a dotted path ("involvedObject.name"); "" when a step is
// missing or the value is not a string, as field selectors read absent fields.
std::string field_at(const json& object, std::string_view path) {
  const json* current = &object;
  while (true) {
    const auto dot = path.find('.');
    const std::string_view step = path.substr(0, dot);
    if (!current->is_object()) return {};
    auto it = current->find(step);
    if (it == current->end()) return {};
    current = &*it;
    if (dot == std::string_view::npos) break;
    path.remove_prefix(dot + 1);
  }
  return current->is_string() ? current->get<std::string>() : std::string();
}

template <class Index, class IndexKey>
void unindex(Index& index, const IndexKey& index_key, const std::string* object_key) {
  auto it = index.find(index_key);
  if (it == index.end()) return;
  it->second.erase(object_key);
  if (it->second.empty()) index.erase(it);
}

// The object's string labels, the form selectors match.
util::Labels labels_of(const json& object) {
  util::Labels labels;
  const json& meta = metadata_of(object);
  auto it = meta.find("labels");
  if (it == meta.end() || !it->is_object()) return labels;
  for (const auto& [key, value] : it->items()) {
    if (value.is_string()) labels.emplace(key, value.get<std::string>());
  }
  return labels;
}

std::vector<std::string> owner_uids_of(const json& object) {
  std::vector<std::string> uids;
  const json& meta = metadata_of(object);
  auto it = meta.find("ownerReferences");
  if (it == meta.end() || !it->is_array()) return uids;
  for (const auto& ref : *it) {
    std::string uid = string_field(ref, "uid");
    if (!uid.empty()) uids.push_back(std::move(uid));
  }
  return uids;
}

}  // namespace

std::string object_key(std::string_view ns, std::string_view name) {
  if (ns.empty()) return std::string(name);
  std::string key;
  key.reserve(ns.size() + name.size() + 1);
  key.append(ns).append("/").append(name);
  return key;
}

std::string object_key(const json& object) {
  const json& meta = metadata_of(object);
  return object_key(string_field(meta, "namespace"), string_field(meta, "name"));
}

Cache::Cache(std::vector<std::string> indexed_fields)
    : indexed_fields_(std::move(indexed_fields)), by_field_(indexed_fields_.size()) {}

ObjectPtr Cache::unpack(const Entry& entry) const {
  auto object = packer_.unpack(entry.packed);
  if (!object) return nullptr;
  return std::make_shared<const json>(std::move(*object));
}

void Cache::index_locked(const std::string* key, const json& object) {
  for (const auto& [k, v] : labels_of(object)) {
    by_label_[Label{strings_.acquire(k), strings_.acquire(v)}].insert(key);
  }
  for (const auto& uid : owner_uids_of(object)) by_owner_[strings_.acquire(uid)].insert(key);
  for (std::size_t i = 0; i < indexed_fields_.size(); ++i) {
    by_field_[i][strings_.acquire(field_at(object, indexed_fields_[i]))].insert(key);
  }
}

void Cache::unindex_locked(const std::string* key, const json& object) {
  // Each string was acquired when the same object was indexed, so it is
  // still interned here.
  auto release = [&](const std::string& text) {
    if (const Interned interned = strings_.find(text)) strings_.release(interned);
  };
  for (const auto& [k, v] : labels_of(object)) {
    const Label label{strings_.find(k), strings_.find(v)};
    unindex(by_label_, label, key);
    release(k);
    release(v);
  }
  for (const auto& uid : owner_uids_of(object)) {
    if (const Interned interned = strings_.find(uid)) unindex(by_owner_, interned, key);
    release(uid);
  }
  for (std::size_t i = 0; i < indexed_fields_.size(); ++i) {
    const std::string value = field_at(object, indexed_fields_[i]);
    if (const Interned interned = strings_.find(value)) unindex(by_field_[i], interned, key);
    release(value);
  }
}

void Cache::unindex_everywhere_locked(const std::string* key) {
  // The strings stay interned: without the object there is no telling which
  // were its. Only for bytes that cannot be unpacked, which pack() never makes.
  auto sweep = [&](auto& index) {
    for (auto it = index.begin(); it != index.end();) {
      it->second.erase(key);
      it = it->second.empty() ? index.erase(it) : std::next(it);
    }
  };
  sweep(by_label_);
  sweep(by_owner_);
  for (auto& index : by_field_) sweep(index);
}

ObjectPtr Cache::insert_locked(std::string key, const json& object) {
  ObjectPtr old = erase_locked(key);
  const auto [it, inserted] = objects_.emplace(std::move(key), Entry{packer_.pack(object)});
  index_locked(&it->first, object);
  return old;
}

ObjectPtr Cache::erase_locked(std::string_view key) {
  auto it = objects_.find(key);
  if (it == objects_.end()) return nullptr;
  ObjectPtr old = unpack(it->second);
  if (old) {
    unindex_locked(&it->first, *old);
  } else {
    unindex_everywhere_locked(&it->first);
  }
  objects_.erase(it);
  return old;
}

ObjectPtr Cache::upsert(ObjectPtr object) {
  if (!object) return nullptr;
  std::string key = object_key(*object);
  std::unique_lock lock(mutex_);
  return insert_locked(std::move(key), *object);
}

ObjectPtr Cache::erase(std::string_view ns, std::string_view name) {
  std::string key = object_key(ns, name);
  std::unique_lock lock(mutex_);
  return erase_locked(key);
}

CacheDiff Cache::replace(std::vector<ObjectPtr> objects) {
  CacheDiff diff;
  std::unique_lock lock(mutex_);
  std::set<std::string, std::less<>> seen;
  for (auto& object : objects) {
    if (!object) continue;
    std::string key = object_key(*object);
    seen.insert(key);
    auto it = objects_.find(key);
    if (it != objects_.end()) {
      // Unpacked to compare: relists are rare (410 Gone), reads are not.
      const ObjectPtr cached = unpack(it->second);
      const std::string old_rv =
          cached ? string_field(metadata_of(*cached), "resourceVersion") : std::string();
      if (!old_rv.empty() && old_rv == string_field(metadata_of(*object), "resourceVersion")) {
        continue;
      }
    }
    ObjectPtr old = insert_locked(std::move(key), *object);
    if (old) {
      diff.updated.emplace_back(std::move(old), std::move(object));
    } else {
      diff.added.push_back(std::move(object));
    }
  }
  std::vector<std::string> gone;
  for (const auto& [key, entry] : objects_) {
    if (!seen.contains(key)) gone.push_back(key);
  }
  for (const auto& key : gone) diff.deleted.push_back(erase_locked(key));
  return diff;
}

ObjectPtr Cache::get(std::string_view ns, std::string_view name) const {
  return get(object_key(ns, name));
}

ObjectPtr Cache::get(std::string_view key) const {
  std::shared_lock lock(mutex_);
  auto it = objects_.find(key);
  return it == objects_.end() ? nullptr : unpack(it->second);
}

const Cache::KeySet* Cache::keys_under(const std::map<Interned, KeySet>& index,
                                       std::string_view value) const {
  const Interned interned = strings_.find(value);
  if (interned == nullptr) return nullptr;
  auto it = index.find(interned);
  return it == index.end() ? nullptr : &it->second;
}

const Cache::KeySet* Cache::candidates_locked(const util::Selector& selector,
                                              KeySet& scratch) const {
  using Op = util::SelectorRequirement::Operator;
  static const KeySet kNone;
  auto keys_of = [&](const std::string& key, const std::string& value) -> const KeySet* {
    const Interned k = strings_.find(key);
    const Interned v = strings_.find(value);
    if (k == nullptr || v == nullptr) return nullptr;
    auto it = by_label_.find(Label{k, v});
    return it == by_label_.end() ? nullptr : &it->second;
  };
  const KeySet* best = nullptr;
  for (const auto& requirement : selector.requirements()) {
    if (requirement.op != Op::kEquals && requirement.op != Op::kIn) continue;
    if (requirement.values.size() == 1) {
      const KeySet* keys = keys_of(requirement.key, requirement.values.front());
      if (keys == nullptr) keys = &kNone;
      if (best == nullptr || keys->size() < best->size()) best = keys;
    } else if (best == nullptr) {
      // "in (a,b)": the union of the values' sets, computed only when no
      // single-value requirement narrows the search already.
      for (const auto& value : requirement.values) {
        if (const KeySet* keys = keys_of(requirement.key, value)) {
          scratch.insert_all(*keys);
        }
      }
      best = &scratch;
    }
  }
  return best;
}

std::vector<ObjectPtr> Cache::list(std::string_view ns, const util::Selector& selector) const {
  std::vector<ObjectPtr> out;
  const std::string prefix = ns.empty() ? std::string() : std::string(ns) + "/";
  auto admit = [&](const std::string& key, const Entry& entry) {
    if (!prefix.empty() && !key.starts_with(prefix)) return;
    ObjectPtr object = unpack(entry);
    if (!object || (!selector.empty() && !selector.matches(labels_of(*object)))) return;
    out.push_back(std::move(object));
  };
  std::shared_lock lock(mutex_);
  KeySet scratch;
  if (const KeySet* candidates = candidates_locked(selector, scratch)) {
    for (const std::string* key : *candidates) {
      auto it = objects_.find(*key);
      if (it != objects_.end()) admit(it->first, it->second);
    }
    return out;
  }
  // Keys sort by namespace first, so one namespace is a contiguous range.
  auto it = prefix.empty() ? objects_.begin() : objects_.lower_bound(prefix);
  for (; it != objects_.end(); ++it) {
    if (!prefix.empty() && !it->first.starts_with(prefix)) break;
    admit(it->first, it->second);
  }
  return out;
}

std::vector<ObjectPtr> Cache::list_by_field(std::string_view ns, std::string_view path,
                                            std::string_view value) const {
  std::vector<ObjectPtr> out;
  const std::string prefix = ns.empty() ? std::string() : std::string(ns) + "/";
  std::shared_lock lock(mutex_);
  const auto indexed = std::ranges::find(indexed_fields_, path);
  if (indexed != indexed_fields_.end()) {
    const auto& index = by_field_[static_cast<std::size_t>(indexed - indexed_fields_.begin())];
    const KeySet* keys = keys_under(index, value);
    if (keys == nullptr) return out;
    for (const std::string* key : *keys) {
      if (!key->starts_with(prefix)) continue;
      auto found = objects_.find(*key);
      if (found == objects_.end()) continue;
      if (ObjectPtr object = unpack(found->second)) out.push_back(std::move(object));
    }
    return out;
  }
  auto it = prefix.empty() ? objects_.begin() : objects_.lower_bound(prefix);
  for (; it != objects_.end() && it->first.starts_with(prefix); ++it) {
    ObjectPtr object = unpack(it->second);
    if (object && field_at(*object, path) == value) out.push_back(std::move(object));
  }
  return out;
}

std::vector<ObjectPtr> Cache::by_owner(std::string_view owner_uid) const {
  std::vector<ObjectPtr> out;
  std::shared_lock lock(mutex_);
  const KeySet* keys = keys_under(by_owner_, owner_uid);
  if (keys == nullptr) return out;
  for (const std::string* key : *keys) {
    auto found = objects_.find(*key);
    if (found == objects_.end()) continue;
    if (ObjectPtr object = unpack(found->second)) out.push_back(std::move(object));
  }
  return out;
}

std::vector<std::string> Cache::keys() const {
  std::vector<std::string> out;
  std::shared_lock lock(mutex_);
  out.reserve(objects_.size());
  for (const auto& [key, entry] : objects_) out.push_back(key);
  return out;
}

std::size_t Cache::size() const {
  std::shared_lock lock(mutex_);
  return objects_.size();
}

}  // namespace druid::kube
