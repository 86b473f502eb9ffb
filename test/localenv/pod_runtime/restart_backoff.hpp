#pragma once
// The kubelet's crash-loop back-off: 10 s after the first crash, doubling,
// capped at 5 minutes (a container that ran 10 minutes resets it; we reset it
// when a container was ready, which is close enough for a local runtime).

#include <algorithm>
#include <chrono>

namespace druid::localenv {

// Delay before restart number `restarts` (1 = the first restart).
inline std::chrono::seconds restart_backoff(int restarts) {
  constexpr std::chrono::seconds kInitial{10}, kMax{300};
  if (restarts <= 1) return kInitial;
  auto delay = kInitial;
  for (int i = 1; i < restarts && delay < kMax; ++i) delay *= 2;
  return std::min(delay, kMax);
}

}  // namespace druid::localenv
