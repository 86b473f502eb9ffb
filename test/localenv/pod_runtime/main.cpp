// druid-pod-runtime: runs the pods of etcd-druid's StatefulSets as local
// processes in network namespaces (test/localenv/README.md).
//
//   druid-pod-runtime --kubeconfig K [--state-dir .local] [...]
//   druid-pod-runtime --once-cleanup [--name-prefix druid] [--state-dir .local]
//   druid-pod-runtime exec-container SPEC   (internal: one container's process)

#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <iostream>
#include <string>
#include <thread>

#include "api/duration.hpp"
#include "kube/rest_config.hpp"
#include "localenv/pod_runtime/container_launch.hpp"
#include "localenv/pod_runtime/ip_allocator.hpp"
#include "localenv/pod_runtime/pod_network.hpp"
#include "localenv/pod_runtime/runtime.hpp"

namespace {

namespace fs = std::filesystem;
using druid::localenv::RuntimeOptions;

std::chrono::milliseconds parse_duration_flag(const std::string& flag, const std::string& text) {
  const auto parsed = druid::api::parse_duration(text);
  if (!parsed || parsed->value.count() < 0) {
    throw CLI::ValidationError(flag, "invalid duration \"" + text + "\" (e.g. 0s, 500ms, 2m)");
  }
  return std::chrono::duration_cast<std::chrono::milliseconds>(parsed->value);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "exec-container") {
    return druid::localenv::exec_container(argv[2]);
  }

  RuntimeOptions options;
  std::string state_dir = ".local", member_agent, hosts_out, start_delay = "0s", probe_cap,
              grace_cap = "30s", log_level = "info";
  bool once_cleanup = false;
  CLI::App app{"druid-pod-runtime: runs etcd-druid's StatefulSet pods as local processes"};
  app.add_option("--kubeconfig", options.kubeconfig, "kubeconfig of the API server");
  app.add_option("--state-dir", state_dir, "where pods, volumes and state live")
      ->capture_default_str();
  app.add_option("--statefulset-controller", options.statefulset_controller,
                 "also play the StatefulSet controller (false when a kube-controller-manager runs)")
      ->capture_default_str();
  app.add_option("--pod-cidr", options.pod_cidr, "pod network; the bridge takes the first address")
      ->capture_default_str();
  app.add_option("--name-prefix", options.name_prefix,
                 "prefix of the bridge, namespaces and interfaces of this instance")
      ->capture_default_str();
  app.add_option("--member-agent", member_agent,
                 "druid-member-agent binary (default: next to this binary)");
  app.add_option("--pod-start-delay", start_delay, "delay before a new pod's containers start")
      ->capture_default_str();
  app.add_option("--hosts-out", hosts_out, "host-side hosts file (default <state-dir>/hosts)");
  app.add_option("--probe-initial-delay-cap", probe_cap,
                 "cap on readinessProbe.initialDelaySeconds (default: as in the spec)");
  app.add_option("--termination-grace-cap", grace_cap, "cap on terminationGracePeriodSeconds")
      ->capture_default_str();
  app.add_option("--log-level", log_level, "debug, info, warn, error")->capture_default_str();
  app.add_flag("--once-cleanup", once_cleanup,
               "remove leftovers of an instance with this prefix and exit");
  CLI11_PARSE(app, argc, argv);

  try {
    options.pod_start_delay = parse_duration_flag("--pod-start-delay", start_delay);
    options.termination_grace_cap = parse_duration_flag("--termination-grace-cap", grace_cap);
    if (!probe_cap.empty()) {
      options.probe_initial_delay_cap = parse_duration_flag("--probe-initial-delay-cap", probe_cap);
    }
  } catch (const CLI::ValidationError& e) {
    std::cerr << e.what() << "\n";
    return 2;
  }
  spdlog::set_level(spdlog::level::from_str(log_level));
  if (auto valid = druid::localenv::validate_prefix(options.name_prefix); !valid) {
    std::cerr << valid.error() << "\n";
    return 2;
  }
  if (geteuid() != 0) {
    std::cerr << "druid-pod-runtime needs root (network namespaces, mounts, chroot)\n";
    return 2;
  }
  options.state_dir = fs::absolute(state_dir);
  options.hosts_out = hosts_out.empty() ? options.state_dir / "hosts" : fs::absolute(hosts_out);
  std::error_code ec;
  options.self_binary = fs::read_symlink("/proc/self/exe", ec);
  options.member_agent = member_agent.empty()
                             ? options.self_binary.parent_path() / "druid-member-agent"
                             : fs::absolute(member_agent);

  if (once_cleanup) {
    for (const auto& thing :
         druid::localenv::cleanup_leftovers(options.name_prefix, options.state_dir)) {
      std::cout << "removed leftover " << thing << "\n";
    }
    return 0;
  }

  const auto cidr = druid::localenv::parse_ipv4_cidr(options.pod_cidr);
  if (!cidr) {
    std::cerr << "--pod-cidr: " << cidr.error() << "\n";
    return 2;
  }
  auto config = druid::kube::load_rest_config(
      options.kubeconfig.empty() ? std::nullopt : std::optional<std::string>(options.kubeconfig));
  if (!config) {
    std::cerr << config.error() << "\n";
    return 2;
  }
  if (!fs::exists(options.member_agent)) {
    std::cerr << "warning: member agent " << options.member_agent
              << " not found; etcd pods will fail to start\n";
  }

  // SIGTERM/SIGINT: blocked in every thread, taken by one watcher.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  std::atomic<bool> stop{false};
  std::atomic<bool> done{false};
  std::thread watcher([&] {
    while (!done) {
      timespec timeout{0, 200 * 1000 * 1000};
      const int sig = sigtimedwait(&stop_signals, nullptr, &timeout);
      if (sig > 0) {
        if (stop) _exit(1);  // a second signal: give up waiting
        stop = true;
      }
    }
  });
  int code = 0;
  {
    druid::localenv::Runtime runtime(options, std::move(*config), *cidr);
    code = runtime.run(stop);
  }
  done = true;
  watcher.join();
  return code;
}
