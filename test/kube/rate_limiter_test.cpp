#include "kube/rate_limiter.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace druid::kube {
namespace {

using namespace std::chrono_literals;

// Time moves only when someone sleeps (or the test advances it).
class FakeClock final : public RateLimiterClock {
 public:
  TimePoint now() override {
    std::lock_guard lock(mu_);
    return now_;
  }
  void sleep_until(TimePoint t) override {
    std::lock_guard lock(mu_);
    if (t > now_) now_ = t;
  }
  void advance(std::chrono::nanoseconds d) {
    std::lock_guard lock(mu_);
    now_ += d;
  }

 private:
  std::mutex mu_;
  TimePoint now_{std::chrono::seconds(1000)};
};

TEST(RateLimiterTest, BurstGoesAtOnceThenOnePerInterval) {
  auto clock = std::make_shared<FakeClock>();
  RateLimiter limiter(10, 5, clock);
  auto start = clock->now();
  for (int i = 0; i < 5; ++i) EXPECT_EQ(limiter.acquire(), 0ns) << i;
  EXPECT_EQ(clock->now(), start);
  for (int i = 1; i <= 5; ++i) {
    EXPECT_EQ(limiter.acquire(), 100ms) << i;
    EXPECT_EQ(clock->now() - start, i * 100ms);
  }
}

TEST(RateLimiterTest, IdleTimeRefillsAtMostBurst) {
  auto clock = std::make_shared<FakeClock>();
  RateLimiter limiter(10, 3, clock);
  for (int i = 0; i < 3; ++i) limiter.acquire();
  clock->advance(10s);  // would be 100 tokens without the cap
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.try_acquire()) << i;
  EXPECT_FALSE(limiter.try_acquire());
  clock->advance(50ms);  // half a token
  EXPECT_FALSE(limiter.try_acquire());
  clock->advance(50ms);
  EXPECT_TRUE(limiter.try_acquire());
}

TEST(RateLimiterTest, NonPositiveQpsDisablesLimiting) {
  auto clock = std::make_shared<FakeClock>();
  RateLimiter limiter(0, 1, clock);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(limiter.acquire(), 0ns);
  EXPECT_TRUE(limiter.try_acquire());
}

TEST(RateLimiterTest, RealClockThrottlesToQpsAfterBurst) {
  RateLimiter limiter(50, 5);
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 5; ++i) limiter.acquire();
  auto after_burst = std::chrono::steady_clock::now() - start;
  for (int i = 0; i < 10; ++i) limiter.acquire();
  auto total = std::chrono::steady_clock::now() - start;
  EXPECT_LT(after_burst, 20ms);
  // 10 requests beyond the burst at 50/s take 200 ms.
  EXPECT_GE(total, 190ms);
  EXPECT_LT(total, 1s);
}

TEST(RateLimiterTest, ConcurrentCallersShareTheBudget) {
  RateLimiter limiter(100, 4);
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) limiter.acquire();
    });
  for (auto& t : threads) t.join();
  auto total = std::chrono::steady_clock::now() - start;
  // 20 requests, 4 free, 16 at 100/s.
  EXPECT_GE(total, 150ms);
  EXPECT_LT(total, 1s);
}

}  // namespace
}  // namespace druid::kube
