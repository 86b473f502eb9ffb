#pragma once
// A pod's status as the kubelet reports it, from what the runtime observed of
// its containers. Pure: times come in as RFC 3339 strings.

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace druid::localenv {

struct ObservedContainer {
  std::string name, image;
  enum class State { kWaiting, kRunning, kTerminated } state = State::kWaiting;
  std::string waiting_reason = "ContainerCreating";
  std::string started_at, finished_at;
  int exit_code = 0;
  bool ready = false;
  int restart_count = 0;
  nlohmann::json last_state = nlohmann::json::object();  // {terminated: {...}} after a restart
};

inline nlohmann::json terminated_state(int exit_code, const std::string& started_at,
                                       const std::string& finished_at) {
  return {{"exitCode", exit_code},
          {"reason", exit_code == 0 ? "Completed" : "Error"},
          {"startedAt", started_at},
          {"finishedAt", finished_at}};
}

inline nlohmann::json container_status(const ObservedContainer& c) {
  nlohmann::json state;
  switch (c.state) {
    case ObservedContainer::State::kWaiting:
      state = {{"waiting", {{"reason", c.waiting_reason}}}};
      break;
    case ObservedContainer::State::kRunning:
      state = {{"running", {{"startedAt", c.started_at}}}};
      break;
    case ObservedContainer::State::kTerminated:
      state = {{"terminated", terminated_state(c.exit_code, c.started_at, c.finished_at)}};
      break;
  }
  return {{"name", c.name},
          {"image", c.image},
          {"imageID", ""},
          {"ready", c.ready},
          {"started", c.state == ObservedContainer::State::kRunning},
          {"restartCount", c.restart_count},
          {"state", state},
          {"lastState", c.last_state}};
}

// Remembers when each condition last changed.
class ConditionClock {
 public:
  // The condition with its lastTransitionTime (now when `status` changed).
  nlohmann::json condition(const std::string& type, bool status, const std::string& now) {
    auto& entry = conditions_[type];
    if (entry.first.empty() || entry.first != (status ? "True" : "False")) {
      entry = {status ? "True" : "False", now};
    }
    return {{"type", type}, {"status", entry.first}, {"lastTransitionTime", entry.second}};
  }

 private:
  std::map<std::string, std::pair<std::string, std::string>> conditions_;
};

struct PodObservation {
  std::vector<ObservedContainer> init_containers, containers;
  bool initialized = false;  // every init container completed
  std::string pod_ip, host_ip, start_time;
};

inline nlohmann::json pod_status(const PodObservation& o, ConditionClock& clock,
                                 const std::string& now) {
  bool all_ready = !o.containers.empty();
  bool any_started = false;
  for (const auto& c : o.containers) {
    all_ready = all_ready && c.ready;
    any_started =
        any_started || c.state != ObservedContainer::State::kWaiting || c.restart_count > 0;
  }
  nlohmann::json status = {{"phase", (o.initialized && any_started) ? "Running" : "Pending"},
                           {"conditions", nlohmann::json::array()}};
  status["conditions"].push_back(clock.condition("PodScheduled", true, now));
  status["conditions"].push_back(clock.condition("Initialized", o.initialized, now));
  status["conditions"].push_back(clock.condition("ContainersReady", all_ready, now));
  status["conditions"].push_back(clock.condition("Ready", all_ready, now));
  if (!o.host_ip.empty()) {
    status["hostIP"] = o.host_ip;
    status["hostIPs"] = nlohmann::json::array({{{"ip", o.host_ip}}});
  }
  if (!o.pod_ip.empty()) {
    status["podIP"] = o.pod_ip;
    status["podIPs"] = nlohmann::json::array({{{"ip", o.pod_ip}}});
  }
  if (!o.start_time.empty()) status["startTime"] = o.start_time;
  if (!o.init_containers.empty()) {
    status["initContainerStatuses"] = nlohmann::json::array();
    for (const auto& c : o.init_containers) {
      status["initContainerStatuses"].push_back(container_status(c));
    }
  }
  status["containerStatuses"] = nlohmann::json::array();
  for (const auto& c : o.containers) status["containerStatuses"].push_back(container_status(c));
  return status;
}

// Readiness probe bookkeeping: consecutive results against the thresholds.
class ReadinessTracker {
 public:
  ReadinessTracker(int success_threshold, int failure_threshold)
      : success_threshold_(success_threshold < 1 ? 1 : success_threshold),
        failure_threshold_(failure_threshold < 1 ? 1 : failure_threshold) {}
  // Records one probe result; returns the readiness after it.
  bool record(bool success) {
    if (success) {
      failures_ = 0;
      if (++successes_ >= success_threshold_) ready_ = true;
    } else {
      successes_ = 0;
      if (++failures_ >= failure_threshold_) ready_ = false;
    }
    return ready_;
  }
  bool ready() const { return ready_; }
  void reset() { *this = ReadinessTracker(success_threshold_, failure_threshold_); }

 private:
  int success_threshold_, failure_threshold_;
  int successes_ = 0, failures_ = 0;
  bool ready_ = false;
};

}  // namespace druid::localenv
