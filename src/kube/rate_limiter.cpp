#include "kube/rate_limiter.hpp"

#include <algorithm>
#include <thread>

namespace druid::kube {
namespace {

class SteadyClock final : public RateLimiterClock {
 public:
  TimePoint now() override { return std::chrono::steady_clock::now(); }
  void sleep_until(TimePoint t) override { std::this_thread::sleep_until(t); }
};

}  // namespace

std::shared_ptr<RateLimiterClock> steady_rate_limiter_clock() {
  return std::make_shared<SteadyClock>();
}

RateLimiter::RateLimiter(double qps, int burst, std::shared_ptr<RateLimiterClock> clock)
    : qps_(qps),
      burst_(std::max(burst, 1)),
      clock_(std::move(clock)),
      tokens_(burst_),
      last_(clock_->now()) {}

void RateLimiter::refill(RateLimiterClock::TimePoint now) {
  if (now <= last_) return;
  std::chrono::duration<double> elapsed = now - last_;
  tokens_ = std::min<double>(burst_, tokens_ + elapsed.count() * qps_);
  last_ = now;
}

RateLimiterClock::TimePoint RateLimiter::reserve() {
  std::lock_guard lock(mu_);
  auto now = clock_->now();
  refill(now);
  // Tokens may go negative: each waiter owns the slot its debt implies, so
  // concurrent callers are spaced 1/qps apart in arrival order.
  tokens_ -= 1;
  if (tokens_ >= 0) return now;
  auto wait = std::chrono::duration<double>(-tokens_ / qps_);
  return last_ + std::chrono::duration_cast<std::chrono::steady_clock::duration>(wait);
}

std::chrono::nanoseconds RateLimiter::acquire() {
  if (qps_ <= 0) return std::chrono::nanoseconds(0);
  auto start = clock_->now();
  auto at = reserve();
  if (at <= start) return std::chrono::nanoseconds(0);
  clock_->sleep_until(at);
  return at - start;
}

bool RateLimiter::try_acquire() {
  if (qps_ <= 0) return true;
  std::lock_guard lock(mu_);
  auto now = clock_->now();
  refill(now);
  if (tokens_ < 1) return false;
  tokens_ -= 1;
  return true;
}

}  // namespace druid::kube
