#include "apiserver/object_lifecycle.hpp"

#include <algorithm>

#include "apiserver/object_meta_rules.hpp"

namespace druid::testing {
namespace {

using nlohmann::json;

constexpr const char* kNamespacesStorage = "/namespaces";
constexpr const char* kCrdStorage = "apiextensions.k8s.io/customresourcedefinitions";
constexpr int kMaxDepth = 64;

std::string uid_of(const json& object) {
  auto meta = object.find("metadata");
  if (meta == object.end()) return {};
  return meta->value("uid", "");
}

std::vector<std::string> owner_uids(const json& object) {
  std::vector<std::string> out;
  auto meta = object.find("metadata");
  if (meta == object.end() || !meta->contains("ownerReferences")) return out;
  for (const auto& ref : (*meta)["ownerReferences"]) {
    if (ref.is_object() && ref.contains("uid") && ref["uid"].is_string()) {
      out.push_back(ref["uid"].get<std::string>());
    }
  }
  return out;
}

bool has_finalizer(const json& object, const std::string& finalizer) {
  const json& meta = object.at("metadata");
  if (!meta.contains("finalizers")) return false;
  const json& list = meta["finalizers"];
  return std::find(list.begin(), list.end(), json(finalizer)) != list.end();
}

bool has_spec_finalizers(const json& object) {
  return object.contains("spec") && object["spec"].is_object() &&
         object["spec"].contains("finalizers") && !object["spec"]["finalizers"].empty();
}

json condition(const std::string& type, const std::string& reason, const std::string& message,
               const std::string& now) {
  return {{"type", type},
          {"status", "True"},
          {"reason", reason},
          {"message", message},
          {"lastTransitionTime", now}};
}

}  // namespace

ObjectLifecycle::ObjectLifecycle(Store& store, ResourceRegistry& registry, Now now)
    : store_(store), registry_(registry), now_(std::move(now)) {}

ObjectKey ObjectLifecycle::key_of(const ResourceType& type, const json& object) {
  const json& meta = object.at("metadata");
  return {type.storage_key(), type.namespaced ? meta.value("namespace", "") : std::string{},
          meta.value("name", "")};
}

const ResourceType* ObjectLifecycle::type_of(const std::string& storage) const {
  return registry_.find_storage(storage);
}

void ObjectLifecycle::index(const ObjectKey& key, const json* old, const json* now) {
  if (old != nullptr) {
    for (const auto& owner : owner_uids(*old)) {
      auto it = dependents_.find(owner);
      if (it == dependents_.end()) continue;
      it->second.erase(key);
      if (it->second.empty()) dependents_.erase(it);
    }
    if (now == nullptr) by_uid_.erase(uid_of(*old));
  }
  if (now != nullptr) {
    by_uid_[uid_of(*now)] = key;
    for (const auto& owner : owner_uids(*now)) dependents_[owner].insert(key);
  }
}

std::vector<ObjectKey> ObjectLifecycle::dependents_of(const std::string& uid) const {
  auto it = dependents_.find(uid);
  if (it == dependents_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

json ObjectLifecycle::write(const ObjectKey& key, json object) {
  const json* current = store_.get(key);
  json old = current ? *current : json(nullptr);
  const json& stored = store_.update(key, std::move(object));
  index(key, old.is_null() ? nullptr : &old, &stored);
  return stored;
}

const json& ObjectLifecycle::create(const ResourceType& type, json object) {
  ObjectKey key = key_of(type, object);
  const json& stored = store_.create(key, std::move(object));
  index(key, nullptr, &stored);
  if (key.storage == kCrdStorage) establish_crd(key);
  return *store_.get(key);
}

json ObjectLifecycle::update(const ResourceType& type, json object) {
  ObjectKey key = key_of(type, object);
  json stored = write(key, std::move(object));
  if (key.storage == kCrdStorage && !is_deleting(stored)) establish_crd(key);
  settle(key);
  const json* now = store_.get(key);
  return now ? *now : stored;
}

void ObjectLifecycle::establish_crd(const ObjectKey& key) {
  json crd = *store_.get(key);
  registry_.register_crd(crd);
  const json& spec = crd.at("spec");
  json accepted = spec.value("names", json::object());
  if (!accepted.contains("singular")) {
    std::string kind = accepted.value("kind", "");
    std::transform(kind.begin(), kind.end(), kind.begin(), ::tolower);
    accepted["singular"] = kind;
  }
  if (!accepted.contains("listKind")) accepted["listKind"] = accepted.value("kind", "") + "List";
  json stored_versions = json::array();
  for (const auto& v : spec.value("versions", json::array())) {
    if (v.value("storage", false)) stored_versions.push_back(v.value("name", ""));
  }
  json status = crd.value("status", json::object());
  if (status.value("acceptedNames", json()) == accepted &&
      has_finalizer(crd, kCrdCleanupFinalizer) && status.contains("conditions")) {
    return;
  }
  const std::string now = now_();
  status["acceptedNames"] = accepted;
  status["storedVersions"] = stored_versions;
  status["conditions"] =
      json::array({condition("NamesAccepted", "NoConflicts", "no conflicts found", now),
                   condition("Established", "InitialNamesAccepted",
                             "the initial names have been accepted", now)});
  crd["status"] = status;
  if (!has_finalizer(crd, kCrdCleanupFinalizer)) {
    crd["metadata"]["finalizers"].push_back(kCrdCleanupFinalizer);
  }
  write(key, std::move(crd));
}

ObjectLifecycle::DeleteResult ObjectLifecycle::remove(const ObjectKey& key,
                                                      PropagationPolicy policy) {
  const json* current = store_.get(key);
  if (current == nullptr) return {nullptr, true};
  json object = *current;
  const std::string uid = uid_of(object);
  ++depth_;
  struct DepthGuard {
    int& d;
    ~DepthGuard() { --d; }
  } guard{depth_};

  if (key.storage == kNamespacesStorage) {
    if (!is_deleting(object)) {
      mark_deleting(object, now_());
      object["status"]["phase"] = "Terminating";
      write(key, std::move(object));
    }
  } else {
    if (policy == PropagationPolicy::kOrphan) orphan_dependents(uid);
    const bool wait_for_dependents =
        policy == PropagationPolicy::kForeground && !dependents_of(uid).empty();
    if (wait_for_dependents && !has_finalizer(object, kForegroundDeletionFinalizer)) {
      object["metadata"]["finalizers"].push_back(kForegroundDeletionFinalizer);
    }
    if (!has_finalizers(object)) return {erase(key), true};
    if (!is_deleting(object) || wait_for_dependents) {
      mark_deleting(object, now_());
      write(key, std::move(object));
    }
    if (wait_for_dependents && depth_ < kMaxDepth) {
      for (const auto& dependent : dependents_of(uid)) {
        const json* d = store_.get(dependent);
        if (d != nullptr && !is_deleting(*d)) {
          remove(dependent, PropagationPolicy::kBackground);
        }
      }
    }
  }
  settle(key);
  const json* now = store_.get(key);
  if (now != nullptr) return {*now, false};
  auto gone = erased_.find(key);
  return {gone != erased_.end() ? gone->second : json(nullptr), true};
}

json ObjectLifecycle::erase(const ObjectKey& key) {
  json last = store_.erase(key);
  if (last.is_null()) return last;
  if (erased_.size() > 1024) erased_.clear();  // only the latest matter
  erased_[key] = last;
  after_erase(key, last);
  return last;
}

void ObjectLifecycle::after_erase(const ObjectKey& key, const json& last) {
  index(key, &last, nullptr);
  const std::string uid = uid_of(last);
  if (depth_ < kMaxDepth) collect_dependents_of_gone_owner(uid);
  // Owners deleting in the foreground may have been waiting for this object.
  for (const auto& owner : owner_uids(last)) {
    auto it = by_uid_.find(owner);
    // A copy: settling may delete the owner, whose by_uid_ entry goes with it.
    if (it != by_uid_.end()) settle(ObjectKey(it->second));
  }
  if (!key.ns.empty()) {
    ObjectKey ns_key{kNamespacesStorage, "", key.ns};
    if (const json* ns = store_.get(ns_key); ns && is_deleting(*ns)) settle(ns_key);
  }
  if (key.storage == kCrdStorage) {
    const std::string storage =
        last.at("spec").value("group", "") + "/" + last.at("spec").at("names").value("plural", "");
    registry_.unregister_crd(key.name);
    for (const auto& k : store_.keys(storage)) index(k, store_.get(k), nullptr);
    store_.drop_storage(storage);
    return;
  }
  if (const ResourceType* type = type_of(key.storage); type && type->custom) {
    ObjectKey crd_key{kCrdStorage, "", type->crd_name};
    if (const json* crd = store_.get(crd_key); crd && is_deleting(*crd)) settle(crd_key);
  }
}

void ObjectLifecycle::orphan_dependents(const std::string& uid) {
  for (const auto& dependent : dependents_of(uid)) {
    const json* d = store_.get(dependent);
    if (d == nullptr) continue;
    json object = *d;
    json& refs = object["metadata"]["ownerReferences"];
    json kept = json::array();
    for (const auto& ref : refs) {
      if (ref.value("uid", "") != uid) kept.push_back(ref);
    }
    if (kept.empty()) {
      object["metadata"].erase("ownerReferences");
    } else {
      refs = kept;
    }
    write(dependent, std::move(object));
  }
}

void ObjectLifecycle::collect_dependents_of_gone_owner(const std::string& uid) {
  for (const auto& dependent : dependents_of(uid)) {
    const json* d = store_.get(dependent);
    const ResourceType* type = type_of(dependent.storage);
    if (d == nullptr || type == nullptr) continue;
    bool other_owner = false;
    for (const auto& owner : owner_uids(*d)) {
      if (owner != uid && by_uid_.contains(owner)) other_owner = true;
    }
    if (other_owner) {
      orphan_dependents(uid);  // drops the dangling reference only
    } else if (!is_deleting(*d)) {
      remove(dependent, PropagationPolicy::kBackground);
    }
  }
}

bool ObjectLifecycle::has_blocking_dependents(const std::string& uid) const {
  for (const auto& dependent : dependents_of(uid)) {
    const json* d = store_.get(dependent);
    if (d == nullptr) continue;
    for (const auto& ref : d->at("metadata").value("ownerReferences", json::array())) {
      if (ref.value("uid", "") == uid && ref.value("blockOwnerDeletion", false)) return true;
    }
  }
  return false;
}

void ObjectLifecycle::remove_finalizer(const ObjectKey& key, const std::string& finalizer) {
  const json* current = store_.get(key);
  if (current == nullptr) return;
  json object = *current;
  json& list = object["metadata"]["finalizers"];
  list.erase(std::remove(list.begin(), list.end(), json(finalizer)), list.end());
  if (list.empty()) object["metadata"].erase("finalizers");
  write(key, std::move(object));
}

void ObjectLifecycle::settle(const ObjectKey& key) {
  if (depth_ >= kMaxDepth) return;
  ++depth_;
  struct DepthGuard {
    int& d;
    ~DepthGuard() { --d; }
  } guard{depth_};
  const json* current = store_.get(key);
  if (current == nullptr || !is_deleting(*current)) return;
  if (key.storage == kNamespacesStorage) settle_namespace(key);
  if (key.storage == kCrdStorage) settle_crd(key);
  current = store_.get(key);
  if (current == nullptr) return;
  const std::string uid = uid_of(*current);
  if (has_finalizer(*current, kOrphanFinalizer)) {
    orphan_dependents(uid);
    remove_finalizer(key, kOrphanFinalizer);
    current = store_.get(key);
  }
  if (current && has_finalizer(*current, kForegroundDeletionFinalizer) &&
      !has_blocking_dependents(uid)) {
    remove_finalizer(key, kForegroundDeletionFinalizer);
    current = store_.get(key);
  }
  if (current && !has_finalizers(*current) && !has_spec_finalizers(*current)) erase(key);
}

void ObjectLifecycle::settle_namespace(const ObjectKey& key) {
  bool empty = true;
  for (const auto& storage : store_.storages()) {
    const ResourceType* type = type_of(storage);
    if (type == nullptr || !type->namespaced) continue;
    std::vector<ObjectKey> keys;
    for (const json* o : store_.list(storage, key.name)) keys.push_back(key_of(*type, *o));
    for (const auto& k : keys) {
      const json* o = store_.get(k);
      if (o != nullptr && !is_deleting(*o)) remove(k, PropagationPolicy::kBackground);
      if (store_.get(k) != nullptr) empty = false;
    }
  }
  const json* ns = store_.get(key);
  if (empty && ns != nullptr && has_spec_finalizers(*ns)) {
    json object = *ns;
    object["spec"]["finalizers"] = json::array();
    write(key, std::move(object));
  }
}

void ObjectLifecycle::settle_crd(const ObjectKey& key) {
  const json* crd = store_.get(key);
  if (crd == nullptr || !has_finalizer(*crd, kCrdCleanupFinalizer)) return;
  const std::string storage =
      crd->at("spec").value("group", "") + "/" + crd->at("spec").at("names").value("plural", "");
  const ResourceType* type = type_of(storage);
  bool empty = true;
  if (type != nullptr) {
    for (const auto& k : store_.keys(storage)) {
      const json* o = store_.get(k);
      if (o != nullptr && !is_deleting(*o)) remove(k, PropagationPolicy::kBackground);
      if (store_.get(k) != nullptr) empty = false;
    }
  }
  if (empty) remove_finalizer(key, kCrdCleanupFinalizer);
}

}  // namespace druid::testing
