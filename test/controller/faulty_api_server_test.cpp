// Etcds converge through a faulty API server (issue 13 §1), the CI-sized case of
// `reconcile-bench --faults`: 10% of the requests fail in the mix of apiserver/controls.hpp's
// FaultMix (429 with Retry-After, 500, 503, 409, 504 after the write was applied, the connection
// cut halfway through the answer) and each request is held 0–10 ms, every watch is cut every second
// with some resumes answered 410 Gone, and the API server restarts once, keeping its data. Every
// Etcd reaches Succeeded and the namespace ends as a fault-free run leaves it: the same objects
// with the same content, none missing, none duplicated. The requests the faults cost are reported
// and stay under twice the fault-free count.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <thread>

#include "support/eventually.hpp"
#include "support/fixtures.hpp"
#include "support/managed_state.hpp"
#include "support/operator_env.hpp"

namespace druid::test {
namespace {

using kube::test::eventually;
using nlohmann::json;

constexpr int kEtcds = 40;

json numbered_etcd(int i) {
  json etcd = base_etcd_json(3);
  etcd["metadata"] = {{"name", "etcd-" + std::to_string(i)}, {"namespace", kTestNamespace}};
  add_store(etcd, "aws");
  etcd["spec"]["backup"]["store"]["prefix"] =
      std::string(kTestNamespace) + "--etcd-" + std::to_string(i);
  return etcd;
}

int converged(OperatorEnv& env) {
  return converged_etcds(env.server(), kTestNamespace);
}

std::int64_t total_requests(OperatorEnv& env) {
  std::int64_t total = 0;
  const json counts = env.server().controls().counts_json();
  for (const auto& [verb, resources] : counts.items()) {
    for (const auto& [resource, count] : resources.items()) total += count.get<std::int64_t>();
  }
  return total;
}

// Cuts every watch each `period`, answers the next resumes 410 Gone every other time, and
// restarts the server once after `restart_after` — until destroyed.
class FaultDriver {
 public:
  FaultDriver(druid::testing::TestApiServer& server, std::chrono::milliseconds period,
              std::chrono::milliseconds restart_after)
      : server_(server), thread_([this, period, restart_after] { run(period, restart_after); }) {}
  ~FaultDriver() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  FaultDriver(const FaultDriver&) = delete;
  FaultDriver& operator=(const FaultDriver&) = delete;

  int cuts() const { return cuts_; }
  bool restarted() const { return restarted_; }

 private:
  void run(std::chrono::milliseconds period, std::chrono::milliseconds restart_after) {
    const auto started = std::chrono::steady_clock::now();
    std::unique_lock lock(mutex_);
    // The schedule of the faults: a timed wait that a stop request ends early.
    while (!cv_.wait_for(lock, period, [this] { return stop_; })) {
      if (!restarted_ && std::chrono::steady_clock::now() - started >= restart_after) {
        server_.restart();
        restarted_ = true;
        continue;
      }
      if (cuts_ % 2 == 1) server_.expire_next_watches(3);
      server_.disconnect_watches();
      ++cuts_;
    }
  }

  druid::testing::TestApiServer& server_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::atomic<int> cuts_{0};
  std::atomic<bool> restarted_{false};
  std::thread thread_;
};

TEST(FaultyApiServer, EtcdsConvergeToWhatAFaultFreeRunLeaves) {
  json clean;
  std::int64_t clean_requests = 0;
  {
    OperatorEnv env(fast_etcd_controller_config(), /*start=*/false);
    for (int i = 0; i < kEtcds; ++i) env.create_etcd(numbered_etcd(i));
    env.server().controls().reset_counts();
    env.start_operator();
    ASSERT_TRUE(eventually([&] { return converged(env) == kEtcds; }, std::chrono::seconds(60)));
    clean = managed_state(env.server(), kTestNamespace);
    clean_requests = total_requests(env);
  }

  OperatorEnv env(fast_etcd_controller_config(), /*start=*/false);
  for (int i = 0; i < kEtcds; ++i) env.create_etcd(numbered_etcd(i));
  env.server().controls().reset_counts();
  env.server().controls().set_fault_mix(
      {0.10, std::chrono::seconds(1), 13, std::chrono::milliseconds(10)});
  env.start_operator();
  {
    FaultDriver faults(env.server(), std::chrono::milliseconds(1000),
                       std::chrono::milliseconds(2500));
    ASSERT_TRUE(eventually([&] { return converged(env) == kEtcds && faults.restarted(); },
                           std::chrono::seconds(120)))
        << converged(env) << " of " << kEtcds << " converged";
    EXPECT_GE(faults.cuts(), 2);
  }
  const std::int64_t faulty_requests = total_requests(env);
  env.server().controls().set_fault_mix({});
  // Faults off: what a retry of a write whose answer was lost may still do has settled once the
  // namespace equals the clean run's.
  const bool equal =
      eventually([&] { return managed_state(env.server(), kTestNamespace) == clean; });
  std::vector<std::string> duplicates;
  const json faulty = managed_state(env.server(), kTestNamespace, &duplicates);
  EXPECT_TRUE(duplicates.empty()) << "duplicated: " << json(duplicates).dump();
  EXPECT_TRUE(equal) << "differences (faulty run against clean):\n"
                     << json::diff(clean, faulty).dump(1);
  EXPECT_EQ(faulty.size(), clean.size());

  const auto injected = env.server().controls().injected_faults();
  for (const char* kind : {"TooManyRequests", "InternalError", "ServiceUnavailable", "Conflict",
                           "TimeoutAfterApply", "CutConnection"}) {
    EXPECT_GT(injected.count(kind) ? injected.at(kind) : 0, 0) << kind << " never injected";
  }
  const double ratio = static_cast<double>(faulty_requests) / static_cast<double>(clean_requests);
  std::cout << kEtcds << " Etcds: " << clean_requests << " requests fault-free, " << faulty_requests
            << " with faults (ratio " << ratio << "); injected";
  for (const auto& [kind, count] : injected) std::cout << " " << kind << "=" << count;
  std::cout << "\n";
  EXPECT_LT(ratio, 2.0);
}

}  // namespace
}  // namespace druid::test
