#pragma once
// What the tests of the task and compaction controllers share: a backup
// sidecar played from a script, a manager run that a test starts and stops
// (a stop and a new start model an operator restart), and the requests the
// operator's client has sent, by method.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "controller/etcdopstask/backup_sidecar.hpp"
#include "kube/client.hpp"
#include "kube/manager.hpp"

namespace druid::test {

// Plays etcd-backup-restore's snapshot endpoints: answers from a script (the
// last answer repeats), records every call, and can hold calls until
// release() (so what was written before a call stays visible to the test).
class FakeBackupSidecar final : public controller::etcdopstask::BackupSidecar {
 public:
  using Answer = api::Expected<controller::etcdopstask::SnapshotAnswer,
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
  std::future<api::Expected<std::monostate, kube::ManagerError>> run_;
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
