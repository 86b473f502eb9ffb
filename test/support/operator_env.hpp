#pragma once
// The Etcd controller running in-process against a test API server, as the
// operator binary runs it: a manager with the controller's informers and
// workers. Tests create Etcds with the client (or kubectl) and wait for the
// objects the operator writes.

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "api/image_vector.hpp"
#include "api/resources.hpp"
#include "controller/etcd/setup.hpp"
#include "kube/manager.hpp"
#include "support/eventually.hpp"
#include "support/fixtures.hpp"
#include "support/live_server.hpp"

namespace druid::test {

// A fast configuration: short status period so periodic behaviour is seen
// within a test.
inline controller::etcd::EtcdControllerConfig fast_etcd_controller_config() {
  controller::etcd::EtcdControllerConfig config;
  config.status_sync_period = std::chrono::milliseconds(500);
  config.sync_retry_interval = std::chrono::milliseconds(500);
  config.deletion_verify_interval = std::chrono::milliseconds(250);
  return config;
}

// One run of the operator (a manager); stop() and start a new one to model a
// restart.
class OperatorProcess {
 public:
  OperatorProcess(kube::Client& client, controller::etcd::EtcdControllerConfig config,
                  const api::ImageVector& images)
      : manager_(client, kube::ManagerOptions{}) {
    wiring_ = controller::etcd::add_etcd_controller(manager_, images, std::move(config));
    result_ = std::async(std::launch::async, [this] { return manager_.run(); });
  }
  ~OperatorProcess() { stop(); }
  OperatorProcess(const OperatorProcess&) = delete;
  OperatorProcess& operator=(const OperatorProcess&) = delete;

  void stop() {
    if (!result_.valid()) return;
    manager_.request_stop();
    result_.wait();
    result_ = {};
  }
  kube::Manager& manager() { return manager_; }
  // What the Etcd controller reads: its caches.
  component::CachedReader& reader() { return *wiring_->reader; }
  // What the Etcd controller recorded for its per-Etcd metrics.
  const controller::etcd::EtcdMetrics& etcd_metrics() const { return *wiring_->metrics; }
  // Reconciles finished so far (any result).
  std::uint64_t reconciles() const {
    std::uint64_t total = 0;
    for (const auto& metrics : manager_.controller_metrics()) {
      for (const auto& [result, count] : metrics.reconcile_total) total += count;
    }
    return total;
  }

 private:
  kube::Manager manager_;
  std::unique_ptr<controller::etcd::EtcdController> wiring_;
  std::future<util::Expected<std::monostate, kube::ManagerError>> result_;
};

class OperatorEnv {
 public:
  explicit OperatorEnv(
      controller::etcd::EtcdControllerConfig config = fast_etcd_controller_config(),
      bool start = true,
      druid::testing::TestApiServer::CrdRules crds = druid::testing::TestApiServer::CrdRules::kCel)
      : config_(std::move(config)) {
    live_.server().install_crds(std::filesystem::path(DRUID_SOURCE_DIR) / "config" / "crd", crds);
    const auto error = kube::test::create_namespace(live_.client(), kTestNamespace);
    if (!error.empty()) throw std::runtime_error(error);
    operator_client_ = live_.make_client();
    if (start) start_operator();
  }

  void start_operator() {
    op_ =
        std::make_unique<OperatorProcess>(*operator_client_, config_, api::embedded_image_vector());
  }
  void stop_operator() { op_.reset(); }
  OperatorProcess& op() { return *op_; }
  controller::etcd::EtcdControllerConfig& config() { return config_; }

  kube::Client& client() { return live_.client(); }
  druid::testing::TestApiServer& server() { return live_.server(); }

  // The stored object, straight from the server's store (no request counted).
  std::optional<nlohmann::json> get(const std::string& resource, const std::string& name,
                                    const std::string& ns = kTestNamespace) {
    return server().get(resource, ns, name);
  }
  nlohmann::json etcd(const std::string& name = kTestEtcdName) {
    return get("etcds.druid.gardener.cloud", name).value_or(nlohmann::json());
  }

  void create_etcd(nlohmann::json etcd) {
    etcd["metadata"].erase("uid");
    etcd["metadata"].erase("generation");
    auto created = client().create(api::resources::kEtcds, kTestNamespace, etcd);
    if (!created) throw std::runtime_error(created.error().what());
  }
  // Merge-patches the Etcd as a user would (kubectl annotate / edit).
  void patch_etcd(const nlohmann::json& patch, const std::string& name = kTestEtcdName) {
    auto patched = client().patch(api::resources::kEtcds, kTestNamespace, name,
                                  kube::PatchType::kMerge, patch);
    if (!patched) throw std::runtime_error(patched.error().what());
  }

  // Waits until lastOperation has `type`/`state` (and observedGeneration, if given).
  bool wait_for_last_operation(const std::string& type, const std::string& state,
                               std::chrono::milliseconds timeout = std::chrono::seconds(20),
                               const std::string& name = kTestEtcdName) {
    return kube::test::eventually(
        [&] {
          const auto e = etcd(name);
          const auto op = e.value("status", nlohmann::json::object())
                              .value("lastOperation", nlohmann::json::object());
          return op.value("type", "") == type && op.value("state", "") == state;
        },
        timeout);
  }

  // The Events about the Etcd, as "<type> <reason>: <message>" (what `kubectl
  // describe etcd` lists).
  std::vector<std::string> etcd_events(const std::string& name = kTestEtcdName) {
    std::vector<std::string> found;
    auto listed = client().list(kube::resources::kEvents, kTestNamespace);
    if (!listed) return found;
    for (const auto& event : listed->value("items", nlohmann::json::array())) {
      const auto& involved = event["involvedObject"];
      if (involved.value("kind", "") != "Etcd" || involved.value("name", "") != name) continue;
      found.push_back(event.value("type", "") + " " + event.value("reason", "") + ": " +
                      event.value("message", ""));
    }
    return found;
  }
  // Waits for an Event about the Etcd that starts with `prefix`
  // ("Warning MemberNotReady: ..."); the failure lists those there are.
  ::testing::AssertionResult has_event_eventually(const std::string& prefix,
                                                  const std::string& name = kTestEtcdName) {
    const auto found = [&] {
      for (const auto& event : etcd_events(name)) {
        if (event.rfind(prefix, 0) == 0) return true;
      }
      return false;
    };
    if (kube::test::eventually(found)) return ::testing::AssertionSuccess();
    auto failure = ::testing::AssertionFailure() << "no Event starting with \"" << prefix << "\":";
    for (const auto& event : etcd_events(name)) failure << "\n  " << event;
    return failure;
  }

 private:
  kube::test::LiveServer live_;
  controller::etcd::EtcdControllerConfig config_;
  std::unique_ptr<kube::Client> operator_client_;
  std::unique_ptr<OperatorProcess> op_;
};

}  // namespace druid::test
