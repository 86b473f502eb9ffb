#include "apiserver/controls.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace druid::testing {
namespace {

std::string full_resource(const RequestAttributes& r) {
  return r.subresource.empty() ? r.resource : r.resource + "/" + r.subresource;
}

constexpr const char* kWriteVerbs[] = {"create", "update", "patch", "delete", "deletecollection"};

bool is_write_verb(const std::string& verb) {
  for (const char* write : kWriteVerbs) {
    if (verb == write) return true;
  }
  return false;
}

StatusError injected_error(const ErrorInjection& e, const RequestAttributes& r) {
  const QualifiedResource resource{r.group, r.resource};
  switch (e.code) {
    case 429:
      return too_many_requests(e.retry_after);
    case 409:
      return conflict_modified(resource, r.name);
    case 404:
      return not_found(resource, r.name);
    case 500:
      return internal_error(e.message.empty() ? "injected error" : e.message);
    default: {
      StatusError s;
      s.code = e.code;
      s.message = e.message.empty() ? fmt::format("injected error {}", e.code) : e.message;
      if (e.code == 503) s.reason = "ServiceUnavailable";
      if (e.code == 504) s.reason = "Timeout";
      if (e.code == 403) s.reason = "Forbidden";
      if (e.code == 401) s.reason = "Unauthorized";
      return s;
    }
  }
}

}  // namespace

bool Controls::applies(const RequestMatch& m, const RequestAttributes& r) {
  if (!m.verb.empty() && m.verb != r.verb) return false;
  if (!m.resource.empty() && m.resource != r.resource && m.resource != full_resource(r)) {
    return false;
  }
  if (!m.ns.empty() && m.ns != r.ns) return false;
  return m.name.empty() || m.name == r.name;
}

void Controls::inject_error(ErrorInjection injection) {
  std::lock_guard lock(mutex_);
  errors_.push_back(std::move(injection));
}

void Controls::fail_next(const std::string& verb, const std::string& resource, int code, int count,
                         std::chrono::seconds retry_after) {
  inject_error({{verb, resource}, code, count, retry_after});
}

void Controls::add_latency(RequestMatch match, std::chrono::milliseconds latency) {
  std::lock_guard lock(mutex_);
  latencies_.emplace_back(std::move(match), latency);
}

void Controls::clear() {
  std::lock_guard lock(mutex_);
  errors_.clear();
  latencies_.clear();
  write_budget_.reset();
}

void Controls::limit_writes(std::int64_t allowed) {
  std::lock_guard lock(mutex_);
  write_budget_ = allowed;
}

std::optional<StatusError> Controls::on_request(const RequestAttributes& request) {
  std::lock_guard lock(mutex_);
  ++counts_[{request.verb, full_resource(request)}];
  if (write_budget_ && is_write_verb(request.verb)) {
    if (*write_budget_ <= 0) {
      StatusError s;
      s.code = 503;
      s.reason = "ServiceUnavailable";
      s.message = "write budget exhausted";
      return s;
    }
    --*write_budget_;
  }
  for (auto it = errors_.begin(); it != errors_.end(); ++it) {
    if (!applies(it->match, request)) continue;
    StatusError e = injected_error(*it, request);
    if (--it->count <= 0) errors_.erase(it);
    return e;
  }
  return std::nullopt;
}

std::chrono::milliseconds Controls::latency_for(const RequestAttributes& request) const {
  std::lock_guard lock(mutex_);
  std::chrono::milliseconds total{0};
  for (const auto& [match, latency] : latencies_) {
    if (applies(match, request)) total += latency;
  }
  return total;
}

std::int64_t Controls::request_count(const std::string& verb, const std::string& resource) const {
  std::lock_guard lock(mutex_);
  std::int64_t n = 0;
  for (const auto& [key, count] : counts_) {
    if ((verb.empty() || key.first == verb) && (resource.empty() || key.second == resource)) {
      n += count;
    }
  }
  return n;
}

std::int64_t Controls::write_count() const {
  std::int64_t n = 0;
  for (const char* verb : kWriteVerbs) {
    n += request_count(verb, "");
  }
  return n;
}

void Controls::count_webhook_call(const std::string& name) {
  std::lock_guard lock(mutex_);
  ++counts_[{"webhook", name}];
}

void Controls::reset_counts() {
  std::lock_guard lock(mutex_);
  counts_.clear();
}

nlohmann::json Controls::counts_json() const {
  std::lock_guard lock(mutex_);
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [key, count] : counts_) out[key.first][key.second] = count;
  return out;
}

void Controls::record_writes(bool on) {
  std::lock_guard lock(mutex_);
  record_writes_ = on;
}

void Controls::record_write(const std::string& user, const std::string& verb,
                            const std::string& resource, const std::string& ns,
                            const std::string& name, int code) {
  if (!is_write_verb(verb)) return;
  const auto answered = std::chrono::steady_clock::now();
  std::lock_guard lock(mutex_);
  if (!record_writes_) return;
  writes_.push_back({answered, user, verb, resource, ns, name, code});
}

std::vector<RecordedWrite> Controls::recorded_writes() const {
  std::lock_guard lock(mutex_);
  return writes_;
}

const char* fault_name(Fault fault) {
  switch (fault) {
    case Fault::kNone:
      return "None";
    case Fault::kTooManyRequests:
      return "TooManyRequests";
    case Fault::kInternalError:
      return "InternalError";
    case Fault::kServiceUnavailable:
      return "ServiceUnavailable";
    case Fault::kConflict:
      return "Conflict";
    case Fault::kTimeoutAfterApply:
      return "TimeoutAfterApply";
    case Fault::kCutConnection:
      return "CutConnection";
  }
  return "Unknown";
}

void Controls::set_fault_mix(FaultMix mix) {
  std::lock_guard lock(mutex_);
  faults_ = mix;
  fault_random_.seed(mix.seed);
}

Fault Controls::draw_fault(const RequestAttributes& request) {
  if (request.verb == "watch") return Fault::kNone;
  std::lock_guard lock(mutex_);
  if (faults_.rate <= 0) return Fault::kNone;
  if (std::uniform_real_distribution<double>(0, 1)(fault_random_) >= faults_.rate) {
    return Fault::kNone;
  }
  static constexpr Fault kReadFaults[] = {Fault::kTooManyRequests, Fault::kInternalError,
                                          Fault::kServiceUnavailable, Fault::kCutConnection};
  static constexpr Fault kWriteFaults[] = {Fault::kTooManyRequests,    Fault::kInternalError,
                                           Fault::kServiceUnavailable, Fault::kCutConnection,
                                           Fault::kConflict,           Fault::kTimeoutAfterApply};
  const bool write = is_write_verb(request.verb);
  const std::size_t kinds = write ? std::size(kWriteFaults) : std::size(kReadFaults);
  const std::size_t pick = std::uniform_int_distribution<std::size_t>(0, kinds - 1)(fault_random_);
  const Fault fault = write ? kWriteFaults[pick] : kReadFaults[pick];
  ++injected_[fault_name(fault)];
  return fault;
}

std::map<std::string, std::int64_t> Controls::injected_faults() const {
  std::lock_guard lock(mutex_);
  return injected_;
}

std::chrono::milliseconds Controls::draw_latency(const RequestAttributes& request) {
  if (request.verb == "watch") return std::chrono::milliseconds(0);
  std::lock_guard lock(mutex_);
  if (faults_.max_latency.count() <= 0) return std::chrono::milliseconds(0);
  return std::chrono::milliseconds(
      std::uniform_int_distribution<std::int64_t>(0, faults_.max_latency.count())(fault_random_));
}

std::chrono::seconds Controls::fault_retry_after() const {
  std::lock_guard lock(mutex_);
  return faults_.retry_after;
}

}  // namespace druid::testing
