#pragma once
// The runtime's configuration (the command line, see main.cpp).

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

namespace druid::localenv {

struct RuntimeOptions {
  std::string kubeconfig;
  std::filesystem::path state_dir = ".local";
  bool statefulset_controller = true;
  std::string pod_cidr = "10.213.0.0/24";
  std::string name_prefix = "druid";
  std::filesystem::path member_agent;  // default: next to the runtime binary
  std::chrono::milliseconds pod_start_delay{0};
  std::filesystem::path hosts_out;                                   // default: <state-dir>/hosts
  std::optional<std::chrono::milliseconds> probe_initial_delay_cap;  // none: as in the spec
  std::chrono::milliseconds termination_grace_cap{std::chrono::seconds(30)};
  std::filesystem::path self_binary;  // /proc/self/exe
};

}  // namespace druid::localenv
