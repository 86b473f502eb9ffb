#include "kube/stream_multiplexer.hpp"

#include <curl/curl.h>
#include <spdlog/spdlog.h>

namespace druid::kube {
namespace {

// How long the thread waits in curl_multi_poll when nothing happens; commands
// wake it at once (curl_multi_wakeup), so this only bounds a lost wake-up.
constexpr int kIdlePollMillis = 1000;

}  // namespace

StreamMultiplexer::StreamMultiplexer() {
  CURLM* multi = curl_multi_init();
  if (multi == nullptr) return;
  // HTTP/2 streams of one connection rather than a connection each.
  curl_multi_setopt(multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
  multi_ = multi;
  thread_ = std::thread([this] { run(); });
}

StreamMultiplexer::~StreamMultiplexer() {
  if (multi_ == nullptr) return;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  curl_multi_wakeup(static_cast<CURLM*>(multi_));
  thread_.join();
  curl_multi_cleanup(static_cast<CURLM*>(multi_));
}

bool StreamMultiplexer::add(void* easy, std::function<void(int)> on_done) {
  if (multi_ == nullptr) return false;
  post({Command::kAdd, easy, std::move(on_done)});
  return true;
}

void StreamMultiplexer::remove(void* easy) {
  post({Command::kRemove, easy, {}});
}

void StreamMultiplexer::resume(void* easy) {
  post({Command::kResume, easy, {}});
}

void StreamMultiplexer::post(Pending pending) {
  {
    std::lock_guard lock(mutex_);
    pending_.push_back(std::move(pending));
  }
  curl_multi_wakeup(static_cast<CURLM*>(multi_));
}

void StreamMultiplexer::run() {
  auto* multi = static_cast<CURLM*>(multi_);
  const auto finish = [&](CURL* easy, int result) {
    auto it = running_.find(easy);
    if (it == running_.end()) return;
    curl_multi_remove_handle(multi, easy);
    auto on_done = std::move(it->second);
    running_.erase(it);
    on_done(result);
  };
  for (;;) {
    std::vector<Pending> commands;
    bool stopping = false;
    {
      std::lock_guard lock(mutex_);
      commands.swap(pending_);
      stopping = stopping_;
    }
    for (auto& command : commands) {
      auto* easy = static_cast<CURL*>(command.easy);
      switch (command.command) {
        case Command::kAdd:
          if (const CURLMcode code = curl_multi_add_handle(multi, easy); code != CURLM_OK) {
            command.on_done(static_cast<int>(CURLE_FAILED_INIT));
          } else {
            running_.emplace(easy, std::move(command.on_done));
          }
          break;
        case Command::kRemove:
          finish(easy, kRemoved);
          break;
        case Command::kResume:
          if (running_.contains(easy)) curl_easy_pause(easy, CURLPAUSE_CONT);
          break;
      }
    }
    if (stopping) {
      while (!running_.empty()) finish(static_cast<CURL*>(running_.begin()->first), kRemoved);
      return;
    }
    int active = 0;
    if (const CURLMcode code = curl_multi_perform(multi, &active); code != CURLM_OK) {
      // Only a broken multi handle fails here; every transfer ends so that its
      // consumer reconnects (a watch restarts from its resourceVersion).
      spdlog::error("watch streams: curl_multi_perform: {}", curl_multi_strerror(code));
      while (!running_.empty()) {
        finish(static_cast<CURL*>(running_.begin()->first), static_cast<int>(CURLE_FAILED_INIT));
      }
    }
    int queued = 0;
    while (CURLMsg* message = curl_multi_info_read(multi, &queued)) {
      if (message->msg == CURLMSG_DONE) {
        finish(message->easy_handle, static_cast<int>(message->data.result));
      }
    }
    curl_multi_poll(multi, nullptr, 0, kIdlePollMillis, nullptr);
  }
}

}  // namespace druid::kube
