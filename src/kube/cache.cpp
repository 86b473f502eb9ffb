#include "kube/cache.hpp"

#include <algorithm>
#include <mutex>

#include "util/json_access.hpp"

namespace druid::kube {

using util::metadata_of;
using util::string_field;

using nlohmann::json;

namespace {

util::Labels labels_of(const json& meta) {
  util::Labels labels;
  auto it = meta.find("labels");
  if (it == meta.end() || !it->is_object()) return labels;
  for (const auto& [key, value] : it->items()) {
    if (value.is_string()) labels.emplace(key, value.get<std::string>());
  }
  return labels;
}

std::vector<std::string> owner_uids_of(const json& meta) {
  std::vector<std::string> uids;
  auto it = meta.find("ownerReferences");
  if (it == meta.end() || !it->is_array()) return uids;
  for (const auto& ref : *it) {
    if (!ref.is_object()) continue;
    std::string uid = string_field(ref, "uid");
    if (!uid.empty()) uids.push_back(std::move(uid));
  }
  return uids;
}

std::string label_index_key(std::string_view key, std::string_view value) {
  std::string out;
  out.reserve(key.size() + value.size() + 1);
  out.append(key).append("=").append(value);
  return out;
}

void unindex(std::unordered_map<std::string, std::set<std::string>>& index,
             const std::string& index_key, const std::string& object_key) {
  auto it = index.find(index_key);
  if (it == index.end()) return;
  it->second.erase(object_key);
  if (it->second.empty()) index.erase(it);
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

ObjectPtr Cache::insert_locked(const std::string& key, ObjectPtr object) {
  ObjectPtr old = erase_locked(key);
  const json& meta = metadata_of(*object);
  Entry entry{std::move(object), labels_of(meta), owner_uids_of(meta)};
  for (const auto& [k, v] : entry.labels) by_label_[label_index_key(k, v)].insert(key);
  for (const auto& uid : entry.owner_uids) by_owner_[uid].insert(key);
  objects_.emplace(key, std::move(entry));
  return old;
}

ObjectPtr Cache::erase_locked(const std::string& key) {
  auto it = objects_.find(key);
  if (it == objects_.end()) return nullptr;
  for (const auto& [k, v] : it->second.labels) unindex(by_label_, label_index_key(k, v), key);
  for (const auto& uid : it->second.owner_uids) unindex(by_owner_, uid, key);
  ObjectPtr old = std::move(it->second.object);
  objects_.erase(it);
  return old;
}

ObjectPtr Cache::upsert(ObjectPtr object) {
  if (!object) return nullptr;
  std::string key = object_key(*object);
  std::unique_lock lock(mutex_);
  return insert_locked(key, std::move(object));
}

ObjectPtr Cache::erase(std::string_view ns, std::string_view name) {
  std::string key = object_key(ns, name);
  std::unique_lock lock(mutex_);
  return erase_locked(key);
}

CacheDiff Cache::replace(std::vector<ObjectPtr> objects) {
  CacheDiff diff;
  std::unique_lock lock(mutex_);
  std::set<std::string> seen;
  for (auto& object : objects) {
    if (!object) continue;
    std::string key = object_key(*object);
    seen.insert(key);
    auto it = objects_.find(key);
    if (it != objects_.end()) {
      const std::string old_rv = string_field(metadata_of(*it->second.object), "resourceVersion");
      const std::string new_rv = string_field(metadata_of(*object), "resourceVersion");
      if (!old_rv.empty() && old_rv == new_rv) continue;
    }
    ObjectPtr old = insert_locked(key, object);
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
  return it == objects_.end() ? nullptr : it->second.object;
}

const std::set<std::string>* Cache::candidates_locked(const util::Selector& selector,
                                                      std::set<std::string>& scratch) const {
  using Op = util::SelectorRequirement::Operator;
  static const std::set<std::string> kNone;
  const std::set<std::string>* best = nullptr;
  for (const auto& requirement : selector.requirements()) {
    if (requirement.op != Op::kEquals && requirement.op != Op::kIn) continue;
    if (requirement.values.size() == 1) {
      auto it = by_label_.find(label_index_key(requirement.key, requirement.values.front()));
      const std::set<std::string>* keys = it == by_label_.end() ? &kNone : &it->second;
      if (best == nullptr || keys->size() < best->size()) best = keys;
    } else if (best == nullptr) {
      // "in (a,b)": the union of the values' sets, computed only when no
      // single-value requirement narrows the search already.
      for (const auto& value : requirement.values) {
        auto it = by_label_.find(label_index_key(requirement.key, value));
        if (it != by_label_.end()) scratch.insert(it->second.begin(), it->second.end());
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
    if (!selector.empty() && !selector.matches(entry.labels)) return;
    out.push_back(entry.object);
  };
  std::shared_lock lock(mutex_);
  std::set<std::string> scratch;
  if (const auto* candidates = candidates_locked(selector, scratch)) {
    for (const auto& key : *candidates) {
      auto it = objects_.find(key);
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

std::vector<ObjectPtr> Cache::by_owner(std::string_view owner_uid) const {
  std::vector<ObjectPtr> out;
  std::shared_lock lock(mutex_);
  auto it = by_owner_.find(std::string(owner_uid));
  if (it == by_owner_.end()) return out;
  for (const auto& key : it->second) {
    auto found = objects_.find(key);
    if (found != objects_.end()) out.push_back(found->second.object);
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
