// The example program users start from (examples/create-etcd) creates an Etcd
// in a real (test) API server, which validates it with the CRD's rules.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

#include "apiserver/server.hpp"

namespace druid::testing {
namespace {

struct CommandResult {
  int exit_code = -1;
  std::string output;
};

CommandResult run(const std::string& command) {
  CommandResult result;
  const auto with_stderr = fmt::format("{} 2>&1", command);
  FILE* pipe = popen(with_stderr.c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buffer{};
  while (fgets(buffer.data(), buffer.size(), pipe) != nullptr) result.output += buffer.data();
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

class CreateEtcdExample : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.start();
    server_.install_crds(std::filesystem::path(DRUID_SOURCE_DIR) / "config/crd");
    kubeconfig_ = std::filesystem::temp_directory_path() /
                  fmt::format("create-etcd-{}.kubeconfig", server_.port());
    server_.write_kubeconfig(kubeconfig_);
  }
  void TearDown() override {
    std::filesystem::remove(kubeconfig_);
    server_.stop();
  }
  CommandResult create_etcd(const std::string& args) {
    return run(fmt::format("{} --kubeconfig {} {}", CREATE_ETCD_BIN, kubeconfig_.string(), args));
  }

  TestApiServer server_;
  std::filesystem::path kubeconfig_;
};

TEST_F(CreateEtcdExample, CreatesAValidEtcd) {
  auto result = create_etcd("--name etcd-demo --namespace default --replicas 3");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("etcd.druid.gardener.cloud/etcd-demo created"), std::string::npos)
      << result.output;
  auto etcd = server_.get("etcds.druid.gardener.cloud", "default", "etcd-demo");
  ASSERT_TRUE(etcd.has_value());
  EXPECT_EQ((*etcd)["spec"]["replicas"], 3);
  EXPECT_EQ((*etcd)["spec"]["etcd"]["quota"], "8Gi");
  EXPECT_EQ((*etcd)["metadata"]["generation"], 1);
}

TEST_F(CreateEtcdExample, SecondCreateReportsAlreadyExists) {
  ASSERT_EQ(create_etcd("--name etcd-demo").exit_code, 0);
  auto again = create_etcd("--name etcd-demo");
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.output.find("already exists"), std::string::npos) << again.output;
  EXPECT_EQ(create_etcd("--name etcd-demo --ignore-existing").exit_code, 0);
}

TEST_F(CreateEtcdExample, InvalidNameIsRefusedBeforeSending) {
  auto result = create_etcd("--name Bad_Name");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.output.find("metadata.name: Invalid value: \"Bad_Name\""), std::string::npos)
      << result.output;
  EXPECT_FALSE(server_.get("etcds.druid.gardener.cloud", "default", "Bad_Name").has_value());
}

TEST_F(CreateEtcdExample, MissingKubeconfigIsAClearError) {
  auto result = run(fmt::format("{} --kubeconfig /nonexistent/kubeconfig", CREATE_ETCD_BIN));
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.output.find("/nonexistent/kubeconfig"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace druid::testing
