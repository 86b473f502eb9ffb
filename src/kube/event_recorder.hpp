#pragma once
// Records core/v1 Events about objects, as client-go's record.EventRecorder
// does: asynchronously (a reconciler never waits for the API server), never
// failing the caller, and with client-go's EventCorrelator
// (k8s.io/client-go/tools/record/events_cache.go):
//  - aggregation (EventAggregatorByReasonFunc): events that differ only in
//    their message (same source, involved object, type and reason) are
//    grouped. Once `aggregate_max_events` distinct messages were seen in the
//    group, this one included, with no more than `aggregate_interval` between
//    one and the next, the event's message gets the prefix
//    "(combined from similar events): " and it is correlated by the group, so a
//    condition that flaps with a new message each time patches ONE Event
//    instead of flooding the API server with new ones;
//  - correlation: a repeat of the same event (same involved object, type,
//    reason and message, or the same group once aggregated) patches count,
//    lastTimestamp and message of the Event already written instead of
//    creating another one;
//  - a per-object token bucket (the spam filter) drops floods.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <list>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "kube/client.hpp"
#include "kube/clock.hpp"

namespace druid::kube {

enum class EventType { kNormal, kWarning };
std::string_view event_type_name(EventType type);  // "Normal", "Warning"

struct EventRecorderOptions {
  std::string component = "etcd-druid";       // source.component, reportingComponent
  std::string host;                           // source.host, reportingInstance (optional)
  std::size_t queue_limit = 1000;             // pending events beyond this are dropped
  std::size_t correlation_cache_size = 4096;  // remembered events (LRU)
  // Retries of a retryable failure (5xx, 429, transport), then the event is dropped.
  int max_attempts = 5;
  Clock::Duration retry_delay = std::chrono::milliseconds(500);
  // Spam filter: each involved object may emit `spam_burst` events, then one
  // per `spam_refill`.
  int spam_burst = 25;
  Clock::Duration spam_refill = std::chrono::minutes(5);
  // Aggregation: once this many distinct messages were recorded for the same
  // object, type and reason, each at most `aggregate_interval` after the
  // previous one, they are combined into one Event (client-go's defaults:
  // 10 in 600 s). 0 turns aggregation off.
  std::size_t aggregate_max_events = 10;
  Clock::Duration aggregate_interval = std::chrono::minutes(10);
  const Clock* clock = nullptr;  // null: the system clock
};

struct EventRecorderStats {
  std::uint64_t created = 0;     // Events created
  std::uint64_t patched = 0;     // repeats folded into an existing Event
  std::uint64_t dropped = 0;     // queue full, or recorded after stop()
  std::uint64_t filtered = 0;    // spam filter
  std::uint64_t failed = 0;      // gave up after errors
  std::uint64_t aggregated = 0;  // recorded with a combined message (also created/patched)
};

class EventRecorder {
 public:
  EventRecorder(Client& client, EventRecorderOptions options = {});
  ~EventRecorder();
  EventRecorder(const EventRecorder&) = delete;
  EventRecorder& operator=(const EventRecorder&) = delete;

  // `object` is the involved object (apiVersion, kind, metadata name,
  // namespace, uid, resourceVersion are used). Returns at once.
  void event(const nlohmann::json& object, EventType type, std::string_view reason,
             std::string_view message);
  void normal(const nlohmann::json& object, std::string_view reason, std::string_view message) {
    event(object, EventType::kNormal, reason, message);
  }
  void warning(const nlohmann::json& object, std::string_view reason, std::string_view message) {
    event(object, EventType::kWarning, reason, message);
  }

  // Waits until every event recorded so far was written (or given up on);
  // false on timeout.
  bool flush(Clock::Duration timeout);
  // Writes what is pending (one attempt each) and ends the writer thread.
  void stop();

  EventRecorderStats stats() const;

 private:
  struct Pending {
    nlohmann::json involved;  // the involvedObject reference
    std::string type, reason, message;
    util::Time timestamp;
    std::string key;  // correlation key: the event's own, or its aggregate group's
  };
  struct Correlation {
    std::string ns, name;  // of the Event written
    std::int64_t count = 0;
    std::string first_timestamp;
    std::list<const std::string*>::iterator lru;
  };
  // The distinct messages seen for one aggregate group (client-go's
  // aggregateRecord).
  struct Aggregate {
    std::unordered_set<std::string> messages;
    Clock::TimePoint last;  // of the group's latest event
    std::list<const std::string*>::iterator lru;
  };
  struct Bucket {
    double tokens = 0;
    Clock::TimePoint last;
  };

  void run();
  void write(const Pending& pending, bool last_chance);
  // One attempt; true when done (success or a non-retryable failure).
  bool try_write(const Pending& pending);
  bool admit_locked(const std::string& object_key);
  // Applies the aggregator to `pending`, whose aggregate group is `group`:
  // when combined, rewrites its message and key and returns true.
  bool aggregate_locked(Pending& pending, std::string group);
  void remember(const std::string& key, Correlation correlation);
  nlohmann::json new_event(const Pending& pending, const std::string& ns, const std::string& name,
                           std::int64_t count, const std::string& first_timestamp) const;

  Client& client_;
  EventRecorderOptions options_;
  const Clock& clock_;

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;
  bool busy_ = false;  // the writer holds an event taken from queue_
  bool stopping_ = false;
  EventRecorderStats stats_;
  std::unordered_map<std::string, Bucket> buckets_;
  std::unordered_map<std::string, Aggregate> aggregates_;
  // Most recently used first; the keys of aggregates_ (unordered_map nodes do
  // not move), so each group's key is held once.
  std::list<const std::string*> aggregate_lru_;

  // Writer thread only.
  std::uint64_t last_name_suffix_ = 0;  // keeps generated Event names unique
  std::unordered_map<std::string, Correlation> correlations_;
  std::list<const std::string*> lru_;  // most recently used first; keys of correlations_

  std::mutex lifecycle_mutex_;  // stop() may come from several threads
  std::thread thread_;
};

}  // namespace druid::kube
