#pragma once
// kubectl-druid run as users run it: through kubectl's plugin discovery (a temporary directory
// holding a `kubectl-druid` symlink to the built binary comes first on PATH), against the
// in-process test API server with druid's CRDs, with a private HOME and KUBECONFIG. Standard
// output and standard error are kept apart, so structured output can be parsed.

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "apiserver/server.hpp"
#include "support/fixtures.hpp"

namespace druid::druidctl::test {

struct RunResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

inline bool kubectl_installed() {
  return std::system("command -v kubectl >/dev/null 2>&1") == 0;
}

inline RunResult run_shell(const std::string& command, const std::filesystem::path& err_file) {
  RunResult result;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
    result.out.append(buffer.data(), n);
  }
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream err(err_file);
  std::stringstream text;
  text << err.rdbuf();
  result.err = text.str();
  return result;
}

class DruidctlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!kubectl_installed()) GTEST_SKIP() << "kubectl is not installed (not on PATH)";
    server_.start();
    started_ = true;
    server_.install_crds(std::filesystem::path(DRUID_SOURCE_DIR) / "config/crd");
    dir_ = std::filesystem::temp_directory_path() /
           fmt::format("druidctl-test-{}-{}", ::getpid(), server_.port());
    std::filesystem::create_directories(dir_ / "bin");
    std::filesystem::create_symlink(KUBECTL_DRUID_BIN, dir_ / "bin" / "kubectl-druid");
    server_.write_kubeconfig(dir_ / "kubeconfig");
  }
  void TearDown() override {
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
    if (started_) server_.stop();
  }

  // `kubectl <args>` with `stdin_text` on standard input and `env` ("A=b C=d") added.
  RunResult kubectl(const std::string& args, const std::string& stdin_text = {},
                    const std::string& env = {}) const {
    { std::ofstream(dir_ / "stdin") << stdin_text; }
    const std::string command = fmt::format(
        "cd '{0}' && HOME='{0}' KUBECONFIG='{0}/kubeconfig' PATH='{0}/bin':\"$PATH\" "
        "DRUIDCTL_POLL_INTERVAL=50ms {1} kubectl {2} <'{0}/stdin' 2>'{0}/stderr'",
        dir_.string(), env, args);
    return run_shell(command, dir_ / "stderr");
  }
  // `kubectl druid <args>`.
  RunResult druid(const std::string& args, const std::string& stdin_text = {},
                  const std::string& env = {}) const {
    return kubectl("druid " + args, stdin_text, env);
  }

  // A valid Etcd (the fixtures' base) named `name` in `ns`, with `labels` on its metadata.
  void create_etcd(const std::string& ns, const std::string& name,
                   const nlohmann::json& labels = nlohmann::json::object()) {
    nlohmann::json etcd = druid::test::base_etcd_json(1);
    etcd["metadata"]["name"] = name;
    etcd["metadata"]["namespace"] = ns;
    etcd["metadata"].erase("uid");
    etcd["metadata"].erase("generation");
    for (const auto& [key, value] : labels.items()) etcd["metadata"]["labels"][key] = value;
    ASSERT_TRUE(server_.put(etcd).has_value()) << name;
  }
  nlohmann::json etcd(const std::string& ns, const std::string& name) const {
    auto found = server_.get("etcds.druid.gardener.cloud", ns, name);
    return found ? *found : nlohmann::json();
  }
  nlohmann::json annotations(const std::string& ns, const std::string& name) const {
    const auto object = etcd(ns, name);
    if (!object.contains("metadata")) return nlohmann::json::object();
    return object["metadata"].value("annotations", nlohmann::json::object());
  }

  druid::testing::TestApiServer server_;
  std::filesystem::path dir_;
  bool started_ = false;
};

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace druid::druidctl::test
