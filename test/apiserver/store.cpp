#include "apiserver/store.hpp"

#include <algorithm>

namespace druid::testing {

using nlohmann::json;

std::string_view event_type_name(StoredEvent::Type type) {
  switch (type) {
    case StoredEvent::Type::kAdded:
      return "ADDED";
    case StoredEvent::Type::kModified:
      return "MODIFIED";
    case StoredEvent::Type::kDeleted:
      return "DELETED";
  }
  return "ERROR";
}

void WatchChannel::push(StoredEvent event) {
  {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    queue_.push_back(std::move(event));
  }
  cv_.notify_all();
}

void WatchChannel::close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  cv_.notify_all();
}

bool WatchChannel::closed() const {
  std::lock_guard lock(mutex_);
  return closed_;
}

std::optional<StoredEvent> WatchChannel::pop(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  cv_.wait_until(lock, deadline, [&] { return !queue_.empty() || closed_; });
  if (queue_.empty()) return std::nullopt;
  StoredEvent e = std::move(queue_.front());
  queue_.pop_front();
  return e;
}

const json* Store::get(const ObjectKey& key) const {
  auto type = objects_.find(key.storage);
  if (type == objects_.end()) return nullptr;
  auto it = type->second.find({key.ns, key.name});
  return it == type->second.end() ? nullptr : &it->second;
}

std::vector<const json*> Store::list(const std::string& storage, const std::string& ns) const {
  std::vector<const json*> out;
  auto type = objects_.find(storage);
  if (type == objects_.end()) return out;
  if (ns.empty()) {
    for (const auto& [k, v] : type->second) out.push_back(&v);
    return out;
  }
  for (auto it = type->second.lower_bound({ns, ""});
       it != type->second.end() && it->first.first == ns; ++it) {
    out.push_back(&it->second);
  }
  return out;
}

std::vector<ObjectKey> Store::keys(const std::string& storage) const {
  std::vector<ObjectKey> out;
  auto type = objects_.find(storage);
  if (type == objects_.end()) return out;
  for (const auto& [k, v] : type->second) out.push_back({storage, k.first, k.second});
  return out;
}

std::vector<std::string> Store::storages() const {
  std::vector<std::string> out;
  for (const auto& [k, v] : objects_) out.push_back(k);
  return out;
}

std::int64_t Store::compacted_of(const std::string& storage) const {
  auto it = logs_.find(storage);
  return std::max(it == logs_.end() ? 0 : it->second.compacted, compacted_);
}

std::variant<std::vector<json>, ExpiredVersion> Store::list_at(const std::string& storage,
                                                               const std::string& ns,
                                                               std::int64_t version) const {
  if (version < compacted_of(storage)) return ExpiredVersion{version, compacted_of(storage) + 1};
  std::map<std::pair<std::string, std::string>, json> state;
  for (const json* o : list(storage, ns)) {
    const json& meta = o->at("metadata");
    state[{meta.value("namespace", ""), meta.value("name", "")}] = *o;
  }
  auto log = logs_.find(storage);
  if (log != logs_.end()) {
    // Undo the changes after `version`, newest first.
    for (auto it = log->second.events.rbegin();
         it != log->second.events.rend() && it->resource_version > version; ++it) {
      if (!ns.empty() && it->ns != ns) continue;
      const json& meta = it->object.at("metadata");
      std::pair<std::string, std::string> key{meta.value("namespace", ""), meta.value("name", "")};
      if (it->type == StoredEvent::Type::kAdded) {
        state.erase(key);
      } else {
        state[key] = it->old_object;
      }
    }
  }
  std::vector<json> out;
  out.reserve(state.size());
  for (auto& [k, v] : state) out.push_back(std::move(v));
  return out;
}

const json& Store::create(const ObjectKey& key, json object) {
  const std::int64_t rv = ++resource_version_;
  object["metadata"]["resourceVersion"] = std::to_string(rv);
  json& stored = objects_[key.storage][{key.ns, key.name}];
  stored = std::move(object);
  record(key.storage, {StoredEvent::Type::kAdded, stored, nullptr, rv, key.ns});
  return stored;
}

const json& Store::update(const ObjectKey& key, json object) {
  const std::int64_t rv = ++resource_version_;
  object["metadata"]["resourceVersion"] = std::to_string(rv);
  json& stored = objects_[key.storage][{key.ns, key.name}];
  json old = std::move(stored);
  stored = std::move(object);
  record(key.storage, {StoredEvent::Type::kModified, stored, std::move(old), rv, key.ns});
  return stored;
}

json Store::erase(const ObjectKey& key) {
  auto type = objects_.find(key.storage);
  if (type == objects_.end()) return nullptr;
  auto it = type->second.find({key.ns, key.name});
  if (it == type->second.end()) return nullptr;
  const std::int64_t rv = ++resource_version_;
  json last = std::move(it->second);
  type->second.erase(it);
  json old = last;
  last["metadata"]["resourceVersion"] = std::to_string(rv);
  record(key.storage, {StoredEvent::Type::kDeleted, last, std::move(old), rv, key.ns});
  return last;
}

void Store::drop_storage(const std::string& storage) {
  objects_.erase(storage);
  logs_.erase(storage);
  auto it = watchers_.find(storage);
  if (it == watchers_.end()) return;
  for (auto& w : it->second) {
    if (auto channel = w.lock()) channel->close();
  }
  watchers_.erase(it);
}

void Store::record(const std::string& storage, StoredEvent event) {
  auto& watchers = watchers_[storage];
  std::erase_if(watchers, [](const std::weak_ptr<WatchChannel>& w) { return w.expired(); });
  for (auto& w : watchers) {
    auto channel = w.lock();
    if (channel && (channel->ns().empty() || channel->ns() == event.ns)) channel->push(event);
  }
  TypeLog& log = logs_[storage];
  log.events.push_back(std::move(event));
  while (log.events.size() > event_log_limit_) {
    log.compacted = log.events.front().resource_version;
    log.events.pop_front();
  }
}

std::variant<std::shared_ptr<WatchChannel>, ExpiredVersion> Store::watch(
    const std::string& storage, const std::string& ns, std::int64_t from_version) {
  TypeLog& log = logs_[storage];
  const std::int64_t compacted = compacted_of(storage);
  if (from_version < compacted) return ExpiredVersion{from_version, compacted + 1};
  auto channel = std::make_shared<WatchChannel>(ns);
  for (const auto& e : log.events) {
    if (e.resource_version > from_version && (ns.empty() || e.ns == ns)) channel->push(e);
  }
  watchers_[storage].push_back(channel);
  return channel;
}

void Store::compact() {
  for (auto& [storage, log] : logs_) {
    log.events.clear();
    log.compacted = resource_version_;
  }
  compacted_ = resource_version_;
}

void Store::close_watches() {
  for (auto& [storage, list] : watchers_) {
    for (auto& w : list) {
      if (auto channel = w.lock()) channel->close();
    }
    list.clear();
  }
}

std::size_t Store::open_watches() {
  std::size_t n = 0;
  for (auto& [storage, list] : watchers_) {
    for (auto& w : list) {
      if (auto channel = w.lock(); channel && !channel->closed()) ++n;
    }
  }
  return n;
}

}  // namespace druid::testing
