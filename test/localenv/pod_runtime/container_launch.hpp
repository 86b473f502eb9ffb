#pragma once
// Starting one container: the runtime spawns its own binary as
// `druid-pod-runtime exec-container <spec.json>` (stdout/stderr on the
// container's log, a new session), which enters the pod's network namespace,
// makes a private mount and UTS namespace, builds the pod root with bind
// mounts, chroots and execs the program. The pid of that helper is the pid
// of the container's program.

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "localenv/pod_runtime/volume_plan.hpp"
#include "util/expected.hpp"

namespace druid::localenv {

inline constexpr const char* kMemberAgentPath = "/druid/bin/druid-member-agent";
inline constexpr const char* kPodKubeconfigPath = "/var/run/druid-runtime/kubeconfig";

struct LaunchSpec {
  std::string netns;  // under /var/run/netns
  std::string hostname;
  std::filesystem::path root;        // the pod root (mount points are created in it)
  std::filesystem::path hosts_file;  // bound on /etc/hosts
  std::filesystem::path tmp_dir;     // bound on /tmp
  std::filesystem::path member_agent;
  std::vector<ContainerMount> mounts;
  std::vector<std::string> argv;
  std::vector<std::string> env;  // "K=V"
  std::string working_dir;
};

nlohmann::json to_json(const LaunchSpec& spec);
LaunchSpec launch_spec_from_json(const nlohmann::json& json);

// Spawns `self_binary exec-container <spec_file>`; output appended to `log_file`.
util::Expected<pid_t, std::string> spawn_container(const std::filesystem::path& self_binary,
                                                   const LaunchSpec& spec,
                                                   const std::filesystem::path& spec_file,
                                                   const std::filesystem::path& log_file);

// The helper's body: never returns on success (execs the program); returns
// the exit code after printing the reason on failure.
int exec_container(const std::filesystem::path& spec_file);

}  // namespace druid::localenv
