#include "kube/informer.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>

namespace druid::kube {

using nlohmann::json;

namespace {

// A watch that ends sooner than this without a single event counts as a failure.
constexpr auto kShortWatch = std::chrono::seconds(1);

std::string metadata_string(const json& object, const char* field) {
  auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object()) return {};
  auto value = meta->find(field);
  return value != meta->end() && value->is_string() ? value->get<std::string>() : std::string();
}

std::string describe(const InformerOptions& options) {
  std::string out = options.type.qualified_resource();
  if (!options.ns.empty()) out += " in namespace " + options.ns;
  if (!options.label_selector.empty()) out += " (" + options.label_selector + ")";
  return out;
}

// Calls a handler, keeping a throwing handler from ending the informer.
template <class F, class... Args>
void call_handler(const F& handler, const char* what, const InformerOptions& options,
                  Args&&... args) {
  if (!handler) return;
  try {
    handler(std::forward<Args>(args)...);
  } catch (const std::exception& e) {
    spdlog::error("informer {}: {} handler threw: {}", describe(options), what, e.what());
  } catch (...) {
    spdlog::error("informer {}: {} handler threw a non-exception", describe(options), what);
  }
}

}  // namespace

Clock::Duration BackoffPolicy::delay(int failures) const {
  if (failures <= 0) return Clock::Duration::zero();
  const double scaled =
      static_cast<double>(initial.count()) * std::pow(factor, static_cast<double>(failures - 1));
  if (!std::isfinite(scaled) || scaled >= static_cast<double>(max.count())) return max;
  return Clock::Duration(static_cast<Clock::Duration::rep>(scaled));
}

Clock::Duration BackoffPolicy::jittered_delay(int failures, std::minstd_rand& random) const {
  const Clock::Duration base = delay(failures);
  if (base <= Clock::Duration::zero() || jitter <= 0) return base;
  const double extra = std::uniform_real_distribution<double>(0.0, jitter)(random);
  return base + Clock::Duration(
                    static_cast<Clock::Duration::rep>(static_cast<double>(base.count()) * extra));
}

Informer::Informer(Client& client, InformerOptions options)
    : client_(client),
      options_(std::move(options)),
      clock_(options_.clock != nullptr ? *options_.clock : system_clock()),
      cache_(options_.indexed_fields),
      random_(std::random_device{}()) {}

Informer::~Informer() {
  stop();
}

void Informer::add_handlers(EventHandlers handlers) {
  std::lock_guard lock(dispatch_mutex_);
  handlers_.push_back(std::move(handlers));
  if (!synced_) return;  // the first list delivers its adds to every handler
  const EventHandlers& added = handlers_.back();
  for (const auto& object : cache_.list()) call_handler(added.on_add, "add", options_, object);
}

void Informer::start() {
  std::lock_guard lifecycle(lifecycle_mutex_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { run(); });
  if (options_.resync_period > Clock::Duration::zero()) {
    resync_thread_ = std::thread([this] { run_resync(); });
  }
}

void Informer::stop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  std::lock_guard lifecycle(lifecycle_mutex_);
  if (thread_.joinable()) thread_.join();
  if (resync_thread_.joinable()) resync_thread_.join();
}

bool Informer::wait_for_sync(Clock::Duration timeout) const {
  const auto deadline = clock_.now() + timeout;
  std::unique_lock lock(mutex_);
  while (!synced_ && !stop_) {
    if (clock_.now() >= deadline) return false;
    clock_.wait_until(cv_, lock, deadline);
  }
  return synced_.load();
}

std::string Informer::resource_version() const {
  std::lock_guard lock(mutex_);
  return resource_version_;
}

InformerStats Informer::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void Informer::count(std::uint64_t InformerStats::*field) {
  std::lock_guard lock(mutex_);
  ++(stats_.*field);
}

bool Informer::pause(Clock::Duration delay) {
  const auto deadline = clock_.now() + delay;
  std::unique_lock lock(mutex_);
  while (!stop_ && clock_.now() < deadline) clock_.wait_until(cv_, lock, deadline);
  return !stop_;
}

namespace {
constexpr const char* kLastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration";
}  // namespace

ObjectPtr Informer::prepare(json object) const {
  if (options_.metadata_only) {
    // The server sends PartialObjectMetadata (or, if it cannot, whole
    // objects); either way the cache holds the metadata under the informer's
    // own apiVersion and kind, as controller-runtime's metadata informers do.
    json stripped = {{"apiVersion", options_.type.api_version()}, {"kind", options_.type.kind}};
    if (auto it = object.find("metadata"); it != object.end()) {
      stripped["metadata"] = std::move(*it);
    }
    object = std::move(stripped);
  }
  if (options_.strip_apply_bookkeeping) {
    if (auto meta = object.find("metadata"); meta != object.end() && meta->is_object()) {
      meta->erase("managedFields");
      if (auto notes = meta->find("annotations"); notes != meta->end() && notes->is_object()) {
        notes->erase(kLastAppliedAnnotation);
      }
    }
  }
  if (options_.transform.apply) options_.transform.apply(object);
  return std::make_shared<const json>(std::move(object));
}

template <class F>
void Informer::dispatch(F&& call) {
  for (const auto& handlers : handlers_) call(handlers);
}

void Informer::run() {
  bool first = true;
  while (!stop_) {
    if (!list_and_replace()) {
      ++failures_;
      if (!pause(options_.backoff.jittered_delay(failures_, random_))) return;
      continue;
    }
    failures_ = 0;
    if (!first) count(&InformerStats::relists);
    first = false;
    while (!stop_ && watch_once()) {
    }
  }
}

bool Informer::list_and_replace() {
  ListOptions list_options;
  list_options.label_selector = options_.label_selector;
  list_options.field_selector = options_.field_selector;
  list_options.metadata_only = options_.metadata_only;
  if (options_.page_size > 0) list_options.limit = options_.page_size;

  std::vector<ObjectPtr> objects;
  std::string version;
  while (true) {
    auto page = client_.list(options_.type, options_.ns, list_options);
    if (!page) {
      if (is_gone(page.error()) && !list_options.continue_token.empty()) {
        // The continue token expired between pages: fall back to one
        // unpaginated list, as client-go's pager does.
        spdlog::info("informer {}: list continue token expired, listing without pages",
                     describe(options_));
        list_options.continue_token.clear();
        list_options.limit.reset();
        objects.clear();
        continue;
      }
      count(&InformerStats::errors);
      spdlog::warn("informer {}: list failed: {}", describe(options_), page.error().what());
      return false;
    }
    json& body = *page;
    if (auto items = body.find("items"); items != body.end() && items->is_array()) {
      objects.reserve(objects.size() + items->size());
      for (auto& item : *items) {
        // Lists of built-in types carry no per-item apiVersion and kind;
        // watch events do. Cached objects look the same either way.
        item["apiVersion"] = options_.type.api_version();
        item["kind"] = options_.type.kind;
        objects.push_back(prepare(std::move(item)));
      }
    }
    version = metadata_string(body, "resourceVersion");
    const json& meta = body.value("metadata", json::object());
    std::string next = meta.is_object() ? meta.value("continue", std::string()) : std::string();
    if (next.empty()) break;
    list_options.continue_token = std::move(next);
    if (stop_) return false;
  }

  {
    std::lock_guard lock(dispatch_mutex_);
    CacheDiff diff = cache_.replace(std::move(objects));
    dispatch([&](const EventHandlers& h) {
      for (const auto& o : diff.added) call_handler(h.on_add, "add", options_, o);
      for (const auto& [old_object, new_object] : diff.updated) {
        call_handler(h.on_update, "update", options_, old_object, new_object);
      }
      for (const auto& o : diff.deleted) call_handler(h.on_delete, "delete", options_, o);
    });
    {
      std::lock_guard state_lock(mutex_);
      resource_version_ = version;
      ++stats_.lists;
    }
    if (!synced_) {
      synced_ = true;
      spdlog::debug("informer {}: synced ({} objects)", describe(options_), cache_.size());
    }
  }
  cv_.notify_all();
  return true;
}

bool Informer::watch_once() {
  WatchOptions watch_options;
  watch_options.resource_version = resource_version();
  watch_options.allow_watch_bookmarks = true;
  watch_options.label_selector = options_.label_selector;
  watch_options.field_selector = options_.field_selector;
  watch_options.metadata_only = options_.metadata_only;
  const auto min_timeout = std::max<std::int64_t>(1, options_.min_watch_timeout.count());
  watch_options.timeout_seconds = static_cast<int>(
      min_timeout + static_cast<std::int64_t>(random_() % static_cast<unsigned>(min_timeout)));
  count(&InformerStats::watches);

  const auto started = clock_.now();
  std::uint64_t received = 0;
  auto result = client_.watch(
      options_.type, options_.ns, watch_options,
      [this, &received](const WatchEvent& event) {
        ++received;
        handle_event(event);
        return !stop_;
      },
      &stop_);
  if (result) {
    if (*result == WatchEnd::kServerClosed && received == 0 &&
        clock_.now() - started < kShortWatch) {
      // A server that ends every watch at once would otherwise be hammered
      // in a tight loop (client-go's "very short watch").
      ++failures_;
      pause(options_.backoff.jittered_delay(failures_, random_));
      return true;
    }
    failures_ = 0;
    return true;
  }
  if (is_gone(result.error())) {
    spdlog::info("informer {}: watch from resourceVersion {} expired, relisting",
                 describe(options_), watch_options.resource_version);
    return false;
  }
  count(&InformerStats::errors);
  ++failures_;
  spdlog::warn("informer {}: watch failed: {}", describe(options_), result.error().what());
  // Resume from the last version seen; if the outage outlasted the server's
  // event history, the next watch answers 410 and we relist.
  pause(options_.backoff.jittered_delay(failures_, random_));
  return true;
}

void Informer::handle_event(const WatchEvent& event) {
  count(&InformerStats::events);
  std::string version = metadata_string(event.object, "resourceVersion");
  if (event.type == "BOOKMARK") {
    // A bookmark promises that everything up to its version was sent.
    if (!version.empty()) {
      std::lock_guard lock(mutex_);
      resource_version_ = std::move(version);
    }
    return;
  }
  if (event.type != "ADDED" && event.type != "MODIFIED" && event.type != "DELETED") {
    spdlog::warn("informer {}: ignoring watch event of type {}", describe(options_), event.type);
    return;
  }
  ObjectPtr object = prepare(event.object);
  {
    std::lock_guard lock(dispatch_mutex_);
    if (event.type == "DELETED") {
      cache_.erase(metadata_string(*object, "namespace"), metadata_string(*object, "name"));
      dispatch(
          [&](const EventHandlers& h) { call_handler(h.on_delete, "delete", options_, object); });
    } else if (ObjectPtr old = cache_.upsert(object)) {
      dispatch([&](const EventHandlers& h) {
        call_handler(h.on_update, "update", options_, old, object);
      });
    } else {
      dispatch([&](const EventHandlers& h) { call_handler(h.on_add, "add", options_, object); });
    }
  }
  if (!version.empty()) {
    std::lock_guard lock(mutex_);
    resource_version_ = std::move(version);
  }
}

void Informer::run_resync() {
  while (pause(options_.resync_period)) {
    if (!synced_) continue;
    std::lock_guard lock(dispatch_mutex_);
    for (const auto& object : cache_.list()) {
      dispatch([&](const EventHandlers& h) {
        call_handler(h.on_update, "update", options_, object, object);
      });
    }
    count(&InformerStats::resyncs);
  }
}

}  // namespace druid::kube
