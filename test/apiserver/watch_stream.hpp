#pragma once
// One open watch: turns store events into the newline-delimited JSON events a
// Kubernetes API server streams (ADDED, MODIFIED, DELETED, BOOKMARK, ERROR),
// applying selectors the way the watch cache does (an object that stops
// matching arrives as DELETED, one that starts matching as ADDED), sending
// bookmarks and ending at the timeout. Independent of HTTP: the server pulls
// chunks from it.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "apiserver/list_options.hpp"
#include "apiserver/resource_registry.hpp"
#include "apiserver/status.hpp"
#include "apiserver/store.hpp"

namespace druid::testing {

struct WatchSettings {
  std::chrono::milliseconds bookmark_interval{std::chrono::seconds(60)};
  std::chrono::seconds default_timeout{std::chrono::minutes(30)};
};

class WatchStream {
 public:
  using Clock = std::chrono::steady_clock;
  // Turns an object into what the client asked for (plain object, or a Table).
  using Transform = std::function<nlohmann::json(const nlohmann::json&)>;

  // `initial` are the synthetic ADDED events for the current state (watches from
  // resourceVersion "" or "0"); `start_version` is the version they represent.
  WatchStream(ResourceType type, ListOptions options, std::shared_ptr<WatchChannel> channel,
              std::vector<nlohmann::json> initial, std::int64_t start_version,
              WatchSettings settings, Transform transform = {});
  // A watch that only reports an error (410 Expired, ...) and ends.
  static std::shared_ptr<WatchStream> failed(const StatusError& error);
  struct ErrorOnly {};  // the constructor behind failed()
  explicit WatchStream(ErrorOnly) {}

  // The next newline-terminated events, waiting at most `max_wait` for one;
  // "" when nothing happened. After finished() it returns "".
  std::string next(std::chrono::milliseconds max_wait);
  bool finished() const { return finished_; }
  // Ends the stream at the next call (server shutdown).
  void cancel();

 private:
  std::optional<nlohmann::json> convert(const StoredEvent& event) const;
  nlohmann::json bookmark(bool initial_events_end) const;
  std::string line(const std::string& type, const nlohmann::json& object) const;

  ResourceType type_;
  ListOptions options_;
  std::shared_ptr<WatchChannel> channel_;
  std::deque<nlohmann::json> initial_;
  bool initial_end_pending_ = false;
  std::int64_t last_version_ = 0;
  WatchSettings settings_;
  Transform transform_;
  Clock::time_point deadline_;
  Clock::time_point next_bookmark_;
  std::string pending_error_;
  bool finished_ = false;
  std::atomic<bool> cancelled_{false};
};

}  // namespace druid::testing
