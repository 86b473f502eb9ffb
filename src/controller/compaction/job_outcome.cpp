#include "controller/compaction/job_outcome.hpp"

#include <chrono>
#include <string_view>

namespace druid::controller::compaction {

using nlohmann::json;

namespace {

constexpr const char* kDisruptionTarget = "DisruptionTarget";

const json& array_at(const json& object, const char* parent, const char* key) {
  static const json kEmpty = json::array();
  const auto outer = object.find(parent);
  if (outer == object.end() || !outer->is_object()) return kEmpty;
  const auto inner = outer->find(key);
  return inner != outer->end() && inner->is_array() ? *inner : kEmpty;
}

std::string text(const json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<util::Time> time_field(const json& object, const char* key) {
  auto parsed = util::parse_rfc3339(text(object, key));
  if (!parsed) return std::nullopt;
  return *parsed;
}

bool is_true(const json& condition) {
  return text(condition, "status") == "True";
}

bool is_success_type(std::string_view type) {
  return type == job_condition::kComplete || type == job_condition::kSuccessCriteriaMet;
}
bool is_failure_type(std::string_view type) {
  return type == job_condition::kFailed || type == job_condition::kFailureTarget;
}

// The first True terminal condition.
const json* terminal_condition(const json& job) {
  for (const auto& condition : array_at(job, "status", "conditions")) {
    const std::string type = text(condition, "type");
    if ((is_success_type(type) || is_failure_type(type)) && is_true(condition)) return &condition;
  }
  return nullptr;
}

std::optional<double> seconds_between(std::optional<util::Time> start,
                                      std::optional<util::Time> end) {
  if (!start || !end) return std::nullopt;
  const double seconds = std::chrono::duration<double>(*end - *start).count();
  if (seconds <= 0) return std::nullopt;
  return seconds;
}

struct PodFailure {
  const char* reason;
  const char* label;
  std::optional<util::Time> at;
};

PodFailure pod_failure(const json* pod, util::Time now) {
  if (pod == nullptr) return {condition_reason::kUnknown, failure_label::kUnknown, now};
  for (const auto& condition : array_at(*pod, "status", "conditions")) {
    if (text(condition, "type") != kDisruptionTarget || !is_true(condition)) continue;
    const std::string reason = text(condition, "reason");
    const auto at = time_field(condition, "lastTransitionTime");
    if (reason == condition_reason::kPreemptionByScheduler) {
      return {condition_reason::kPreemptionByScheduler, failure_label::kPreempted, at};
    }
    for (const char* evicted :
         {condition_reason::kDeletionByTaintManager, condition_reason::kEvictionByEvictionAPI,
          condition_reason::kTerminationByKubelet}) {
      if (reason == evicted) return {evicted, failure_label::kEvicted, at};
    }
    // A disruption of a kind druid does not know.
    return {condition_reason::kUnknown, failure_label::kUnknown, at};
  }
  for (const auto& container : array_at(*pod, "status", "containerStatuses")) {
    const auto state = container.find("state");
    if (state == container.end() || !state->is_object()) continue;
    const auto terminated = state->find("terminated");
    if (terminated == state->end() || !terminated->is_object()) continue;
    return {condition_reason::kProcessFailure, failure_label::kProcessFailure,
            time_field(*terminated, "finishedAt")};
  }
  return {condition_reason::kUnknown, failure_label::kUnknown, now};
}

}  // namespace

bool is_finished(const json& job) {
  return terminal_condition(job) != nullptr;
}

std::optional<JobOutcome> classify_job(const json& job, const json* pod, util::Time now) {
  const json* condition = terminal_condition(job);
  if (condition == nullptr) return std::nullopt;
  const json status = job.value("status", json::object());
  const auto started = time_field(status, "startTime");
  if (is_success_type(text(*condition, "type"))) {
    return JobOutcome{true, condition_reason::kNone, failure_label::kNone,
                      seconds_between(started, time_field(status, "completionTime"))};
  }
  const std::string job_reason = text(*condition, "reason");
  if (job_reason == job_condition::kDeadlineExceeded) {
    // The job ran until its deadline.
    std::optional<double> deadline;
    const json spec = job.value("spec", json::object());
    if (const auto it = spec.find("activeDeadlineSeconds");
        it != spec.end() && it->is_number() && it->get<double>() > 0) {
      deadline = it->get<double>();
    }
    return JobOutcome{false, condition_reason::kDeadlineExceeded, failure_label::kDeadlineExceeded,
                      deadline};
  }
  if (job_reason == job_condition::kBackoffLimitExceeded) {
    const PodFailure failure = pod_failure(pod, now);
    return JobOutcome{false, failure.reason, failure.label, seconds_between(started, failure.at)};
  }
  return JobOutcome{false, condition_reason::kUnknown, failure_label::kUnknown,
                    seconds_between(started, time_field(*condition, "lastTransitionTime"))};
}

}  // namespace druid::controller::compaction
