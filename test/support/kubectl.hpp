#pragma once
// kubectl (v1.32) run as a user would, against a test API server: a private
// HOME and KUBECONFIG in a temporary directory, an explicit request timeout,
// the repository as working directory (so `-f examples/...` works).

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "apiserver/server.hpp"

namespace druid::test {

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

inline bool kubectl_available() {
  return std::system("command -v kubectl >/dev/null 2>&1") == 0;
}

class Kubectl {
 public:
  explicit Kubectl(const druid::testing::TestApiServer& server)
      : dir_(
            std::filesystem::temp_directory_path() /
            ("druid-kubectl-" + std::to_string(::getpid()) + "-" + std::to_string(server.port()))) {
    std::filesystem::create_directories(dir_);
    server.write_kubeconfig(dir_ / "kubeconfig");
  }
  ~Kubectl() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  Kubectl(const Kubectl&) = delete;
  Kubectl& operator=(const Kubectl&) = delete;

  CommandResult operator()(const std::string& args, const std::string& env = {}) const {
    const std::string command = "cd '" + std::string(DRUID_SOURCE_DIR) + "' && HOME='" +
                                dir_.string() + "' KUBECONFIG='" + (dir_ / "kubeconfig").string() +
                                "' " + env + " kubectl --request-timeout=20s " + args + " 2>&1";
    CommandResult result;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) return result;
    std::array<char, 4096> buffer{};
    std::size_t n = 0;
    while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
      result.output.append(buffer.data(), n);
    }
    const int status = ::pclose(pipe);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
  }

  // An executable EDITOR script for `kubectl edit`.
  std::string editor(const std::string& name, const std::string& script) const {
    const auto path = dir_ / name;
    std::ofstream(path) << "#!/bin/sh\n" << script << "\n";
    std::filesystem::permissions(path, std::filesystem::perms::owner_all);
    return "EDITOR='" + path.string() + "'";
  }

 private:
  std::filesystem::path dir_;
};

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace druid::test
