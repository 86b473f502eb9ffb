#pragma once
// An informer keeps a Cache of one resource type in sync with the API server,
// as client-go's reflector + shared informer do: a paginated list, then a watch
// from the list's resourceVersion (with bookmarks so a reconnect resumes from a
// recent version), a fresh list when the server answers 410 Gone, exponential
// backoff on errors, and a periodic resync that re-delivers every cached object
// as an update (so level-triggered controllers revisit everything now and then).
//
// Handlers run on the informer's threads, one call at a time and in event
// order; they should be quick (enqueue a key). A handler gets the object as
// the event or list carried it, and the old version of an update as the cache
// held it (unpacked for the call; see cache.hpp).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "kube/cache.hpp"
#include "kube/client.hpp"
#include "kube/clock.hpp"

namespace druid::kube {

struct BackoffPolicy {
  Clock::Duration initial = std::chrono::milliseconds(800);  // client-go's reflector
  Clock::Duration max = std::chrono::seconds(30);
  double factor = 2.0;
  // Up to this share of the delay is added at random (client-go's reflector: 1.0), so the
  // informers of many processes that lost one API server do not all come back at once.
  double jitter = 1.0;
  // The n-th consecutive failure (n >= 1) waits initial * factor^(n-1), capped.
  Clock::Duration delay(int failures) const;
  // delay(failures) plus up to jitter times as much, drawn from `random`.
  Clock::Duration jittered_delay(int failures, std::minstd_rand& random) const;
};

// Reduces each object before it enters the cache, as controller-runtime's
// cache TransformFunc does: a controller that reads a few fields of a large
// object (a Pod) need not hold the rest. Informers of equal options are shared
// (Manager::informer), so the name is part of that identity: two callers that
// ask for the same data in different forms get two informers.
struct ObjectTransform {
  std::string name;  // "" = none
  std::function<void(nlohmann::json& object)> apply;
};

struct InformerOptions {
  util::ResourceType type;
  std::string ns;              // "" = all namespaces (or a cluster-scoped type)
  std::string label_selector;  // "" = everything
  std::string field_selector;
  // Lists and watches PartialObjectMetadata and keeps only apiVersion, kind
  // and metadata: for types whose payload must neither cross the wire nor sit
  // in memory (Secrets), or is not needed.
  bool metadata_only = false;
  // metadata.managedFields (server-side apply) and the annotation
  // kubectl.kubernetes.io/last-applied-configuration (client-side apply, a
  // second copy of the whole object) are bookkeeping that readers never need;
  // dropping them roughly halves the memory of small objects.
  bool strip_apply_bookkeeping = true;
  ObjectTransform transform;  // after the two reductions above
  // Dotted string fields the cache indexes for Cache::list_by_field.
  std::vector<std::string> indexed_fields;
  std::int64_t page_size = 500;      // list page size (limit/continue); <= 0: one request
  Clock::Duration resync_period{0};  // 0: no resync
  BackoffPolicy backoff;
  // Server-side watch timeout; each watch picks a value in [min, 2*min) so the
  // informers of a process do not reconnect in lockstep (as client-go does).
  std::chrono::seconds min_watch_timeout{300};
  const Clock* clock = nullptr;  // null: the system clock
};

struct EventHandlers {
  std::function<void(const ObjectPtr& object)> on_add;
  std::function<void(const ObjectPtr& old_object, const ObjectPtr& new_object)> on_update;
  std::function<void(const ObjectPtr& object)> on_delete;
};

struct InformerStats {
  std::uint64_t lists = 0;    // completed (all pages) lists
  std::uint64_t relists = 0;  // lists after the first, e.g. after 410 Gone
  std::uint64_t watches = 0;  // watch requests started
  std::uint64_t events = 0;   // watch events received (bookmarks included)
  std::uint64_t errors = 0;   // failed list/watch requests
  std::uint64_t resyncs = 0;
};

class Informer {
 public:
  Informer(Client& client, InformerOptions options);
  ~Informer();
  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  // Handlers added after the first list are first sent an on_add for every
  // cached object, as client-go does for late handlers.
  void add_handlers(EventHandlers handlers);

  void start();
  // Ends the watch (the client notices within ~100 ms), joins the threads.
  void stop();

  // True once the first list is in the cache and its adds were delivered.
  bool has_synced() const { return synced_.load(); }
  // Waits for has_synced(), at most `timeout`; false when it did not happen
  // (or the informer was stopped).
  bool wait_for_sync(Clock::Duration timeout) const;

  const Cache& cache() const { return cache_; }
  const InformerOptions& options() const { return options_; }
  // The version the next watch resumes from ("" before the first list).
  std::string resource_version() const;
  InformerStats stats() const;

 private:
  void run();
  void run_resync();
  // One paginated list into the cache; false on error (already logged).
  bool list_and_replace();
  // Watches from resource_version_ until the stream ends; returns false when
  // the informer must relist (410 Gone).
  bool watch_once();
  void handle_event(const WatchEvent& event);
  ObjectPtr prepare(nlohmann::json object) const;
  // Waits `delay` or until stop; false when stopped.
  bool pause(Clock::Duration delay);
  void count(std::uint64_t InformerStats::*field);

  template <class F>
  void dispatch(F&& call);

  Client& client_;
  InformerOptions options_;
  const Clock& clock_;
  Cache cache_;

  std::atomic<bool> stop_{false};
  std::atomic<bool> synced_{false};
  mutable std::mutex mutex_;  // guards the fields below and pairs with cv_
  mutable std::condition_variable cv_;
  std::string resource_version_;
  InformerStats stats_;

  // Serialises handler calls of the watch and resync threads, and handler
  // registration (so a late handler's replay does not interleave with events).
  std::mutex dispatch_mutex_;
  std::vector<EventHandlers> handlers_;

  std::minstd_rand random_;  // watch timeouts; used by the informer thread only
  int failures_ = 0;         // consecutive list/watch failures; informer thread only

  std::mutex lifecycle_mutex_;  // start() and stop() may come from different threads
  std::thread thread_;
  std::thread resync_thread_;
};

}  // namespace druid::kube
