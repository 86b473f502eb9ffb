#pragma once
// The long-lived responses (watches) of one client on one libcurl multi handle,
// driven by one thread. Where the API server offers HTTP/2 (ALPN h2, as
// kube-apiserver does) every watch is a stream of a single shared connection, as
// client-go's watches are; against an HTTP/1.1 server libcurl opens one
// connection per watch, as before. Consumers keep their own threads: the
// transport hands each one its chunks (http_transport.cpp), this class only
// runs the transfers.

#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace druid::kube {

class StreamMultiplexer {
 public:
  // What `on_done` gets for a transfer taken out by remove() or by the
  // multiplexer's end rather than finished by libcurl.
  static constexpr int kRemoved = -1;

  StreamMultiplexer();
  // Ends the thread; transfers still running are removed (their on_done gets kRemoved).
  ~StreamMultiplexer();
  StreamMultiplexer(const StreamMultiplexer&) = delete;
  StreamMultiplexer& operator=(const StreamMultiplexer&) = delete;

  // Starts `easy` (a configured CURL* easy handle) on the shared multi handle.
  // `on_done` runs once on the multiplexer's thread after the handle left the
  // multi handle, with the transfer's CURLcode or kRemoved; after that the
  // caller owns the handle again. False when the multi handle could not be set
  // up (the caller then runs the transfer on its own).
  bool add(void* easy, std::function<void(int)> on_done);
  // Takes a running transfer out (a consumer that stopped). Thread-safe.
  void remove(void* easy);
  // Resumes a transfer whose write callback returned CURL_WRITEFUNC_PAUSE. Thread-safe.
  void resume(void* easy);

 private:
  enum class Command { kAdd, kRemove, kResume };
  struct Pending {
    Command command;
    void* easy;
    std::function<void(int)> on_done;  // kAdd only
  };

  void run();
  void post(Pending pending);

  void* multi_ = nullptr;  // CURLM*
  std::mutex mutex_;
  std::vector<Pending> pending_;
  bool stopping_ = false;
  // The multiplexer thread's own: running transfers and their completion callbacks.
  std::map<void*, std::function<void(int)>> running_;
  std::thread thread_;
};

}  // namespace druid::kube
