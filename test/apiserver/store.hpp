#pragma once
// Objects of every type, one global resourceVersion counter and, per type, a
// bounded log of recent changes from which watches replay (like etcd's history
// before compaction). Not internally synchronised: the API core serialises all
// calls with its own mutex. Watch channels are the exception — they are handed
// to streaming threads and lock themselves.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace druid::testing {

struct ObjectKey {
  std::string storage;  // ResourceType::storage_key(): "apps/statefulsets"
  std::string ns;       // "" for cluster-scoped objects
  std::string name;
  friend auto operator<=>(const ObjectKey&, const ObjectKey&) = default;
};

struct StoredEvent {
  enum class Type { kAdded, kModified, kDeleted };
  Type type = Type::kAdded;
  nlohmann::json object;      // the new state; for kDeleted the last state
  nlohmann::json old_object;  // the previous state (null for kAdded)
  std::int64_t resource_version = 0;
  std::string ns;
};

std::string_view event_type_name(StoredEvent::Type type);

// The queue between the store and one open watch.
class WatchChannel {
 public:
  explicit WatchChannel(std::string ns) : ns_(std::move(ns)) {}
  const std::string& ns() const { return ns_; }

  void push(StoredEvent event);
  // Ends the watch from the server side (shutdown, forced disconnect).
  void close();
  bool closed() const;

  // The next event, or nullopt when none arrived before `deadline` or the
  // channel is closed and drained.
  std::optional<StoredEvent> pop(std::chrono::steady_clock::time_point deadline);

 private:
  const std::string ns_;  // "" = all namespaces
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<StoredEvent> queue_;
  bool closed_ = false;
};

// Why a watch cannot start: the requested version is older than the log keeps.
struct ExpiredVersion {
  std::int64_t requested = 0;
  std::int64_t oldest = 0;  // the oldest version the log can still replay from
};

class Store {
 public:
  explicit Store(std::size_t event_log_limit = 10000) : event_log_limit_(event_log_limit) {}

  std::int64_t current_resource_version() const { return resource_version_; }

  const nlohmann::json* get(const ObjectKey& key) const;
  // Objects of one type in key order (namespace, then name); ns "" = all.
  std::vector<const nlohmann::json*> list(const std::string& storage, const std::string& ns) const;
  std::vector<ObjectKey> keys(const std::string& storage) const;
  // The objects of one type as they were at `version` (for consistent list
  // pages), rebuilt from the event log; fails when the log no longer reaches back.
  std::variant<std::vector<nlohmann::json>, ExpiredVersion> list_at(const std::string& storage,
                                                                    const std::string& ns,
                                                                    std::int64_t version) const;
  std::vector<std::string> storages() const;

  // Each write stamps metadata.resourceVersion with the next counter value,
  // records the change and wakes matching watches. Returns the stored object.
  const nlohmann::json& create(const ObjectKey& key, nlohmann::json object);
  const nlohmann::json& update(const ObjectKey& key, nlohmann::json object);
  // Removes the object; the returned last state carries the deletion's version.
  nlohmann::json erase(const ObjectKey& key);
  // Removes every object of a type without recording events (CRD removal drops
  // its objects; watches on them are closed).
  void drop_storage(const std::string& storage);

  // A channel that first receives the logged events after `from_version`, then
  // every new one. Fails when `from_version` is older than the retained log.
  std::variant<std::shared_ptr<WatchChannel>, ExpiredVersion> watch(const std::string& storage,
                                                                    const std::string& ns,
                                                                    std::int64_t from_version);

  // Forgets the event logs, as an etcd compaction does: watches from any
  // version before now then fail with 410.
  void compact();
  void close_watches();
  std::size_t open_watches();

 private:
  struct TypeLog {
    std::deque<StoredEvent> events;
    std::int64_t compacted = 0;  // versions <= this are no longer replayable
  };

  void record(const std::string& storage, StoredEvent event);
  std::int64_t compacted_of(const std::string& storage) const;

  std::map<std::string, std::map<std::pair<std::string, std::string>, nlohmann::json>> objects_;
  std::map<std::string, TypeLog> logs_;
  std::map<std::string, std::vector<std::weak_ptr<WatchChannel>>> watchers_;
  std::int64_t resource_version_ = 1;
  std::int64_t compacted_ = 0;  // set by compact(): applies to every type
  std::size_t event_log_limit_;
};

}  // namespace druid::testing
