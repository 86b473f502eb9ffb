#pragma once
// A controller in controller-runtime's sense: informer events pass predicates,
// are mapped to requests (namespace/name) and land in a rate-limited work
// queue; N workers take keys and call the Reconciler. The outcome decides
// what happens to the key:
//   error or exception  -> retried with the key's exponential backoff
//   requeue_after > 0   -> backoff reset, queued again after that delay
//   requeue             -> retried with backoff
//   success             -> backoff reset
// An exception escaping reconcile() is caught and logged: it never ends a
// worker or the process.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "kube/clock.hpp"
#include "kube/informer.hpp"
#include "kube/work_queue.hpp"
#include "util/expected.hpp"

namespace druid::kube {

struct Request {
  std::string namespace_;  // "" for cluster-scoped objects
  std::string name;

  std::string key() const { return object_key(namespace_, name); }
  // The inverse of key(): "ns/name" or "name".
  static Request from_key(std::string_view key);
  static Request of(const nlohmann::json& object);
  friend auto operator<=>(const Request&, const Request&) = default;
};

struct ReconcileResult {
  bool requeue = false;
  Clock::Duration requeue_after{0};
};

struct ReconcileError {
  std::string message;
};

using ReconcileOutcome = util::Expected<ReconcileResult, ReconcileError>;

class Reconciler {
 public:
  virtual ~Reconciler() = default;
  virtual ReconcileOutcome reconcile(const Request& request) = 0;
};

// A Reconciler from a function (tests, small controllers).
class FunctionReconciler final : public Reconciler {
 public:
  using Function = std::function<ReconcileOutcome(const Request&)>;
  explicit FunctionReconciler(Function f) : f_(std::move(f)) {}
  ReconcileOutcome reconcile(const Request& request) override { return f_(request); }

 private:
  Function f_;
};

// Which informer events enqueue a request; an unset function admits all
// events of its kind. Resyncs arrive as updates with old == new.
struct Predicate {
  std::function<bool(const nlohmann::json& object)> create;
  std::function<bool(const nlohmann::json& old_object, const nlohmann::json& new_object)> update;
  std::function<bool(const nlohmann::json& object)> remove;
};

namespace predicates {
// controller-runtime's GenerationChangedPredicate: updates only when
// metadata.generation changed (so status writes and resyncs do not trigger).
Predicate generation_changed();
// Admits an event only when every predicate does.
Predicate all_of(std::vector<Predicate> predicates);
// Admits an event when any predicate does.
Predicate any_of(std::vector<Predicate> predicates);
}  // namespace predicates

// Which requests an object's event is about. An update maps both the old and
// the new object (controller-runtime's EnqueueRequestsFromMapFunc).
using MapFunc = std::function<std::vector<Request>(const nlohmann::json& object)>;
// The object itself (controller-runtime's For()).
MapFunc map_to_self();
// The object's controller owner, if it is of `owner_kind` in `owner_group`
// ("" = core), in the object's namespace (controller-runtime's Owns()).
MapFunc map_to_controller_owner(std::string owner_group, std::string owner_kind);

struct ControllerOptions {
  int workers = 1;  // MaxConcurrentReconciles
  Clock::Duration backoff_base = std::chrono::milliseconds(10);
  Clock::Duration backoff_max = std::chrono::seconds(15);
  const Clock* clock = nullptr;  // null: the system clock
};

struct ControllerMetrics {
  std::string name;
  // controller_runtime_reconcile_total by result: success, error, requeue, requeue_after.
  std::map<std::string, std::uint64_t> reconcile_total;
  std::uint64_t reconcile_errors_total = 0;
  std::uint64_t reconcile_panics_total = 0;  // exceptions escaping reconcile()
  DurationHistogram reconcile_time;
  int active_workers = 0;
  int max_concurrent_reconciles = 0;
  WorkQueueMetrics queue;
};

// controller-runtime's reconcile_time_seconds buckets (5 ms .. 60 s).
std::vector<double> reconcile_time_buckets();

class Controller {
 public:
  Controller(std::string name, std::shared_ptr<Reconciler> reconciler,
             ControllerOptions options = {});
  ~Controller();
  Controller(const Controller&) = delete;
  Controller& operator=(const Controller&) = delete;

  const std::string& name() const { return name_; }

  // Routes the informer's events through `predicate` and `map` into the queue.
  // Events arrive whether or not the controller runs: keys wait in the queue
  // (deduplicated) until start(). The handlers hold the queue, not the
  // controller, so an informer may outlive its controllers.
  void watch(Informer& informer, Predicate predicate = {}, MapFunc map = map_to_self());
  void enqueue(const Request& request);
  void enqueue_after(const Request& request, Clock::Duration delay);

  // Starts the workers (once).
  void start();
  // Shuts the queue down and waits for running reconciles to return. A
  // stopped controller does not start again.
  void stop();
  bool running() const { return running_.load(); }

  ControllerMetrics metrics() const;
  WorkQueue& queue() { return *queue_; }

 private:
  void work();
  void process(const std::string& key);
  void record(const char* result, Clock::Duration elapsed, bool error, bool panic);

  std::string name_;
  std::shared_ptr<Reconciler> reconciler_;
  ControllerOptions options_;
  const Clock& clock_;
  std::shared_ptr<WorkQueue> queue_;
  std::atomic<bool> running_{false};
  std::atomic<bool> stopped_{false};
  std::atomic<int> active_workers_{0};
  std::mutex lifecycle_mutex_;
  std::vector<std::thread> workers_;

  mutable std::mutex metrics_mutex_;
  std::map<std::string, std::uint64_t> reconcile_total_;
  std::uint64_t errors_total_ = 0;
  std::uint64_t panics_total_ = 0;
  DurationHistogram reconcile_time_;
};

}  // namespace druid::kube
