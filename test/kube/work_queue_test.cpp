#include "kube/work_queue.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <set>
#include <thread>

#include "support/eventually.hpp"

namespace druid::kube {
namespace {

using namespace std::chrono_literals;
using test::eventually;

TEST(ItemExponentialBackoffTest, DoublesFromBaseUpToMaxAndForgets) {
  ItemExponentialBackoff backoff(10ms, 15s);
  EXPECT_EQ(backoff.when("a"), Clock::Duration(10ms));
  EXPECT_EQ(backoff.when("a"), Clock::Duration(20ms));
  EXPECT_EQ(backoff.when("a"), Clock::Duration(40ms));
  EXPECT_EQ(backoff.when("b"), Clock::Duration(10ms));  // per item
  EXPECT_EQ(backoff.failures("a"), 3);
  for (int i = 0; i < 20; ++i) backoff.when("a");
  EXPECT_EQ(backoff.when("a"), Clock::Duration(15s));
  for (int i = 0; i < 100; ++i) backoff.when("a");  // no overflow after many failures
  EXPECT_EQ(backoff.when("a"), Clock::Duration(15s));
  backoff.forget("a");
  EXPECT_EQ(backoff.failures("a"), 0);
  EXPECT_EQ(backoff.when("a"), Clock::Duration(10ms));
}

TEST(WorkQueueTest, DeduplicatesAndKeepsOrder) {
  WorkQueue queue;
  queue.add("a");
  queue.add("b");
  queue.add("a");
  queue.add("c");
  EXPECT_EQ(queue.len(), 3u);
  EXPECT_EQ(queue.get(), "a");
  EXPECT_EQ(queue.get(), "b");
  EXPECT_EQ(queue.get(), "c");
  EXPECT_EQ(queue.len(), 0u);
  EXPECT_EQ(queue.metrics().adds_total, 3u);
}

TEST(WorkQueueTest, AKeyAddedWhileProcessingIsProcessedAgainAfterDone) {
  WorkQueue queue;
  queue.add("a");
  ASSERT_EQ(queue.get(), "a");
  queue.add("a");
  queue.add("a");
  // Not handed to a second worker while the first holds it.
  EXPECT_EQ(queue.len(), 0u);
  EXPECT_EQ(queue.get_for(20ms), std::nullopt);
  queue.done("a");
  EXPECT_EQ(queue.len(), 1u);
  EXPECT_EQ(queue.get_for(1s), "a");
  queue.done("a");
  EXPECT_EQ(queue.get_for(20ms), std::nullopt);  // once, not twice
}

TEST(WorkQueueTest, NoKeyIsProcessedByTwoWorkersAtOnce) {
  WorkQueue queue;
  std::mutex mutex;
  std::set<std::string> in_flight;
  std::atomic<int> overlaps{0};
  std::atomic<int> processed{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&] {
      while (auto key = queue.get()) {
        {
          std::lock_guard lock(mutex);
          if (!in_flight.insert(*key).second) ++overlaps;
        }
        std::this_thread::yield();
        {
          std::lock_guard lock(mutex);
          in_flight.erase(*key);
        }
        ++processed;
        queue.done(*key);
      }
    });
  }
  for (int i = 0; i < 5000; ++i) queue.add("k" + std::to_string(i % 8));
  EXPECT_TRUE(eventually([&] { return queue.len() == 0 && queue.metrics().processing == 0; }));
  queue.shut_down();
  for (auto& w : workers) w.join();
  EXPECT_EQ(overlaps, 0);
  EXPECT_GE(processed, 8);
  EXPECT_LE(processed, 5000);
}

TEST(WorkQueueTest, ShutDownUnblocksGetAndIgnoresLaterAdds) {
  WorkQueue queue;
  auto blocked = std::async(std::launch::async, [&] { return queue.get(); });
  EXPECT_EQ(blocked.wait_for(20ms), std::future_status::timeout);
  queue.shut_down();
  ASSERT_EQ(blocked.wait_for(2s), std::future_status::ready);
  EXPECT_EQ(blocked.get(), std::nullopt);
  EXPECT_TRUE(queue.shutting_down());
  queue.add("a");
  queue.add_after("b", 1ms);
  queue.add_rate_limited("c");
  EXPECT_EQ(queue.len(), 0u);
  EXPECT_EQ(queue.get(), std::nullopt);
}

TEST(WorkQueueTest, AddAfterWaitsForTheInjectedClock) {
  FakeClock clock;
  WorkQueue queue(WorkQueueOptions{"delayed", 10ms, 15s, &clock});
  queue.add_after("a", 10s);
  EXPECT_EQ(queue.len(), 0u);
  EXPECT_EQ(queue.metrics().waiting, 1);
  auto got = std::async(std::launch::async, [&] { return queue.get(); });
  EXPECT_EQ(got.wait_for(30ms), std::future_status::timeout);
  clock.advance(9s);
  EXPECT_EQ(got.wait_for(30ms), std::future_status::timeout);
  clock.advance(1s);
  ASSERT_EQ(got.wait_for(2s), std::future_status::ready);
  EXPECT_EQ(got.get(), "a");
  EXPECT_EQ(queue.metrics().waiting, 0);
}

TEST(WorkQueueTest, TheEarliestDelayedAddWins) {
  FakeClock clock;
  WorkQueue queue(WorkQueueOptions{"delayed", 10ms, 15s, &clock});
  queue.add_after("a", 10s);
  queue.add_after("a", 1s);
  queue.add_after("a", 5s);  // later than the pending one: ignored
  clock.advance(1s);
  EXPECT_EQ(queue.get_for(0s), "a");
  queue.done("a");
  clock.advance(10s);
  EXPECT_EQ(queue.get_for(0s), std::nullopt);  // queued once only
}

TEST(WorkQueueTest, RateLimitedAddsBackOffPerItemUntilForgotten) {
  FakeClock clock;
  WorkQueue queue(WorkQueueOptions{"limited", 10ms, 15s, &clock});
  queue.add_rate_limited("a");  // due in 10 ms
  EXPECT_EQ(queue.get_for(0s), std::nullopt);
  clock.advance(10ms);
  ASSERT_EQ(queue.get_for(0s), "a");
  queue.done("a");

  queue.add_rate_limited("a");  // due in 20 ms
  clock.advance(19ms);
  EXPECT_EQ(queue.get_for(0s), std::nullopt);
  clock.advance(1ms);
  ASSERT_EQ(queue.get_for(0s), "a");
  queue.done("a");
  EXPECT_EQ(queue.num_requeues("a"), 2);

  queue.forget("a");
  EXPECT_EQ(queue.num_requeues("a"), 0);
  queue.add_rate_limited("a");  // back to 10 ms
  clock.advance(10ms);
  EXPECT_EQ(queue.get_for(0s), "a");
  EXPECT_EQ(queue.metrics().retries_total, 3u);
}

TEST(WorkQueueTest, MetricsSnapshot) {
  FakeClock clock;
  WorkQueue queue(WorkQueueOptions{"metrics", 10ms, 15s, &clock});
  queue.add("a");
  queue.add("b");
  queue.add("a");
  clock.advance(2s);  // both wait 2 s in the queue
  auto m = queue.metrics();
  EXPECT_EQ(m.name, "metrics");
  EXPECT_EQ(m.depth, 2);
  EXPECT_EQ(m.adds_total, 2u);

  ASSERT_EQ(queue.get_for(0s), "a");
  clock.advance(3s);  // "a" is worked on for 3 s
  m = queue.metrics();
  EXPECT_EQ(m.depth, 1);
  EXPECT_EQ(m.processing, 1);
  EXPECT_DOUBLE_EQ(m.unfinished_work_seconds, 3.0);
  EXPECT_DOUBLE_EQ(m.longest_running_processor_seconds, 3.0);
  EXPECT_EQ(m.queue_duration.count, 1u);
  EXPECT_DOUBLE_EQ(m.queue_duration.sum, 2.0);
  queue.done("a");

  m = queue.metrics();
  EXPECT_EQ(m.work_duration.count, 1u);
  EXPECT_DOUBLE_EQ(m.work_duration.sum, 3.0);
  EXPECT_EQ(m.processing, 0);
  EXPECT_DOUBLE_EQ(m.unfinished_work_seconds, 0.0);
  // 3 s falls into the 10 s bucket (the last bound).
  ASSERT_EQ(m.work_duration.upper_bounds.size(), 10u);
  EXPECT_EQ(m.work_duration.buckets.back(), 1u);
  EXPECT_EQ(m.work_duration.overflow, 0u);
}

TEST(DurationHistogramTest, BucketsAndOverflow) {
  DurationHistogram h({0.1, 1.0});
  h.observe(50ms);
  h.observe(100ms);  // on the bound: le=0.1
  h.observe(500ms);
  h.observe(5s);
  EXPECT_EQ(h.buckets, (std::vector<std::uint64_t>{2, 1}));
  EXPECT_EQ(h.overflow, 1u);
  EXPECT_EQ(h.count, 4u);
  EXPECT_NEAR(h.sum, 5.65, 1e-9);
}

}  // namespace
}  // namespace druid::kube
