#pragma once
// A started test API server and an admin client per test, plus object builders.

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "apiserver/server.hpp"
#include "apiserver/tests/test_client.hpp"

namespace druid::testing {

class ApiServerTest : public ::testing::Test {
 protected:
  static TestApiServerOptions default_options() {
    TestApiServerOptions o;
    o.threads = 32;
    return o;
  }
  explicit ApiServerTest(TestApiServerOptions options = default_options()) : server_(options) {}

  void SetUp() override {
    server_.start();
    client_ = std::make_unique<TestClient>(server_);
  }
  void TearDown() override {
    client_.reset();
    server_.stop();
  }

  static nlohmann::json configmap(const std::string& name, nlohmann::json labels = nullptr,
                                  const std::string& ns = "default") {
    nlohmann::json o = {{"apiVersion", "v1"},
                        {"kind", "ConfigMap"},
                        {"metadata", {{"name", name}, {"namespace", ns}}},
                        {"data", {{"k", "v"}}}};
    if (!labels.is_null()) o["metadata"]["labels"] = labels;
    return o;
  }

  static nlohmann::json statefulset(const std::string& name, int replicas = 1) {
    using nlohmann::json;
    json container = {{"name", "c"}, {"image", "busybox"}};
    json pod_template = {{"metadata", {{"labels", {{"app", name}}}}},
                         {"spec", {{"containers", json::array({container})}}}};
    json spec = {{"replicas", replicas},
                 {"serviceName", name},
                 {"selector", {{"matchLabels", {{"app", name}}}}},
                 {"template", pod_template}};
    return {{"apiVersion", "apps/v1"},
            {"kind", "StatefulSet"},
            {"metadata", {{"name", name}, {"namespace", "default"}}},
            {"spec", spec}};
  }

  // Creates and returns the stored object (fails the test on error).
  nlohmann::json create(const std::string& collection_path, const nlohmann::json& object) {
    auto r = client_->post(collection_path, object);
    EXPECT_EQ(r.status, 201) << r.text;
    return r.body;
  }

  void install_druid_crds() {
    server_.install_crds(std::filesystem::path(DRUID_SOURCE_DIR) / "config" / "crd");
  }

  // Polls `condition` until it holds or the deadline passes.
  static bool eventually(const std::function<bool()>& condition,
                         std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (condition()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return condition();
  }

  TestApiServer server_;
  std::unique_ptr<TestClient> client_;
};

inline constexpr const char* kConfigMaps = "/api/v1/namespaces/default/configmaps";
inline constexpr const char* kStatefulSets = "/apis/apps/v1/namespaces/default/statefulsets";
inline constexpr const char* kEtcds =
    "/apis/druid.gardener.cloud/v1alpha1/namespaces/default/etcds";

}  // namespace druid::testing
