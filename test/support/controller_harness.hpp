#pragma once
// What the tests of the task, compaction and Secret controllers share: a test
// API server with druid's CRDs and the test namespace, a fixture with a client
// of the operator's own, Secrets, a backup sidecar played from a script, a
// manager run that a test starts and stops (a stop and a new start model an
// operator restart), and the requests the operator's client has sent, by
// method.

#include <gtest/gtest.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <future>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "controller/etcdopstask/backup_sidecar.hpp"
#include "kube/client.hpp"
#include "kube/manager.hpp"
#include "kube/resource.hpp"
#include "support/fixtures.hpp"
#include "support/live_server.hpp"
#include "util/base64.hpp"

namespace druid::test {

// druid's CRDs (config/crd) and the namespace kTestNamespace.
inline void prepare_controller_server(kube::test::LiveServer& live) {
  live.server().install_crds(std::filesystem::path(DRUID_SOURCE_DIR) / "config" / "crd");
  ASSERT_EQ(kube::test::create_namespace(live.client(), kTestNamespace), "");
}

// A started test API server prepared as above; the test writes with
// live_.client(), the operator with operator_client_ (so what the operator
// sent is counted apart).
class ControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(prepare_controller_server(live_));
    operator_client_ = live_.make_client();
  }

  kube::test::LiveServer live_;
  std::unique_ptr<kube::Client> operator_client_;
};

// An Opaque Secret with `data` (plain values, base64-encoded here) and
// `finalizers`.
inline void create_secret(kube::Client& client, const std::string& ns, const std::string& name,
                          const std::map<std::string, std::string>& data = {},
                          const nlohmann::json& finalizers = nlohmann::json::array()) {
  nlohmann::json encoded = nlohmann::json::object();
  for (const auto& [key, value] : data) encoded[key] = util::base64_encode(value);
  nlohmann::json secret = {{"apiVersion", "v1"},
                           {"kind", "Secret"},
                           {"metadata", {{"name", name}, {"namespace", ns}}},
                           {"type", "Opaque"},
                           {"data", encoded}};
  if (!finalizers.empty()) secret["metadata"]["finalizers"] = finalizers;
  auto created = client.create(kube::resources::kSecrets, ns, secret);
  ASSERT_TRUE(created) << created.error().what();
}

// The status the Job controller writes when a Job's pod succeeded (batch/v1
// since Kubernetes 1.31: SuccessCriteriaMet, then Complete).
inline nlohmann::json completed_job_status() {
  const char* at = "2026-12-01T10:05:00Z";
  return {{"succeeded", 1},
          {"startTime", "2026-12-01T10:00:00Z"},
          {"completionTime", at},
          {"conditions",
           nlohmann::json::array(
               {{{"type", "SuccessCriteriaMet"}, {"status", "True"}, {"lastTransitionTime", at}},
                {{"type", "Complete"}, {"status", "True"}, {"lastTransitionTime", at}}})}};
}

// Plays etcd-backup-restore's snapshot endpoints: answers from a script (the
// last answer repeats), records every call, and can hold calls until
// release() (so what was written before a call stays visible to the test).
class FakeBackupSidecar final : public controller::etcdopstask::BackupSidecar {
 public:
  using Answer = util::Expected<controller::etcdopstask::SnapshotAnswer,
                                controller::etcdopstask::SnapshotCallError>;

  Answer take_snapshot(const controller::etcdopstask::SnapshotCall& call) override {
    std::unique_lock lock(mu_);
    calls_.push_back(call);
    released_.wait(lock, [&] { return !held_; });
    if (script_.size() > 1) {
      Answer answer = script_.front();
      script_.pop_front();
      return answer;
    }
    return script_.front();
  }
  void answer(std::vector<Answer> script) {
    std::lock_guard lock(mu_);
    script_.assign(script.begin(), script.end());
  }
  void hold() {
    std::lock_guard lock(mu_);
    held_ = true;
  }
  void release() {
    std::lock_guard lock(mu_);
    held_ = false;
    released_.notify_all();
  }
  std::vector<controller::etcdopstask::SnapshotCall> calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable released_;
  bool held_ = false;
  std::deque<Answer> script_{controller::etcdopstask::SnapshotAnswer{200, "{}"}};
  std::vector<controller::etcdopstask::SnapshotCall> calls_;
};

// One run of an operator's manager with the controllers `add` registers.
class ManagerRun {
 public:
  using AddControllers = std::function<void(kube::Manager&)>;

  ~ManagerRun() { stop(); }

  void start(kube::Client& client, const AddControllers& add) {
    manager_ = std::make_unique<kube::Manager>(client, kube::ManagerOptions{});
    add(*manager_);
    run_ = std::async(std::launch::async, [this] { return manager_->run(); });
  }
  void stop() {
    if (!run_.valid()) return;
    manager_->request_stop();
    run_.wait();
    run_ = {};
  }
  kube::Manager& manager() { return *manager_; }

 private:
  std::unique_ptr<kube::Manager> manager_;
  std::future<util::Expected<std::monostate, kube::ManagerError>> run_;
};

// Requests `client` has sent with any of `methods` (counted once answered).
inline std::uint64_t requests_sent(const kube::Client& client,
                                   std::initializer_list<const char*> methods) {
  std::uint64_t total = 0;
  for (const auto& [key, count] : client.request_counts()) {
    for (const char* method : methods) {
      if (key.method == method) total += count;
    }
  }
  return total;
}

// POST, PUT, PATCH and DELETE.
inline std::uint64_t writes_sent(const kube::Client& client) {
  return requests_sent(client, {"POST", "PUT", "PATCH", "DELETE"});
}

}  // namespace druid::test
