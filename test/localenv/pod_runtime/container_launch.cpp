#include "localenv/pod_runtime/container_launch.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

extern char** environ;

namespace druid::localenv {
namespace fs = std::filesystem;

nlohmann::json to_json(const LaunchSpec& spec) {
  nlohmann::json mounts = nlohmann::json::array();
  for (const auto& m : spec.mounts) {
    mounts.push_back({{"hostPath", m.host_path.string()},
                      {"containerPath", m.container_path},
                      {"readOnly", m.read_only}});
  }
  return {{"netns", spec.netns},
          {"hostname", spec.hostname},
          {"root", spec.root.string()},
          {"hostsFile", spec.hosts_file.string()},
          {"tmpDir", spec.tmp_dir.string()},
          {"memberAgent", spec.member_agent.string()},
          {"mounts", mounts},
          {"argv", spec.argv},
          {"env", spec.env},
          {"workingDir", spec.working_dir}};
}

LaunchSpec launch_spec_from_json(const nlohmann::json& json) {
  LaunchSpec spec;
  spec.netns = json.value("netns", "");
  spec.hostname = json.value("hostname", "");
  spec.root = json.value("root", "");
  spec.hosts_file = json.value("hostsFile", "");
  spec.tmp_dir = json.value("tmpDir", "");
  spec.member_agent = json.value("memberAgent", "");
  for (const auto& m : json.value("mounts", nlohmann::json::array())) {
    spec.mounts.push_back(
        {m.value("hostPath", ""), m.value("containerPath", ""), m.value("readOnly", false)});
  }
  spec.argv = json.value("argv", std::vector<std::string>{});
  spec.env = json.value("env", std::vector<std::string>{});
  spec.working_dir = json.value("workingDir", "");
  return spec;
}

util::Expected<pid_t, std::string> spawn_container(const fs::path& self_binary,
                                                   const LaunchSpec& spec,
                                                   const fs::path& spec_file,
                                                   const fs::path& log_file) {
  {
    std::ofstream out(spec_file, std::ios::trunc);
    out << to_json(spec).dump(2);
    if (!out) return util::Unexpected<std::string>{"cannot write " + spec_file.string()};
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                   0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Own session: a terminal's Ctrl-C reaches the runtime, which stops pods in order.
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  sigset_t empty_mask, all_signals;
  sigemptyset(&empty_mask);
  sigfillset(&all_signals);
  posix_spawnattr_setsigmask(&attr, &empty_mask);
  posix_spawnattr_setsigdefault(&attr, &all_signals);
  const std::string self = self_binary.string();
  const std::string sub = "exec-container";
  const std::string file = spec_file.string();
  char* argv[] = {const_cast<char*>(self.c_str()), const_cast<char*>(sub.c_str()),
                  const_cast<char*>(file.c_str()), nullptr};
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, self.c_str(), &actions, &attr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    return util::Unexpected<std::string>{"spawn " + self + ": " + std::strerror(rc)};
  }
  return pid;
}

namespace {

struct Failure {
  std::string message;
};

void check(int rc, const std::string& what) {
  if (rc != 0) throw Failure{what + ": " + std::strerror(errno)};
}

void bind(const fs::path& source, const fs::path& target, bool read_only) {
  check(mount(source.c_str(), target.c_str(), nullptr, MS_BIND | MS_REC, nullptr),
        "bind " + source.string() + " on " + target.string());
  if (read_only) {
    check(mount(nullptr, target.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr),
          "read-only remount of " + target.string());
  }
}

// A mount point of the source's type (directory or empty file) at `target`.
void make_mount_point(const fs::path& source, const fs::path& target) {
  std::error_code ec;
  if (fs::is_directory(source)) {
    fs::create_directories(target, ec);
    if (ec) throw Failure{"mkdir " + target.string() + ": " + ec.message()};
  } else {
    fs::create_directories(target.parent_path(), ec);
    if (ec) throw Failure{"mkdir " + target.parent_path().string() + ": " + ec.message()};
    if (!fs::exists(target)) std::ofstream(target).close();
  }
}

// /etc as a tmpfs of read-only bind mounts of the host's entries, so volumes
// can be mounted below /etc (the local backup bucket is) without touching the
// host's /etc, and /etc/hosts can be the pod's.
void mount_etc(const fs::path& root, const fs::path& hosts_file, const std::string& hostname) {
  const auto etc = root / "etc";
  fs::create_directories(etc);
  check(mount("tmpfs", etc.c_str(), "tmpfs", 0, "mode=0755,size=16m"), "tmpfs on " + etc.string());
  for (const auto& entry : fs::directory_iterator("/etc")) {
    const auto name = entry.path().filename();
    if (name == "hosts" || name == "hostname") continue;
    const auto target = etc / name;
    std::error_code ec;
    if (entry.is_symlink(ec)) {
      fs::create_symlink(fs::read_symlink(entry.path()), target, ec);
      continue;
    }
    if (entry.is_directory(ec)) {
      fs::create_directory(target, ec);
    } else {
      std::ofstream(target).close();
    }
    if (mount(entry.path().c_str(), target.c_str(), nullptr, MS_BIND | MS_REC, nullptr) == 0) {
      mount(nullptr, target.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr);
    }
  }
  std::ofstream(etc / "hostname") << hostname << "\n";
  std::ofstream(etc / "hosts").close();
  bind(hosts_file, etc / "hosts", false);
}

void build_root(const LaunchSpec& spec) {
  const auto& root = spec.root;
  fs::create_directories(root);
  for (const char* dir : {"usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32"}) {
    const fs::path host = fs::path("/") / dir;
    const auto target = root / dir;
    std::error_code ec;
    if (fs::is_symlink(host, ec)) {
      if (!fs::is_symlink(target, ec)) fs::create_symlink(fs::read_symlink(host), target, ec);
    } else if (fs::is_directory(host, ec)) {
      fs::create_directories(target, ec);
      bind(host, target, true);
    }
  }
  mount_etc(root, spec.hosts_file, spec.hostname);
  for (const char* dir : {"dev", "proc", "sys"}) {
    fs::create_directories(root / dir);
    bind(fs::path("/") / dir, root / dir, false);
  }
  fs::create_directories(root / "tmp");
  fs::create_directories(spec.tmp_dir);
  bind(spec.tmp_dir, root / "tmp", false);
  if (!spec.member_agent.empty() && fs::exists(spec.member_agent)) {
    const auto target = root / fs::path(kMemberAgentPath).relative_path();
    make_mount_point(spec.member_agent, target);
    bind(spec.member_agent, target, true);
  }
  for (const auto& m : spec.mounts) {
    const auto target = root / fs::path(m.container_path).relative_path();
    make_mount_point(m.host_path, target);
    bind(m.host_path, target, m.read_only);
  }
}

}  // namespace

int exec_container(const fs::path& spec_file) {
  LaunchSpec spec;
  try {
    std::ifstream in(spec_file);
    spec = launch_spec_from_json(nlohmann::json::parse(in));
  } catch (const std::exception& e) {
    std::cerr << "druid-pod-runtime exec-container: cannot read " << spec_file << ": " << e.what()
              << "\n";
    return 126;
  }
  try {
    if (spec.argv.empty()) throw Failure{"no command to run"};
    const auto netns = "/var/run/netns/" + spec.netns;
    const int fd = open(netns.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw Failure{"open " + netns + ": " + std::strerror(errno)};
    check(setns(fd, CLONE_NEWNET), "setns " + netns);
    close(fd);
    check(unshare(CLONE_NEWNS | CLONE_NEWUTS), "unshare");
    check(mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr), "make / private");
    check(sethostname(spec.hostname.c_str(), spec.hostname.size()), "sethostname");
    build_root(spec);
    check(chroot(spec.root.c_str()), "chroot " + spec.root.string());
    const std::string dir = spec.working_dir.empty() ? "/" : spec.working_dir;
    check(chdir(dir.c_str()), "chdir " + dir);
  } catch (const Failure& failure) {
    std::cerr << "druid-pod-runtime exec-container: " << failure.message << "\n";
    return 126;
  } catch (const std::exception& e) {
    std::cerr << "druid-pod-runtime exec-container: " << e.what() << "\n";
    return 126;
  }
  std::vector<char*> argv, envp;
  for (auto& a : spec.argv) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : spec.env) envp.push_back(e.data());
  envp.push_back(nullptr);
  // PATH lookup uses the container's PATH.
  environ = envp.data();
  execvpe(argv[0], argv.data(), envp.data());
  std::cerr << "druid-pod-runtime exec-container: exec " << spec.argv[0] << ": "
            << std::strerror(errno) << "\n";
  return 127;
}

}  // namespace druid::localenv
