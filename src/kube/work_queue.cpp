#include "kube/work_queue.hpp"

#include <algorithm>
#include <cmath>

namespace druid::kube {

DurationHistogram::DurationHistogram(std::vector<double> bounds)
    : upper_bounds(std::move(bounds)), buckets(upper_bounds.size(), 0) {}

void DurationHistogram::observe(Clock::Duration d) {
  const double seconds = std::chrono::duration<double>(d).count();
  ++count;
  sum += seconds;
  auto it = std::lower_bound(upper_bounds.begin(), upper_bounds.end(), seconds);
  if (it == upper_bounds.end()) {
    ++overflow;
  } else {
    ++buckets[static_cast<std::size_t>(it - upper_bounds.begin())];
  }
}

std::vector<double> work_queue_buckets() {
  std::vector<double> bounds;
  for (int exponent = -8; exponent <= 1; ++exponent) bounds.push_back(std::pow(10.0, exponent));
  return bounds;
}

Clock::Duration ItemExponentialBackoff::when(const std::string& item) {
  const int exponent = failures_[item]++;
  // Past 2^40 every realistic base exceeds any realistic max; stop doubling
  // before the arithmetic could overflow.
  if (exponent >= 40) return max_;
  const double delay = static_cast<double>(base_.count()) * std::ldexp(1.0, exponent);
  if (delay >= static_cast<double>(max_.count())) return max_;
  return Clock::Duration(static_cast<Clock::Duration::rep>(delay));
}

int ItemExponentialBackoff::failures(const std::string& item) const {
  auto it = failures_.find(item);
  return it == failures_.end() ? 0 : it->second;
}

WorkQueue::WorkQueue(WorkQueueOptions options)
    : clock_(options.clock != nullptr ? *options.clock : system_clock()),
      options_(std::move(options)),
      backoff_(options_.backoff_base, options_.backoff_max),
      queue_duration_(work_queue_buckets()),
      work_duration_(work_queue_buckets()) {}

void WorkQueue::add_locked(const std::string& item) {
  if (dirty_.contains(item)) return;
  dirty_.insert(item);
  ++adds_total_;
  // A key being processed is queued again by done(), so no two workers ever
  // hold the same key.
  if (processing_.contains(item)) return;
  queue_.push_back(item);
  added_at_[item] = clock_.now();
}

void WorkQueue::add(const std::string& item) {
  {
    std::lock_guard lock(mutex_);
    if (shutting_down_) return;
    add_locked(item);
  }
  cv_.notify_one();
}

void WorkQueue::add_after(const std::string& item, Clock::Duration delay) {
  if (delay <= Clock::Duration::zero()) {
    add(item);
    return;
  }
  {
    std::lock_guard lock(mutex_);
    if (shutting_down_) return;
    const TimePoint due = clock_.now() + delay;
    auto it = waiting_by_item_.find(item);
    if (it != waiting_by_item_.end()) {
      if (it->second <= due) return;  // an earlier add_after wins
      waiting_.erase({it->second, item});
      it->second = due;
    } else {
      waiting_by_item_.emplace(item, due);
    }
    waiting_.emplace(due, item);
  }
  // Waiters may be sleeping until a later due time.
  cv_.notify_all();
}

void WorkQueue::add_rate_limited(const std::string& item) {
  Clock::Duration delay;
  {
    std::lock_guard lock(mutex_);
    if (shutting_down_) return;
    ++retries_total_;
    delay = backoff_.when(item);
  }
  add_after(item, delay);
}

void WorkQueue::forget(const std::string& item) {
  std::lock_guard lock(mutex_);
  backoff_.forget(item);
}

int WorkQueue::num_requeues(const std::string& item) const {
  std::lock_guard lock(mutex_);
  return backoff_.failures(item);
}

std::optional<Clock::TimePoint> WorkQueue::promote_due_locked(TimePoint now) {
  while (!waiting_.empty()) {
    auto first = waiting_.begin();
    if (first->first > now) return first->first;
    std::string item = first->second;
    waiting_.erase(first);
    waiting_by_item_.erase(item);
    add_locked(item);
  }
  return std::nullopt;
}

std::optional<std::string> WorkQueue::get_until(std::optional<TimePoint> deadline) {
  std::unique_lock lock(mutex_);
  while (true) {
    if (shutting_down_) return std::nullopt;
    const TimePoint now = clock_.now();
    std::optional<TimePoint> next_due = promote_due_locked(now);
    if (!queue_.empty()) {
      std::string item = std::move(queue_.front());
      queue_.pop_front();
      processing_[item] = now;
      dirty_.erase(item);
      if (auto it = added_at_.find(item); it != added_at_.end()) {
        queue_duration_.observe(now - it->second);
        added_at_.erase(it);
      }
      return item;
    }
    if (deadline && now >= *deadline) return std::nullopt;
    std::optional<TimePoint> wake = next_due;
    if (deadline && (!wake || *deadline < *wake)) wake = deadline;
    if (wake) {
      clock_.wait_until(cv_, lock, *wake);
    } else {
      cv_.wait(lock);
    }
  }
}

std::optional<std::string> WorkQueue::get() {
  return get_until(std::nullopt);
}

std::optional<std::string> WorkQueue::get_for(Clock::Duration timeout) {
  return get_until(clock_.now() + timeout);
}

void WorkQueue::done(const std::string& item) {
  bool requeued = false;
  {
    std::lock_guard lock(mutex_);
    auto it = processing_.find(item);
    if (it == processing_.end()) return;
    const TimePoint now = clock_.now();
    work_duration_.observe(now - it->second);
    processing_.erase(it);
    if (dirty_.contains(item) && !shutting_down_) {
      queue_.push_back(item);
      added_at_[item] = now;
      requeued = true;
    }
  }
  if (requeued) cv_.notify_one();
}

void WorkQueue::shut_down() {
  {
    std::lock_guard lock(mutex_);
    shutting_down_ = true;
  }
  cv_.notify_all();
}

bool WorkQueue::shutting_down() const {
  std::lock_guard lock(mutex_);
  return shutting_down_;
}

std::size_t WorkQueue::len() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

WorkQueueMetrics WorkQueue::metrics() const {
  std::lock_guard lock(mutex_);
  WorkQueueMetrics m;
  m.name = options_.name;
  m.depth = static_cast<std::int64_t>(queue_.size());
  m.waiting = static_cast<std::int64_t>(waiting_.size());
  m.processing = static_cast<std::int64_t>(processing_.size());
  m.adds_total = adds_total_;
  m.retries_total = retries_total_;
  m.queue_duration = queue_duration_;
  m.work_duration = work_duration_;
  const TimePoint now = clock_.now();
  for (const auto& [item, since] : processing_) {
    const double seconds = std::chrono::duration<double>(now - since).count();
    m.unfinished_work_seconds += seconds;
    m.longest_running_processor_seconds = std::max(m.longest_running_processor_seconds, seconds);
  }
  return m;
}

}  // namespace druid::kube
