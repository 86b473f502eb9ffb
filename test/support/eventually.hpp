#pragma once
// Waiting on conditions with a deadline instead of sleeping: tests poll the
// observable state (an object in the server, a counter, a flag) until it holds.

#include <chrono>
#include <thread>

namespace druid::kube::test {

// Polls `condition` every `interval` (a millisecond by default; longer for
// conditions that cost a network round trip) until it returns true or
// `timeout` passes; returns its last value.
template <class F>
bool eventually(F&& condition, std::chrono::milliseconds timeout = std::chrono::seconds(5),
                std::chrono::milliseconds interval = std::chrono::milliseconds(1)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(interval);
  }
  return condition();
}

// Checks that `condition` stays false for `duration` (for "nothing happens"
// assertions; keep `duration` short).
template <class F>
bool never(F&& condition, std::chrono::milliseconds duration) {
  const auto deadline = std::chrono::steady_clock::now() + duration;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return !condition();
}

}  // namespace druid::kube::test
