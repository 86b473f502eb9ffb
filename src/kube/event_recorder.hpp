#pragma once
// Records core/v1 Events about objects, as client-go's record.EventRecorder
// does: asynchronously (a reconciler never waits for the API server), never
// failing the caller, and with client-go's correlation: a repeat of the same
// event (same involved object, type, reason and message) patches count and
// lastTimestamp of the Event already written instead of creating another one.
// A per-object token bucket (client-go's spam filter) drops floods.

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
  const Clock* clock = nullptr;  // null: the system clock
};

struct EventRecorderStats {
  std::uint64_t created = 0;   // Events created
  std::uint64_t patched = 0;   // repeats folded into an existing Event
  std::uint64_t dropped = 0;   // queue full, or recorded after stop()
  std::uint64_t filtered = 0;  // spam filter
  std::uint64_t failed = 0;    // gave up after errors
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
  };
  struct Correlation {
    std::string ns, name;  // of the Event written
    std::int64_t count = 0;
    std::string first_timestamp;
    std::list<std::string>::iterator lru;
  };
  struct Bucket {
    double tokens = 0;
    Clock::TimePoint last;
  };

  void run();
  void write(const Pending& pending, bool last_chance);
  // One attempt; true when done (success or a non-retryable failure).
  bool try_write(const Pending& pending, const std::string& key);
  bool admit_locked(const std::string& object_key);
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

  // Writer thread only.
  std::uint64_t last_name_suffix_ = 0;  // keeps generated Event names unique
  std::unordered_map<std::string, Correlation> correlations_;
  std::list<std::string> lru_;  // most recently used first

  std::mutex lifecycle_mutex_;  // stop() may come from several threads
  std::thread thread_;
};

}  // namespace druid::kube
