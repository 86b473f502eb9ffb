#include "kube/manager.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace druid::kube {

namespace {

std::string informer_identity(const InformerOptions& o) {
  // Two requests for the same data share one informer (and one watch).
  std::string identity = o.type.api_version() + "|" + o.type.resource + "|" + o.ns + "|" +
                         o.label_selector + "|" + o.field_selector + "|" +
                         (o.metadata_only ? "meta" : "full") + "|" + o.transform.name;
  for (const auto& field : o.indexed_fields) identity += "|" + field;
  return identity;
}

// How often the wait for cache sync re-checks the informers.
constexpr auto kSyncPoll = std::chrono::milliseconds(10);

}  // namespace

Manager::Manager(Client& client, ManagerOptions options)
    : client_(client),
      options_(std::move(options)),
      clock_(options_.clock != nullptr ? *options_.clock : system_clock()) {
  EventRecorderOptions events = options_.events;
  if (events.clock == nullptr) events.clock = options_.clock;
  recorder_ = std::make_unique<EventRecorder>(client_, std::move(events));
}

Manager::~Manager() {
  request_stop();
  shut_down();
  if (elector_) client_.set_write_fence({});  // the fence refers to the elector
}

Informer& Manager::informer(const InformerOptions& options) {
  std::lock_guard lock(mutex_);
  auto& slot = informers_[informer_identity(options)];
  if (!slot) {
    InformerOptions with_clock = options;
    if (with_clock.clock == nullptr) with_clock.clock = options_.clock;
    slot = std::make_unique<Informer>(client_, std::move(with_clock));
  }
  return *slot;
}

Controller& Manager::add_controller(std::string name, std::shared_ptr<Reconciler> reconciler,
                                    ControllerOptions options) {
  if (options.clock == nullptr) options.clock = options_.clock;
  std::lock_guard lock(mutex_);
  controllers_.push_back(
      std::make_unique<Controller>(std::move(name), std::move(reconciler), options));
  return *controllers_.back();
}

void Manager::request_stop() {
  {
    std::lock_guard lock(mutex_);
    stop_requested_ = true;
  }
  cv_.notify_all();
}

bool Manager::wait_for_caches() {
  const auto deadline = clock_.now() + options_.cache_sync_timeout;
  std::unique_lock lock(mutex_);
  while (!stop_requested_) {
    bool all = true;
    for (const auto& [identity, informer] : informers_) all = all && informer->has_synced();
    if (all) return true;
    const auto now = clock_.now();
    if (now >= deadline) return false;
    clock_.wait_until(cv_, lock, std::min(deadline, now + kSyncPoll));
  }
  return false;
}

void Manager::start_controllers() {
  std::lock_guard lock(mutex_);
  if (stop_requested_) return;
  for (auto& controller : controllers_) controller->start();
}

void Manager::stop_controllers() {
  // Controllers stop one by one, each waiting for its running reconciles.
  std::vector<Controller*> controllers;
  {
    std::lock_guard lock(mutex_);
    for (auto& c : controllers_) controllers.push_back(c.get());
  }
  for (auto* c : controllers) c->stop();
}

void Manager::shut_down() {
  stop_controllers();
  if (elector_) elector_->stop();  // releases the Lease after the controllers stopped
  leading_ = false;
  std::vector<Informer*> informers;
  {
    std::lock_guard lock(mutex_);
    for (auto& [identity, informer] : informers_) informers.push_back(informer.get());
  }
  for (auto* informer : informers) informer->stop();
  recorder_->stop();
}

util::Expected<std::monostate, ManagerError> Manager::run() {
  {
    std::lock_guard lock(mutex_);
    if (running_) {
      return util::unexpected(
          ManagerError{ManagerErrorReason::kAlreadyRunning, "the manager runs already"});
    }
    running_ = true;
  }
  if (options_.leader_election) {
    if (std::string problem = validate_leader_election(*options_.leader_election);
        !problem.empty()) {
      return util::unexpected(
          ManagerError{ManagerErrorReason::kInvalidConfiguration, "leader election: " + problem});
    }
  }

  {
    std::lock_guard lock(mutex_);
    for (auto& [identity, informer] : informers_) informer->start();
  }
  if (!wait_for_caches()) {
    bool stopped;
    {
      std::lock_guard lock(mutex_);
      stopped = stop_requested_;
    }
    shut_down();
    if (stopped) return std::monostate{};
    std::string pending;
    for (const auto& [identity, informer] : informers_) {
      if (!informer->has_synced()) {
        if (!pending.empty()) pending += ", ";
        pending += informer->options().type.qualified_resource();
      }
    }
    return util::unexpected(
        ManagerError{ManagerErrorReason::kCacheSyncTimeout,
                     "timed out waiting for the caches of " + pending + " to sync"});
  }
  caches_synced_ = true;
  spdlog::info("manager: caches synced ({} informers)", informers_.size());

  if (options_.leader_election) {
    LeaderElectionConfig config = *options_.leader_election;
    if (config.clock == nullptr) config.clock = options_.clock;
    LeaderCallbacks callbacks;
    callbacks.on_started_leading = [this] {
      leading_ = true;
      start_controllers();
    };
    callbacks.on_stopped_leading = [this] {
      leading_ = false;
      // Controllers of a process that lost the lease must not write any more;
      // the process ends and its successor takes over.
      if (elector_->lost()) request_stop();
    };
    {
      std::lock_guard lock(mutex_);  // election_request_counts() reads it from other threads
      election_client_ = std::make_unique<Client>(client_.config());
    }
    elector_ =
        std::make_unique<LeaderElector>(*election_client_, std::move(config), std::move(callbacks));
    // Controllers write only while the lease is held: a leader paused (or cut off) past its
    // renew deadline writes nothing more, even before its elector thread notices, so nothing it
    // sends can land after a successor took over.
    client_.set_write_fence(
        [elector = elector_.get()](std::string_view method, std::string_view path) {
          std::optional<ApiError> refused;
          if (!elector->holds_lease()) {
            refused = ApiError{ApiErrorReason::kNotLeader,
                               0,
                               fmt::format("{} {} not sent: this process does not hold the leader "
                                           "lease (lost, or not renewed within renewDeadline)",
                                           method, path),
                               {},
                               std::nullopt,
                               nullptr};
          }
          return refused;
        });
    elector_->start();
  } else {
    leading_ = true;
    start_controllers();
  }

  {
    std::unique_lock lock(mutex_);
    if (!options_.housekeeping) cv_.wait(lock, [this] { return stop_requested_; });
    auto next_housekeeping = clock_.now() + options_.housekeeping_interval;
    while (!stop_requested_) {
      clock_.wait_until(cv_, lock, next_housekeeping);
      if (stop_requested_ || clock_.now() < next_housekeeping) continue;  // woken early
      lock.unlock();
      options_.housekeeping();
      lock.lock();
      next_housekeeping = clock_.now() + options_.housekeeping_interval;
    }
  }
  spdlog::info("manager: stopping");
  shut_down();
  if (elector_ && elector_->lost()) {
    return util::unexpected(
        ManagerError{ManagerErrorReason::kLeaderElectionLost, "leader election lost"});
  }
  return std::monostate{};
}

std::map<RequestKey, std::uint64_t> Manager::election_request_counts() const {
  std::lock_guard lock(mutex_);
  if (!election_client_) return {};
  return election_client_->request_counts();
}

std::vector<ControllerMetrics> Manager::controller_metrics() const {
  std::lock_guard lock(mutex_);
  std::vector<ControllerMetrics> out;
  for (const auto& c : controllers_) out.push_back(c->metrics());
  return out;
}

std::vector<std::pair<InformerOptions, InformerStats>> Manager::informer_stats() const {
  std::lock_guard lock(mutex_);
  std::vector<std::pair<InformerOptions, InformerStats>> out;
  for (const auto& [identity, informer] : informers_) {
    out.emplace_back(informer->options(), informer->stats());
  }
  return out;
}

}  // namespace druid::kube
