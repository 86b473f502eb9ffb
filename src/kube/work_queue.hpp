#pragma once
// client-go's rate-limited work queue for object keys ("namespace/name"):
//  - a key is queued at most once however often it is added (dirty set);
//  - a key being processed is not handed to a second worker; if it is added
//    meanwhile, it is queued again when the first worker calls done();
//  - add_after() delays an add; add_rate_limited() delays it by the key's
//    exponential backoff (base * 2^failures, capped), which forget() resets;
//  - shut_down() wakes every get() (which then returns nullopt at once: queued
//    keys are dropped, the next start relists and reconciles everything anyway).
// Counters for the metrics layer (workqueue_* of client-go) come as a snapshot.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "kube/clock.hpp"

namespace druid::kube {

// A Prometheus-style histogram of durations in seconds: cumulative counts are
// computed by the exporter from the per-bucket counts kept here.
struct DurationHistogram {
  std::vector<double> upper_bounds;    // seconds, ascending; +Inf is implicit
  std::vector<std::uint64_t> buckets;  // observations <= upper_bounds[i] (and > the previous)
  std::uint64_t overflow = 0;          // observations above the last bound
  std::uint64_t count = 0;
  double sum = 0;

  explicit DurationHistogram(std::vector<double> bounds = {});
  void observe(Clock::Duration d);
};

// client-go's workqueue buckets: 1e-8 s .. 10 s in powers of ten.
std::vector<double> work_queue_buckets();

// Per-item exponential backoff (client-go's ItemExponentialFailureRateLimiter).
class ItemExponentialBackoff {
 public:
  ItemExponentialBackoff(Clock::Duration base = std::chrono::milliseconds(10),
                         Clock::Duration max = std::chrono::seconds(15))
      : base_(base), max_(max) {}
  // The delay for this failure of `item`: base, 2*base, 4*base, ... up to max.
  Clock::Duration when(const std::string& item);
  void forget(const std::string& item) { failures_.erase(item); }
  int failures(const std::string& item) const;

 private:
  Clock::Duration base_, max_;
  std::unordered_map<std::string, int> failures_;
};

struct WorkQueueOptions {
  std::string name;  // the metrics label
  Clock::Duration backoff_base = std::chrono::milliseconds(10);
  Clock::Duration backoff_max = std::chrono::seconds(15);
  const Clock* clock = nullptr;  // null: the system clock
};

struct WorkQueueMetrics {
  std::string name;
  std::int64_t depth = 0;                        // queued, not yet handed out
  std::int64_t waiting = 0;                      // delayed adds not yet due
  std::int64_t processing = 0;                   // handed out, not yet done
  std::uint64_t adds_total = 0;                  // add() calls that queued (or re-queued) a key
  std::uint64_t retries_total = 0;               // add_rate_limited() calls
  DurationHistogram queue_duration;              // add -> get
  DurationHistogram work_duration;               // get -> done
  double unfinished_work_seconds = 0;            // sum over keys being processed
  double longest_running_processor_seconds = 0;  // the oldest of them
};

class WorkQueue {
 public:
  explicit WorkQueue(WorkQueueOptions options = {});
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  void add(const std::string& item);
  void add_after(const std::string& item, Clock::Duration delay);
  void add_rate_limited(const std::string& item);
  void forget(const std::string& item);
  int num_requeues(const std::string& item) const;

  // Blocks until a key is due or the queue shuts down (nullopt).
  std::optional<std::string> get();
  // Like get(), giving up after `timeout` (nullopt).
  std::optional<std::string> get_for(Clock::Duration timeout);
  void done(const std::string& item);

  void shut_down();
  bool shutting_down() const;
  std::size_t len() const;  // queued keys (what client-go calls Len)

  WorkQueueMetrics metrics() const;

 private:
  using TimePoint = Clock::TimePoint;
  void add_locked(const std::string& item);
  // Moves due delayed keys into the queue; returns the next due time, if any.
  std::optional<TimePoint> promote_due_locked(TimePoint now);
  std::optional<std::string> get_until(std::optional<TimePoint> deadline);

  const Clock& clock_;
  WorkQueueOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool shutting_down_ = false;

  std::deque<std::string> queue_;                          // FIFO
  std::unordered_set<std::string> dirty_;                  // queued or to be re-queued after done()
  std::unordered_map<std::string, TimePoint> processing_;  // key -> when handed out
  std::unordered_map<std::string, TimePoint> added_at_;    // key -> when queued
  std::map<std::string, TimePoint> waiting_by_item_;       // delayed key -> due time
  std::set<std::pair<TimePoint, std::string>> waiting_;    // ordered by due time

  ItemExponentialBackoff backoff_;
  std::uint64_t adds_total_ = 0;
  std::uint64_t retries_total_ = 0;
  DurationHistogram queue_duration_;
  DurationHistogram work_duration_;
};

}  // namespace druid::kube
