#pragma once
// Knobs for tests that need a misbehaving or observable server: injected
// errors for the next N matching requests, added latency, and request counters
// by verb and resource (to assert, e.g., that a reconcile wrote nothing).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "apiserver/status.hpp"

namespace druid::testing {

// Which requests a rule applies to; empty fields match anything. `resource` is
// the plural, optionally with a subresource ("statefulsets/status").
struct RequestMatch {
  std::string verb = "";
  std::string resource = "";
  std::string ns = "";
  std::string name = "";
};

struct ErrorInjection {
  RequestMatch match;
  int code = 500;                       // 500 InternalError, 429 TooManyRequests, 409 Conflict, ...
  int count = 1;                        // how many matching requests fail
  std::chrono::seconds retry_after{1};  // for 429
  std::string message = "";             // optional text for the Status message
};

struct RequestAttributes {
  std::string verb = "";
  std::string resource = "";     // plural
  std::string subresource = "";  // "" or "status", "scale"
  std::string group = "";
  std::string ns = "";
  std::string name = "";
};

// Faults drawn at random, as an overloaded server or a flaky network gives them: a share `rate`
// of the requests that are not watches fails, each with a kind picked uniformly from those its
// verb can meet — for reads 429 (with Retry-After), 500, 503 and the connection cut halfway
// through the answer; for writes also 409 Conflict (not applied) and 504 Timeout after the write
// was applied (the client cannot tell it succeeded).
struct FaultMix {
  double rate = 0;
  std::chrono::seconds retry_after{1};
  std::uint32_t seed = 1;
  // Every request that is not a watch is also held up to this long (uniformly drawn).
  std::chrono::milliseconds max_latency{0};
};

enum class Fault {
  kNone,
  kTooManyRequests,
  kInternalError,
  kServiceUnavailable,
  kConflict,
  kTimeoutAfterApply,
  kCutConnection,
};

// "TooManyRequests", "InternalError", ... ("None" for kNone).
const char* fault_name(Fault fault);

// A write as the server answered it (write log, for ordering checks between clients).
struct RecordedWrite {
  std::chrono::steady_clock::time_point answered;  // when the answer was ready (after the store)
  std::string user;
  std::string verb;      // create, update, patch, delete, deletecollection
  std::string resource;  // plural, with "/<subresource>"
  std::string ns;
  std::string name;
  int code = 0;
};

class Controls {
 public:
  void inject_error(ErrorInjection injection);
  // Shorthand: the next `count` requests with this verb on this resource fail.
  void fail_next(const std::string& verb, const std::string& resource, int code, int count = 1,
                 std::chrono::seconds retry_after = std::chrono::seconds(1));
  void add_latency(RequestMatch match, std::chrono::milliseconds latency);
  // The next `allowed` writes succeed; every later write fails with 503 until
  // clear() — a client that dies after its k-th write, for crash-safety tests.
  void limit_writes(std::int64_t allowed);
  void clear();

  // Counts the request and returns the error to answer instead, if one is due.
  std::optional<StatusError> on_request(const RequestAttributes& request);
  std::chrono::milliseconds latency_for(const RequestAttributes& request) const;

  // Counters by verb and resource (resource "pods", "statefulsets/status").
  std::int64_t request_count(const std::string& verb, const std::string& resource) const;
  // Writes (create, update, patch, delete, deletecollection) of any type.
  std::int64_t write_count() const;
  void reset_counts();
  // Calls the API server made to the admission webhook `name` (counted apart
  // from requests, under the pseudo-verb "webhook").
  void count_webhook_call(const std::string& name);
  std::int64_t webhook_calls(const std::string& name) const {
    return request_count("webhook", name);
  }
  // {"<verb>": {"<resource>": n}} for GET /debug/requests.
  nlohmann::json counts_json() const;

  // Random faults (FaultMix); rate 0 turns them off.
  void set_fault_mix(FaultMix mix);
  // The fault one request meets (kNone mostly), counted by kind; watches meet none.
  Fault draw_fault(const RequestAttributes& request);
  // The faults injected so far, by fault_name.
  std::map<std::string, std::int64_t> injected_faults() const;
  std::chrono::seconds fault_retry_after() const;
  // The added latency one request meets (FaultMix::max_latency; zero for watches).
  std::chrono::milliseconds draw_latency(const RequestAttributes& request);

  // The write log: off until record_writes(true); then every write request's answer, in order.
  void record_writes(bool on);
  // Whether record_write() keeps anything: callers skip building its arguments otherwise.
  bool recording_writes() const { return record_writes_.load(); }
  void record_write(const std::string& user, const std::string& verb, const std::string& resource,
                    const std::string& ns, const std::string& name, int code);
  std::vector<RecordedWrite> recorded_writes() const;

 private:
  static bool applies(const RequestMatch& match, const RequestAttributes& request);
  mutable std::mutex mutex_;
  std::vector<ErrorInjection> errors_;
  std::vector<std::pair<RequestMatch, std::chrono::milliseconds>> latencies_;
  std::map<std::pair<std::string, std::string>, std::int64_t> counts_;
  std::optional<std::int64_t> write_budget_;
  FaultMix faults_;
  std::mt19937 fault_random_{1};
  std::map<std::string, std::int64_t> injected_;
  std::atomic<bool> record_writes_ = false;
  std::vector<RecordedWrite> writes_;
};

}  // namespace druid::testing
