#pragma once
// Time as the runtime sees it, injectable so tests can control it: a monotonic
// clock for deadlines, delays and durations, a wall clock for timestamps
// written into objects (Lease renewTime, Event lastTimestamp), and a way to
// wait on a condition variable until a monotonic deadline.

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "util/time.hpp"

namespace druid::kube {

class Clock {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  using Duration = std::chrono::steady_clock::duration;

  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
  virtual util::Time wall_now() const = 0;
  // Blocks until `cv` is notified or now() >= deadline; may wake spuriously,
  // so callers re-check their condition in a loop.
  virtual void wait_until(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                          TimePoint deadline) const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint now() const override { return std::chrono::steady_clock::now(); }
  util::Time wall_now() const override {
    return std::chrono::time_point_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now());
  }
  void wait_until(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                  TimePoint deadline) const override {
    cv.wait_until(lock, deadline);
  }
};

// The process' real clock. Stateless, so sharing one instance is safe.
inline const Clock& system_clock() {
  static const SystemClock clock;
  return clock;
}

// A clock that moves only when told to. Waiters poll it every millisecond of
// real time (advance() cannot notify condition variables it does not know), which
// is fine for tests and never used in production.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(util::Time wall_start = util::Time{std::chrono::seconds(1'700'000'000)})
      : wall_start_(wall_start) {}

  TimePoint now() const override {
    std::lock_guard lock(mutex_);
    return TimePoint{} + offset_;
  }
  util::Time wall_now() const override {
    std::lock_guard lock(mutex_);
    return wall_start_ + std::chrono::duration_cast<std::chrono::nanoseconds>(offset_);
  }
  void wait_until(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                  TimePoint deadline) const override {
    if (now() >= deadline) return;
    cv.wait_for(lock, std::chrono::milliseconds(1));
  }

  void advance(Duration d) {
    std::lock_guard lock(mutex_);
    offset_ += d;
  }

 private:
  mutable std::mutex mutex_;
  util::Time wall_start_;
  Duration offset_{0};
};

}  // namespace druid::kube
