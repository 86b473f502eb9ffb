#pragma once
// The real etcd-druid binary (ETCD_DRUID_BIN) started against the in-process
// HTTPS test API server with the druid CRDs and the test namespace, a
// kubeconfig for it, and free metrics and probe ports; and plain HTTP GETs of
// its /metrics, /healthz and /readyz. Only for targets that define
// ETCD_DRUID_BIN.

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "operator/child_process.hpp"
#include "support/eventually.hpp"
#include "support/fixtures.hpp"
#include "support/live_server.hpp"

namespace druid::operator_::test {

struct HttpAnswer {
  int status = 0;  // 0: no connection
  std::string body;
  std::string content_type;
};

inline HttpAnswer http_get(int port, const std::string& path) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(1);
  client.set_read_timeout(5);
  auto result = client.Get(path.c_str());
  if (!result) return {};
  return {result->status, result->body, result->get_header_value("Content-Type")};
}

class OperatorBinaryTest : public ::testing::Test {
 protected:
  explicit OperatorBinaryTest(druid::testing::TestApiServerOptions options = {})
      : live_(std::move(options)) {}

  static constexpr const char* kBinary = ETCD_DRUID_BIN;
  static constexpr const char* kConfigHeader =
      "apiVersion: config.druid.gardener.cloud/v1alpha1\nkind: OperatorConfiguration\n";

  void SetUp() override {
    live_.server().install_crds(std::filesystem::path(DRUID_SOURCE_DIR) / "config" / "crd");
    ASSERT_EQ(kube::test::create_namespace(live_.client(), druid::test::kTestNamespace), "");
    kubeconfig_ = (dir_.path() / "kubeconfig").string();
    live_.server().write_kubeconfig(kubeconfig_);
  }

  // Starts the binary with `config_body` (OperatorConfiguration keys) as --config.
  std::unique_ptr<ChildProcess> start(const std::string& config_body,
                                      std::vector<std::string> extra_args = {},
                                      std::map<std::string, std::string> env = {}) {
    const auto config = dir_.write("config.yaml", kConfigHeader + config_body);
    std::vector<std::string> args = {
        "--config",  config.string(),       "--kubeconfig",
        kubeconfig_, "--health-probe-port", std::to_string(probe_port_)};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    return std::make_unique<ChildProcess>(kBinary, args, env, dir_.path());
  }

  std::string metrics_config() const {
    return "server:\n  metrics:\n    bindAddress: 127.0.0.1\n    port: " +
           std::to_string(metrics_port_) + "\n";
  }

  bool wait_until_ready(std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    return kube::test::eventually([&] { return http_get(probe_port_, "/readyz").status == 200; },
                                  timeout);
  }

  kube::test::LiveServer live_;
  TempDir dir_;
  std::string kubeconfig_;
  int metrics_port_ = free_port();
  int probe_port_ = free_port();
};

}  // namespace druid::operator_::test
