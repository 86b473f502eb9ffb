#include "kube/leader_election.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace druid::kube {

using nlohmann::json;

namespace {

LeaderElectionRecord record_of(const json& lease) {
  LeaderElectionRecord r;
  auto spec = lease.find("spec");
  if (spec == lease.end() || !spec->is_object()) return r;
  auto text = [&](const char* field) {
    auto it = spec->find(field);
    return it != spec->end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  auto number = [&](const char* field) -> std::int64_t {
    auto it = spec->find(field);
    return it != spec->end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
  };
  r.holder_identity = text("holderIdentity");
  r.lease_duration_seconds = number("leaseDurationSeconds");
  r.acquire_time = text("acquireTime");
  r.renew_time = text("renewTime");
  r.lease_transitions = number("leaseTransitions");
  return r;
}

json spec_of(const LeaderElectionRecord& r) {
  json spec = {{"holderIdentity", r.holder_identity},
               {"leaseDurationSeconds", r.lease_duration_seconds},
               {"leaseTransitions", r.lease_transitions}};
  if (!r.acquire_time.empty()) spec["acquireTime"] = r.acquire_time;
  if (!r.renew_time.empty()) spec["renewTime"] = r.renew_time;
  return spec;
}

}  // namespace

std::string validate_leader_election(const LeaderElectionConfig& c) {
  using Duration = Clock::Duration;
  if (c.lease_name.empty()) return "lease name must not be empty";
  if (c.identity.empty()) return "identity must not be empty";
  if (c.lease_duration <= Duration::zero() || c.renew_deadline <= Duration::zero() ||
      c.retry_period <= Duration::zero()) {
    return "leaseDuration, renewDeadline and retryPeriod must be greater than zero";
  }
  if (c.lease_duration <= c.renew_deadline) {
    return "leaseDuration must be greater than renewDeadline";
  }
  // client-go: renewDeadline must exceed JitterFactor (1.2) * retryPeriod.
  if (c.renew_deadline * 10 <= c.retry_period * 12) {
    return "renewDeadline must be greater than 1.2 * retryPeriod";
  }
  return {};
}

LeaderElector::LeaderElector(Client& client, LeaderElectionConfig config, LeaderCallbacks callbacks)
    : client_(client),
      config_(std::move(config)),
      callbacks_(std::move(callbacks)),
      clock_(config_.clock != nullptr ? *config_.clock : system_clock()),
      random_(std::random_device{}()) {}

LeaderElector::~LeaderElector() {
  stop();
}

void LeaderElector::start() {
  std::lock_guard lifecycle(lifecycle_mutex_);
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { run(); });
}

void LeaderElector::stop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  std::lock_guard lifecycle(lifecycle_mutex_);
  if (thread_.joinable()) thread_.join();
}

std::string LeaderElector::leader() const {
  std::lock_guard lock(mutex_);
  return observed_holder_;
}

bool LeaderElector::wait_until(Clock::TimePoint deadline) {
  std::unique_lock lock(mutex_);
  while (!stop_ && clock_.now() < deadline) clock_.wait_until(cv_, lock, deadline);
  return !stop_;
}

Clock::Duration LeaderElector::jittered_retry() {
  std::uniform_real_distribution<double> jitter(0.0, 1.2);
  return config_.retry_period +
         std::chrono::duration_cast<Clock::Duration>(config_.retry_period * jitter(random_));
}

void LeaderElector::observe(const LeaderElectionRecord& record, Clock::TimePoint now) {
  observed_record_ = record;
  observed_time_ = now;
  bool changed = false;
  {
    std::lock_guard lock(mutex_);
    changed = observed_holder_ != record.holder_identity;
    observed_holder_ = record.holder_identity;
  }
  if (changed && !record.holder_identity.empty()) {
    spdlog::info("leader election {}/{}: {} is the leader", config_.lease_namespace,
                 config_.lease_name, record.holder_identity);
    if (callbacks_.on_new_leader) callbacks_.on_new_leader(record.holder_identity);
  }
}

json LeaderElector::lease_object(const LeaderElectionRecord& record) const {
  json lease = observed_lease_.is_object()
                   ? observed_lease_
                   : json{{"apiVersion", resources::kLeases.api_version()},
                          {"kind", resources::kLeases.kind},
                          {"metadata",
                           {{"name", config_.lease_name}, {"namespace", config_.lease_namespace}}}};
  lease["spec"] = spec_of(record);
  return lease;
}

bool LeaderElector::try_acquire_or_renew() {
  const auto now = clock_.now();
  const std::string now_text = util::format_rfc3339_micro(clock_.wall_now());
  LeaderElectionRecord desired;
  desired.holder_identity = config_.identity;
  desired.lease_duration_seconds = std::max<std::int64_t>(
      1, std::chrono::duration_cast<std::chrono::seconds>(config_.lease_duration).count());
  desired.acquire_time = now_text;
  desired.renew_time = now_text;

  auto current = client_.get(resources::kLeases, config_.lease_namespace, config_.lease_name);
  if (!current) {
    if (!is_not_found(current.error())) {
      spdlog::warn("leader election {}/{}: cannot read the lease: {}", config_.lease_namespace,
                   config_.lease_name, current.error().what());
      return false;
    }
    observed_lease_ = json();
    auto created =
        client_.create(resources::kLeases, config_.lease_namespace, lease_object(desired));
    if (!created) {
      spdlog::debug("leader election {}/{}: cannot create the lease: {}", config_.lease_namespace,
                    config_.lease_name, created.error().what());
      return false;
    }
    observed_lease_ = std::move(*created);
    observe(desired, now);
    return true;
  }

  observed_lease_ = std::move(*current);
  const LeaderElectionRecord old = record_of(observed_lease_);
  if (!observed_record_ || *observed_record_ != old) observe(old, now);
  const bool held_by_me = old.holder_identity == config_.identity;
  if (!old.holder_identity.empty() && !held_by_me &&
      observed_time_ + std::chrono::seconds(old.lease_duration_seconds) > now) {
    return false;  // someone else holds a lease that has not expired
  }
  if (held_by_me) {
    desired.acquire_time = old.acquire_time;
    desired.lease_transitions = old.lease_transitions;
  } else {
    desired.lease_transitions = old.lease_transitions + 1;
  }
  // The update carries the resourceVersion read above: if another candidate
  // wrote in between, it fails with 409 and we look again next time.
  auto updated = client_.update(resources::kLeases, config_.lease_namespace, lease_object(desired));
  if (!updated) {
    spdlog::debug("leader election {}/{}: cannot update the lease: {}", config_.lease_namespace,
                  config_.lease_name, updated.error().what());
    return false;
  }
  observed_lease_ = std::move(*updated);
  observe(desired, now);
  return true;
}

void LeaderElector::release() {
  if (!observed_record_ || observed_record_->holder_identity != config_.identity) return;
  const std::string now_text = util::format_rfc3339_micro(clock_.wall_now());
  // As client-go: no holder, a one-second duration, the transitions kept.
  LeaderElectionRecord released;
  released.lease_duration_seconds = 1;
  released.acquire_time = now_text;
  released.renew_time = now_text;
  released.lease_transitions = observed_record_->lease_transitions;
  auto updated =
      client_.update(resources::kLeases, config_.lease_namespace, lease_object(released));
  if (!updated) {
    spdlog::warn("leader election {}/{}: cannot release the lease: {}", config_.lease_namespace,
                 config_.lease_name, updated.error().what());
    return;
  }
  observed_lease_ = std::move(*updated);
  observe(released, clock_.now());
  spdlog::info("leader election {}/{}: released by {}", config_.lease_namespace, config_.lease_name,
               config_.identity);
}

bool LeaderElector::holds_lease() const {
  return leading_.load() && clock_.now().time_since_epoch().count() < lease_held_until_.load();
}

void LeaderElector::hold_lease_until(Clock::TimePoint until) {
  lease_held_until_.store(until.time_since_epoch().count());
}

void LeaderElector::run() {
  spdlog::info("leader election {}/{}: {} is a candidate", config_.lease_namespace,
               config_.lease_name, config_.identity);
  auto last_renew = clock_.now();
  while (!try_acquire_or_renew()) {
    if (!wait_until(clock_.now() + jittered_retry())) return;
    last_renew = clock_.now();
  }
  if (stop_) {
    if (config_.release_on_cancel) release();
    return;
  }
  hold_lease_until(last_renew + config_.renew_deadline);
  leading_ = true;
  spdlog::info("leader election {}/{}: {} acquired the lease", config_.lease_namespace,
               config_.lease_name, config_.identity);
  if (callbacks_.on_started_leading) callbacks_.on_started_leading();

  while (wait_until(clock_.now() + config_.retry_period)) {
    // Keep trying until renewDeadline has passed since the last renewal;
    // others wait the longer leaseDuration from when they saw it, so we stop
    // leading first. A renewal counts from when its request started, so a slow
    // request cannot stretch the window.
    const auto deadline = last_renew + config_.renew_deadline;
    bool renewed = false;
    while (!stop_ && clock_.now() < deadline) {
      const auto attempt = clock_.now();
      if (try_acquire_or_renew()) {
        renewed = true;
        last_renew = attempt;
        hold_lease_until(last_renew + config_.renew_deadline);
        break;
      }
      if (!wait_until(std::min(deadline, clock_.now() + config_.retry_period))) break;
    }
    if (stop_) break;
    if (!renewed) {
      lost_ = true;
      break;
    }
  }
  hold_lease_until(Clock::TimePoint{});
  leading_ = false;
  if (lost_) {
    spdlog::error(
        "leader election {}/{}: {} lost the lease (not renewed within {} ms)",
        config_.lease_namespace, config_.lease_name, config_.identity,
        std::chrono::duration_cast<std::chrono::milliseconds>(config_.renew_deadline).count());
  } else if (config_.release_on_cancel) {
    release();
  }
  if (callbacks_.on_stopped_leading) callbacks_.on_stopped_leading();
}

}  // namespace druid::kube
