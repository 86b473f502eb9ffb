#include "kube/event_recorder.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace druid::kube {

using nlohmann::json;

namespace {

std::string string_at(const json& object, const char* field) {
  auto it = object.find(field);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// client-go's ObjectReference for an object: what `kubectl describe` matches on.
json reference_to(const json& object) {
  json meta = object.value("metadata", json::object());
  if (!meta.is_object()) meta = json::object();
  json ref = json::object();
  for (const auto& [field, from] :
       std::initializer_list<std::pair<const char*, const json*>>{{"kind", &object},
                                                                  {"apiVersion", &object},
                                                                  {"namespace", &meta},
                                                                  {"name", &meta},
                                                                  {"uid", &meta},
                                                                  {"resourceVersion", &meta}}) {
    std::string value = string_at(*from, field);
    if (!value.empty()) ref[field] = std::move(value);
  }
  return ref;
}

// client-go's EventAggregatorByReasonMessageFunc.
constexpr std::string_view kCombinedPrefix = "(combined from similar events): ";

}  // namespace

std::string_view event_type_name(EventType type) {
  return type == EventType::kWarning ? "Warning" : "Normal";
}

EventRecorder::EventRecorder(Client& client, EventRecorderOptions options)
    : client_(client),
      options_(std::move(options)),
      clock_(options_.clock != nullptr ? *options_.clock : system_clock()) {
  thread_ = std::thread([this] { run(); });
}

EventRecorder::~EventRecorder() {
  stop();
}

bool EventRecorder::admit_locked(const std::string& object_key) {
  const auto now = clock_.now();
  const double per_second =
      1.0 / std::max(1e-9, std::chrono::duration<double>(options_.spam_refill).count());
  const double burst = static_cast<double>(std::max(1, options_.spam_burst));
  auto refill = [&](Bucket& b) {
    b.tokens = std::min(
        burst, b.tokens + std::chrono::duration<double>(now - b.last).count() * per_second);
    b.last = now;
  };
  if (buckets_.size() > options_.correlation_cache_size) {
    // Full buckets carry no information; forgetting them bounds the memory.
    for (auto it = buckets_.begin(); it != buckets_.end();) {
      refill(it->second);
      it = it->second.tokens >= burst ? buckets_.erase(it) : std::next(it);
    }
  }
  auto [it, inserted] = buckets_.try_emplace(object_key, Bucket{burst, now});
  if (!inserted) refill(it->second);
  if (it->second.tokens < 1.0) return false;
  it->second.tokens -= 1.0;
  return true;
}

bool EventRecorder::aggregate_locked(Pending& pending, std::string group) {
  const std::size_t max_events = options_.aggregate_max_events;
  if (max_events == 0) return false;
  const auto now = clock_.now();
  auto it = aggregates_.find(group);
  if (it == aggregates_.end()) {
    it = aggregates_.emplace(group, Aggregate{{}, now, {}}).first;
    aggregate_lru_.push_front(&it->first);
    it->second.lru = aggregate_lru_.begin();
    while (aggregates_.size() > std::max<std::size_t>(1, options_.correlation_cache_size)) {
      const std::string* oldest = aggregate_lru_.back();
      aggregate_lru_.pop_back();
      aggregates_.erase(aggregates_.find(*oldest));  // by iterator: *oldest is the node's key
    }
  } else {
    aggregate_lru_.splice(aggregate_lru_.begin(), aggregate_lru_, it->second.lru);
    // As in client-go the interval runs from the group's previous event, not
    // its first: a condition that keeps flapping stays combined.
    if (now - it->second.last > options_.aggregate_interval) it->second.messages.clear();
  }
  Aggregate& aggregate = it->second;
  aggregate.last = now;
  aggregate.messages.insert(pending.message);
  // client-go's threshold: the message that makes max_events distinct ones is
  // the first to be combined.
  if (aggregate.messages.size() < max_events) return false;
  // Keep the set below the threshold so that every further new message is
  // combined too. client-go drops an arbitrary member; dropping the new one
  // (the one just combined) is deterministic and keeps the messages that went
  // out as themselves, whose repeats still patch their own Events.
  aggregate.messages.erase(pending.message);
  pending.message = std::string(kCombinedPrefix) + pending.message;
  pending.key = std::move(group);
  return true;
}

void EventRecorder::event(const json& object, EventType type, std::string_view reason,
                          std::string_view message) {
  try {
    Pending pending{reference_to(object), std::string(event_type_name(type)),
                    std::string(reason),  std::string(message),
                    clock_.wall_now(),    {}};
    // The involved object as client-go's keys name it (getEventKey,
    // getSpamKey): without its resourceVersion, so a repeat still correlates
    // and the spam filter still counts after the object's status changed,
    // which an Etcd's does with almost every Event about it.
    const json& ref = pending.involved;
    const json object =
        json::array({string_at(ref, "apiVersion"), string_at(ref, "kind"),
                     string_at(ref, "namespace"), string_at(ref, "name"), string_at(ref, "uid")});
    pending.key = json::array({object, pending.type, pending.reason, pending.message,
                               options_.component, options_.host})
                      .dump();
    // client-go's EventAggregatorByReasonFunc: everything but the message.
    std::string group = json::array({"aggregate", options_.component, options_.host, object,
                                     pending.type, pending.reason})
                            .dump();
    const std::string object_key = object.dump();
    {
      std::lock_guard lock(mutex_);
      if (stopping_ || queue_.size() >= options_.queue_limit) {
        ++stats_.dropped;
        return;
      }
      // Aggregation comes before the spam filter, as in client-go's
      // EventCorrelate: filtered events still count as seen messages.
      const bool combined = aggregate_locked(pending, std::move(group));
      if (!admit_locked(object_key)) {
        ++stats_.filtered;
        return;
      }
      if (combined) ++stats_.aggregated;
      queue_.push_back(std::move(pending));
    }
    cv_.notify_all();
  } catch (const std::exception& e) {
    // Recording an event is never worth failing the caller for.
    spdlog::warn("event recorder: cannot record {} event: {}", reason, e.what());
  }
}

void EventRecorder::run() {
  std::unique_lock lock(mutex_);
  while (true) {
    cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping and drained
    Pending pending = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    const bool last_chance = stopping_;
    lock.unlock();
    write(pending, last_chance);
    lock.lock();
    busy_ = false;
    cv_.notify_all();
  }
}

json EventRecorder::new_event(const Pending& pending, const std::string& ns,
                              const std::string& name, std::int64_t count,
                              const std::string& first_timestamp) const {
  json source = {{"component", options_.component}};
  if (!options_.host.empty()) source["host"] = options_.host;
  json event = {{"apiVersion", "v1"},
                {"kind", "Event"},
                {"metadata", {{"name", name}, {"namespace", ns}}},
                {"involvedObject", pending.involved},
                {"reason", pending.reason},
                {"message", pending.message},
                {"type", pending.type},
                {"source", source},
                {"firstTimestamp", first_timestamp},
                {"lastTimestamp", util::format_rfc3339(pending.timestamp)},
                {"count", count},
                {"reportingComponent", options_.component}};
  if (!options_.host.empty()) event["reportingInstance"] = options_.host;
  return event;
}

void EventRecorder::remember(const std::string& key, Correlation correlation) {
  if (auto it = correlations_.find(key); it != correlations_.end()) {
    lru_.erase(it->second.lru);
    correlations_.erase(it);
  }
  auto inserted = correlations_.emplace(key, std::move(correlation)).first;
  lru_.push_front(&inserted->first);
  inserted->second.lru = lru_.begin();
  while (correlations_.size() > std::max<std::size_t>(1, options_.correlation_cache_size)) {
    const std::string* oldest = lru_.back();
    lru_.pop_back();
    correlations_.erase(correlations_.find(*oldest));  // by iterator: *oldest is the node's key
  }
}

bool EventRecorder::try_write(const Pending& pending) {
  const std::string& key = pending.key;
  const std::string now = util::format_rfc3339(pending.timestamp);
  auto known = correlations_.find(key);
  if (known != correlations_.end()) {
    Correlation c = known->second;
    const json patch = {
        {"count", c.count + 1}, {"lastTimestamp", now}, {"message", pending.message}};
    auto patched = client_.patch(resources::kEvents, c.ns, c.name, PatchType::kMerge, patch);
    if (patched) {
      c.count += 1;
      remember(key, std::move(c));
      std::lock_guard lock(mutex_);
      ++stats_.patched;
      return true;
    }
    if (!is_not_found(patched.error())) {
      if (is_retryable(patched.error())) return false;
      spdlog::warn("event recorder: cannot update event {}/{}: {}", c.ns, c.name,
                   patched.error().what());
      std::lock_guard lock(mutex_);
      ++stats_.failed;
      return true;
    }
    // The Event expired (events have a TTL) or was deleted: write it anew with
    // the history we know, as client-go does.
    json event = new_event(pending, c.ns, c.name, c.count + 1, c.first_timestamp);
    auto created = client_.create(resources::kEvents, c.ns, event);
    if (created) {
      c.count += 1;
      remember(key, std::move(c));
      std::lock_guard lock(mutex_);
      ++stats_.created;
      return true;
    }
    if (is_retryable(created.error())) return false;
    spdlog::warn("event recorder: cannot recreate event {}/{}: {}", c.ns, c.name,
                 created.error().what());
    std::lock_guard lock(mutex_);
    ++stats_.failed;
    return true;
  }

  std::string ns = string_at(pending.involved, "namespace");
  if (ns.empty()) ns = "default";  // events about cluster-scoped objects
  const std::string object_name = string_at(pending.involved, "name");
  // client-go names events "<object>.<unix nanos in hex>"; two events in the
  // same nanosecond (or from a coarse clock) must still get distinct names.
  last_name_suffix_ =
      std::max(last_name_suffix_ + 1,
               static_cast<std::uint64_t>(pending.timestamp.time_since_epoch().count()));
  const std::string name =
      fmt::format("{}.{:x}", object_name.empty() ? "event" : object_name, last_name_suffix_);
  json event = new_event(pending, ns, name, 1, now);
  auto created = client_.create(resources::kEvents, ns, event);
  if (created) {
    remember(key, Correlation{ns, name, 1, now, {}});
    std::lock_guard lock(mutex_);
    ++stats_.created;
    return true;
  }
  if (is_retryable(created.error())) return false;
  spdlog::warn("event recorder: cannot create event {}/{} ({}): {}", ns, name, pending.reason,
               created.error().what());
  std::lock_guard lock(mutex_);
  ++stats_.failed;
  return true;
}

void EventRecorder::write(const Pending& pending, bool last_chance) {
  const int attempts = last_chance ? 1 : std::max(1, options_.max_attempts);
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    try {
      if (try_write(pending)) return;
    } catch (const std::exception& e) {
      spdlog::warn("event recorder: writing event {} failed: {}", pending.reason, e.what());
    }
    if (attempt == attempts) break;
    std::unique_lock lock(mutex_);
    const auto deadline = clock_.now() + options_.retry_delay;
    while (!stopping_ && clock_.now() < deadline) clock_.wait_until(cv_, lock, deadline);
    if (stopping_) break;
  }
  spdlog::warn("event recorder: giving up on event {} about {}", pending.reason,
               pending.involved.dump());
  std::lock_guard lock(mutex_);
  ++stats_.failed;
}

bool EventRecorder::flush(Clock::Duration timeout) {
  const auto deadline = clock_.now() + timeout;
  std::unique_lock lock(mutex_);
  while (!queue_.empty() || busy_) {
    if (clock_.now() >= deadline) return false;
    clock_.wait_until(cv_, lock, deadline);
  }
  return true;
}

void EventRecorder::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  std::lock_guard lifecycle(lifecycle_mutex_);
  if (thread_.joinable()) thread_.join();
}

EventRecorderStats EventRecorder::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

}  // namespace druid::kube
