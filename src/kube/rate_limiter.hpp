#pragma once
// Client-side request throttling: a token bucket like client-go's
// flowcontrol.NewTokenBucketRateLimiter (golang.org/x/time/rate): `burst`
// requests may go at once, then `qps` per second on average.

#include <chrono>
#include <memory>
#include <mutex>

namespace druid::kube {

// Time source of the limiter; tests inject a fake one so they need not sleep.
class RateLimiterClock {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  virtual ~RateLimiterClock() = default;
  virtual TimePoint now() = 0;
  virtual void sleep_until(TimePoint t) = 0;
};

// The real clock (steady_clock, this_thread::sleep_until).
std::shared_ptr<RateLimiterClock> steady_rate_limiter_clock();

class RateLimiter {
 public:
  // qps <= 0 disables limiting; burst < 1 is treated as 1.
  RateLimiter(double qps, int burst,
              std::shared_ptr<RateLimiterClock> clock = steady_rate_limiter_clock());

  // Blocks until the caller may send one request; returns how long it waited.
  // Callers are served in arrival order (each reserves the next free slot).
  std::chrono::nanoseconds acquire();

  // Takes a token only if one is available now.
  bool try_acquire();

  double qps() const { return qps_; }
  int burst() const { return burst_; }

 private:
  // Reserves one token; returns when it may be used.
  RateLimiterClock::TimePoint reserve();
  // Adds the tokens earned since last_ (caller holds mu_).
  void refill(RateLimiterClock::TimePoint now);

  const double qps_;
  const int burst_;
  std::shared_ptr<RateLimiterClock> clock_;
  std::mutex mu_;
  double tokens_;
  RateLimiterClock::TimePoint last_;
};

}  // namespace druid::kube
