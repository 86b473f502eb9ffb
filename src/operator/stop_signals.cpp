#include "operator/stop_signals.hpp"

#include <pthread.h>

#include <cstdlib>
#include <ctime>

namespace druid::operator_ {

StopSignals::StopSignals() {
  sigemptyset(&signals_);
  sigaddset(&signals_, SIGTERM);
  sigaddset(&signals_, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals_, &previous_mask_);
}

StopSignals::~StopSignals() {
  unwatch();
  // A signal that came after unwatch() is pending: take it, or unblocking
  // would end the process with it after a clean shutdown.
  const timespec now{0, 0};
  while (sigtimedwait(&signals_, nullptr, &now) > 0) {
  }
  pthread_sigmask(SIG_SETMASK, &previous_mask_, nullptr);
}

void StopSignals::unwatch() {
  done_ = true;
  if (watcher_.joinable()) watcher_.join();
}

void StopSignals::watch(std::function<void(int signal)> on_stop) {
  watcher_ = std::thread([this, on_stop = std::move(on_stop)] {
    bool stopping = false;
    // A short timeout lets the destructor end the thread without a signal.
    const timespec poll{0, 100'000'000};
    while (!done_) {
      const int signal = sigtimedwait(&signals_, nullptr, &poll);
      if (signal <= 0) continue;
      if (stopping) std::_Exit(1);
      stopping = true;
      on_stop(signal);
    }
  });
}

}  // namespace druid::operator_
