#pragma once
// SIGTERM and SIGINT as a graceful stop request. The signals are blocked in
// the constructing thread, and so in every thread it starts afterwards (create
// this first in main), and a watcher thread takes them with sigtimedwait: no
// signal handler and no global state. The first signal calls the callback;
// a second one ends the process at once with exit code 1, as
// controller-runtime's signal handler does, for a shutdown that hangs.

#include <atomic>
#include <csignal>
#include <functional>
#include <thread>

namespace druid::operator_ {

class StopSignals {
 public:
  StopSignals();
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  // Starts watching; `on_stop` runs on the watcher thread with the signal number.
  void watch(std::function<void(int signal)> on_stop);
  // Ends the watcher thread (signals stay blocked); call before whatever
  // `on_stop` refers to goes away.
  void unwatch();

 private:
  sigset_t signals_{};
  sigset_t previous_mask_{};
  std::atomic<bool> done_{false};
  std::thread watcher_;
};

}  // namespace druid::operator_
