#include "kube/controller.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "util/json_access.hpp"

namespace druid::kube {

using util::metadata_of;

using nlohmann::json;

namespace {

std::string group_of(std::string_view api_version) {
  auto slash = api_version.find('/');
  return slash == std::string_view::npos ? std::string()
                                         : std::string(api_version.substr(0, slash));
}

bool admits(const std::function<bool(const json&)>& f, const json& object) {
  return !f || f(object);
}

bool admits(const std::function<bool(const json&, const json&)>& f, const json& old_object,
            const json& new_object) {
  return !f || f(old_object, new_object);
}

}  // namespace

// --- requests -----------------------------------------------------------------

Request Request::from_key(std::string_view key) {
  auto slash = key.find('/');
  if (slash == std::string_view::npos) return Request{"", std::string(key)};
  return Request{std::string(key.substr(0, slash)), std::string(key.substr(slash + 1))};
}

Request Request::of(const json& object) {
  const json& meta = metadata_of(object);
  return Request{util::string_field(meta, "namespace"), util::string_field(meta, "name")};
}

// --- predicates -----------------------------------------------------------------

namespace predicates {

Predicate generation_changed() {
  Predicate p;
  p.update = [](const json& old_object, const json& new_object) {
    const json& old_meta = metadata_of(old_object);
    const json& new_meta = metadata_of(new_object);
    return old_meta.value("generation", json()) != new_meta.value("generation", json());
  };
  return p;
}

Predicate all_of(std::vector<Predicate> predicates) {
  auto shared = std::make_shared<const std::vector<Predicate>>(std::move(predicates));
  Predicate p;
  p.create = [shared](const json& o) {
    for (const auto& q : *shared)
      if (!admits(q.create, o)) return false;
    return true;
  };
  p.update = [shared](const json& a, const json& b) {
    for (const auto& q : *shared)
      if (!admits(q.update, a, b)) return false;
    return true;
  };
  p.remove = [shared](const json& o) {
    for (const auto& q : *shared)
      if (!admits(q.remove, o)) return false;
    return true;
  };
  return p;
}

Predicate any_of(std::vector<Predicate> predicates) {
  auto shared = std::make_shared<const std::vector<Predicate>>(std::move(predicates));
  Predicate p;
  p.create = [shared](const json& o) {
    for (const auto& q : *shared)
      if (admits(q.create, o)) return true;
    return false;
  };
  p.update = [shared](const json& a, const json& b) {
    for (const auto& q : *shared)
      if (admits(q.update, a, b)) return true;
    return false;
  };
  p.remove = [shared](const json& o) {
    for (const auto& q : *shared)
      if (admits(q.remove, o)) return true;
    return false;
  };
  return p;
}

}  // namespace predicates

// --- mappers ----------------------------------------------------------------------

MapFunc map_to_self() {
  return [](const json& object) { return std::vector<Request>{Request::of(object)}; };
}

MapFunc map_to_controller_owner(std::string owner_group, std::string owner_kind) {
  return [group = std::move(owner_group), kind = std::move(owner_kind)](const json& object) {
    std::vector<Request> out;
    const json* ref = util::controller_reference_of(object);
    if (ref != nullptr && util::string_field(*ref, "kind") == kind &&
        group_of(util::string_field(*ref, "apiVersion")) == group) {
      out.push_back(Request{util::string_field(metadata_of(object), "namespace"),
                            util::string_field(*ref, "name")});
    }
    return out;
  };
}

std::vector<double> reconcile_time_buckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1,  0.15, 0.2,  0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6,
          0.7,   0.8,  0.9,   1.0,  1.25, 1.5,  1.75, 2.0,  2.5, 3.0,  3.5, 4.0,  4.5, 5,
          6,     7,    8,     9,    10,   15,   20,   25,   30,  40,   50,  60};
}

// --- controller ---------------------------------------------------------------------

Controller::Controller(std::string name, std::shared_ptr<Reconciler> reconciler,
                       ControllerOptions options)
    : name_(std::move(name)),
      reconciler_(std::move(reconciler)),
      options_(options),
      clock_(options.clock != nullptr ? *options.clock : system_clock()),
      queue_(std::make_shared<WorkQueue>(
          WorkQueueOptions{name_, options.backoff_base, options.backoff_max, options.clock})),
      reconcile_time_(reconcile_time_buckets()) {
  if (options_.workers < 1) options_.workers = 1;
}

Controller::~Controller() {
  stop();
}

void Controller::watch(Informer& informer, Predicate predicate, MapFunc map) {
  // Shared by the three handlers; captures nothing of the controller itself.
  struct Route {
    std::shared_ptr<WorkQueue> queue;
    Predicate predicate;
    MapFunc map;
    std::string controller;
    void enqueue(const json& object) const {
      for (const auto& request : map(object)) {
        if (!request.name.empty()) queue->add(request.key());
      }
    }
    // The requests of both objects, each once: adding a key twice could
    // reconcile it twice when a worker takes it between the two adds.
    void enqueue(const json& old_object, const json& new_object) const {
      auto requests = map(new_object);
      for (auto& request : map(old_object)) {
        if (std::find(requests.begin(), requests.end(), request) == requests.end()) {
          requests.push_back(std::move(request));
        }
      }
      for (const auto& request : requests) {
        if (!request.name.empty()) queue->add(request.key());
      }
    }
  };
  auto route = std::make_shared<const Route>(
      Route{queue_, std::move(predicate), map ? std::move(map) : map_to_self(), name_});
  EventHandlers handlers;
  handlers.on_add = [route](const ObjectPtr& o) {
    if (admits(route->predicate.create, *o)) route->enqueue(*o);
  };
  handlers.on_update = [route](const ObjectPtr& old_object, const ObjectPtr& new_object) {
    if (!admits(route->predicate.update, *old_object, *new_object)) return;
    // As controller-runtime's handlers do, the old object is mapped too: a
    // request it belonged to (a Secret an Etcd stopped referencing, a former
    // owner) hears of the change.
    if (old_object == new_object) {
      route->enqueue(*new_object);
    } else {
      route->enqueue(*old_object, *new_object);
    }
  };
  handlers.on_delete = [route](const ObjectPtr& o) {
    if (admits(route->predicate.remove, *o)) route->enqueue(*o);
  };
  informer.add_handlers(std::move(handlers));
}

void Controller::enqueue(const Request& request) {
  queue_->add(request.key());
}

void Controller::enqueue_after(const Request& request, Clock::Duration delay) {
  queue_->add_after(request.key(), delay);
}

void Controller::start() {
  std::lock_guard lock(lifecycle_mutex_);
  if (running_ || stopped_) return;
  running_ = true;
  for (int i = 0; i < options_.workers; ++i) workers_.emplace_back([this] { work(); });
  spdlog::info("controller {}: started {} worker(s)", name_, options_.workers);
}

void Controller::stop() {
  std::lock_guard lock(lifecycle_mutex_);
  stopped_ = true;
  queue_->shut_down();
  for (auto& worker : workers_) {
    if (worker.joinable()) worker.join();
  }
  workers_.clear();
  if (running_.exchange(false)) spdlog::info("controller {}: stopped", name_);
}

void Controller::work() {
  while (auto key = queue_->get()) {
    ++active_workers_;
    process(*key);
    --active_workers_;
    queue_->done(*key);
  }
}

void Controller::process(const std::string& key) {
  const Request request = Request::from_key(key);
  const auto started = clock_.now();
  std::optional<ReconcileOutcome> outcome;
  std::string failure;
  bool panic = false;
  try {
    outcome = reconciler_->reconcile(request);
  } catch (const std::exception& e) {
    failure = e.what();
    panic = true;
  } catch (...) {
    failure = "unknown exception";
    panic = true;
  }
  const auto elapsed = clock_.now() - started;

  if (panic) {
    spdlog::error("controller {}: reconcile {} threw: {}", name_, key, failure);
    queue_->add_rate_limited(key);
    record("error", elapsed, true, true);
  } else if (!outcome->has_value()) {
    spdlog::error("controller {}: reconcile {} failed: {}", name_, key, outcome->error().message);
    queue_->add_rate_limited(key);
    record("error", elapsed, true, false);
  } else if (const ReconcileResult& result = outcome->value();
             result.requeue_after > Clock::Duration::zero()) {
    queue_->forget(key);
    queue_->add_after(key, result.requeue_after);
    record("requeue_after", elapsed, false, false);
  } else if (result.requeue) {
    queue_->add_rate_limited(key);
    record("requeue", elapsed, false, false);
  } else {
    queue_->forget(key);
    record("success", elapsed, false, false);
  }
}

void Controller::record(const char* result, Clock::Duration elapsed, bool error, bool panic) {
  std::lock_guard lock(metrics_mutex_);
  ++reconcile_total_[result];
  if (error) ++errors_total_;
  if (panic) ++panics_total_;
  reconcile_time_.observe(elapsed);
}

ControllerMetrics Controller::metrics() const {
  ControllerMetrics m;
  m.name = name_;
  {
    std::lock_guard lock(metrics_mutex_);
    for (const char* result : {"success", "error", "requeue", "requeue_after"}) {
      m.reconcile_total[result] = 0;
    }
    for (const auto& [result, n] : reconcile_total_) m.reconcile_total[result] = n;
    m.reconcile_errors_total = errors_total_;
    m.reconcile_panics_total = panics_total_;
    m.reconcile_time = reconcile_time_;
  }
  m.active_workers = active_workers_.load();
  m.max_concurrent_reconciles = options_.workers;
  m.queue = queue_->metrics();
  return m;
}

}  // namespace druid::kube
