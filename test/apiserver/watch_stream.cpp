#include "apiserver/watch_stream.hpp"

#include <algorithm>

#include "apiserver/schema_defaulting.hpp"

namespace druid::testing {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxEventsPerChunk = 256;

json with_type(json object, const ResourceType& type) {
  // Watches serve custom resources decoded from storage, i.e. defaulted.
  default_custom_resource(type, object);
  object["apiVersion"] = type.api_version();
  object["kind"] = type.kind;
  return object;
}

}  // namespace

WatchStream::WatchStream(ResourceType type, ListOptions options,
                         std::shared_ptr<WatchChannel> channel, std::vector<json> initial,
                         std::int64_t start_version, WatchSettings settings, Transform transform)
    : type_(std::move(type)),
      options_(std::move(options)),
      channel_(std::move(channel)),
      initial_(initial.begin(), initial.end()),
      initial_end_pending_(options_.send_initial_events && options_.allow_watch_bookmarks),
      last_version_(start_version),
      settings_(settings),
      transform_(std::move(transform)) {
  const auto now = Clock::now();
  deadline_ = now + options_.timeout.value_or(settings_.default_timeout);
  next_bookmark_ = now + settings_.bookmark_interval;
}

std::shared_ptr<WatchStream> WatchStream::failed(const StatusError& error) {
  auto stream = std::make_shared<WatchStream>(ErrorOnly{});
  json event = {{"type", "ERROR"}, {"object", error.to_json()}};
  stream->pending_error_ = event.dump() + "\n";
  return stream;
}

void WatchStream::cancel() {
  cancelled_ = true;
}

std::string WatchStream::line(const std::string& type, const json& object) const {
  json event = {{"type", type}, {"object", transform_ ? transform_(object) : object}};
  return event.dump() + "\n";
}

json WatchStream::bookmark(bool initial_events_end) const {
  json meta = {{"resourceVersion", std::to_string(last_version_)}};
  if (initial_events_end) meta["annotations"] = {{"k8s.io/initial-events-end", "true"}};
  json event = {
      {"type", "BOOKMARK"},
      {"object", {{"kind", type_.kind}, {"apiVersion", type_.api_version()}, {"metadata", meta}}}};
  return event;
}

std::optional<json> WatchStream::convert(const StoredEvent& event) const {
  const bool new_matches = matches(options_, event.object);
  const bool old_matches = !event.old_object.is_null() && matches(options_, event.old_object);
  auto make = [&](const char* t, const json& object) -> json {
    return {{"type", t}, {"object", with_type(object, type_)}};
  };
  switch (event.type) {
    case StoredEvent::Type::kAdded:
      if (new_matches) return make("ADDED", event.object);
      break;
    case StoredEvent::Type::kModified:
      if (new_matches && old_matches) return make("MODIFIED", event.object);
      if (new_matches) return make("ADDED", event.object);
      if (old_matches) {
        json old = event.old_object;
        old["metadata"]["resourceVersion"] = std::to_string(event.resource_version);
        return make("DELETED", old);
      }
      break;
    case StoredEvent::Type::kDeleted:
      if (new_matches) return make("DELETED", event.object);
      break;
  }
  return std::nullopt;
}

std::string WatchStream::next(std::chrono::milliseconds max_wait) {
  if (finished_) return {};
  if (cancelled_) {
    finished_ = true;
    return {};
  }
  if (!pending_error_.empty()) {
    finished_ = true;
    return std::move(pending_error_);
  }
  std::string out;
  if (!initial_.empty()) {
    for (std::size_t n = 0; n < kMaxEventsPerChunk && !initial_.empty(); ++n) {
      out += line("ADDED", with_type(initial_.front(), type_));
      initial_.pop_front();
    }
    return out;
  }
  if (initial_end_pending_) {
    initial_end_pending_ = false;
    return bookmark(true).dump() + "\n";
  }
  auto now = Clock::now();
  if (now >= deadline_) {
    finished_ = true;
    // The cache sends a last bookmark to watchers that are about to expire, so
    // they resume from a fresh version.
    if (options_.allow_watch_bookmarks) return bookmark(false).dump() + "\n";
    return {};
  }
  auto wait_until = std::min(now + max_wait, deadline_);
  if (options_.allow_watch_bookmarks) wait_until = std::min(wait_until, next_bookmark_);
  bool drained = false;
  for (std::size_t n = 0; n < kMaxEventsPerChunk; ++n) {
    auto event = channel_->pop(n == 0 ? wait_until : Clock::now());
    if (!event) {
      drained = true;
      break;
    }
    last_version_ = std::max(last_version_, event->resource_version);
    if (auto converted = convert(*event)) {
      const json& object = (*converted)["object"];
      out += line((*converted)["type"].get<std::string>(), object);
    }
  }
  if (out.empty() && channel_->closed()) {
    finished_ = true;
    return {};
  }
  // A bookmark promises that everything up to its version was sent.
  if (drained && options_.allow_watch_bookmarks && Clock::now() >= next_bookmark_) {
    out += bookmark(false).dump() + "\n";
    next_bookmark_ = Clock::now() + settings_.bookmark_interval;
  }
  return out;
}

}  // namespace druid::testing
