// druid-simulate-members: plays, for every Etcd in a (development) API server,
// the cluster parts that server lacks — the StatefulSet controller, the
// kubelet and each member's backup-restore sidecar — through the test
// helper ClusterSimulator, so `kubectl get etcd -owide` turns ready in the
// local environment of `make run SIMULATE_MEMBERS=1`. For an Etcd with a
// backup store it also takes simulated snapshots and plays the compaction Job
// (snapshot_sidecar.hpp), so druid's compaction controller has work. It watches
// (member_simulation.hpp), so an idle cluster costs the server only the lease
// renewals. Runs until SIGINT or SIGTERM. Never point it at a real cluster:
// it writes pods and statuses.

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <csignal>
#include <iostream>
#include <string>
#include <thread>

#include "api/duration.hpp"
#include "kube/client.hpp"
#include "kube/rest_config.hpp"
#include "tools/simulate_members/member_simulation.hpp"

int main(int argc, char** argv) {
  CLI::App app{"druid-simulate-members: simulated pods, member leases and StatefulSet status"};
  std::string kubeconfig;
  std::string ns;
  std::string heartbeat = "10s";
  std::string delta_snapshot_period = "5s";
  std::string compaction_duration = "5s";
  druid::test::MemberSimulationOptions options;
  app.add_option("--kubeconfig", kubeconfig, "kubeconfig of the development API server")
      ->required();
  app.add_option("--namespace", ns, "only Etcds of this namespace (default: all)");
  app.add_option("--heartbeat-duration,--k8s-heartbeat-duration", heartbeat,
                 "how often each member's lease is renewed, as backup-restore's "
                 "--k8s-heartbeat-duration (Go duration)")
      ->capture_default_str();
  app.add_option("--delta-snapshot-period", delta_snapshot_period,
                 "how often the sidecar of an Etcd with a backup store takes a delta snapshot "
                 "(Go duration); short, so a compaction Job comes soon")
      ->capture_default_str();
  app.add_option("--revisions-per-delta", options.snapshots.revisions_per_delta,
                 "etcd revisions each delta snapshot adds to the delta snapshot lease")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--compaction-duration", compaction_duration,
                 "how long a compaction Job runs before it completes (Go duration)")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  options.ns = ns;
  // A Go duration of at least 1ms, or a message naming the flag.
  const auto millis = [](const std::string& flag, const std::string& text,
                         std::chrono::milliseconds& out) {
    auto parsed = druid::api::parse_duration(text);
    if (!parsed || parsed->value < std::chrono::milliseconds(1)) {
      std::cerr << "druid-simulate-members: " << flag << ": "
                << (parsed ? "must be at least 1ms" : parsed.error().message()) << "\n";
      return false;
    }
    out = std::chrono::duration_cast<std::chrono::milliseconds>(parsed->value);
    return true;
  };
  if (!millis("--heartbeat-duration", heartbeat, options.heartbeat) ||
      !millis("--delta-snapshot-period", delta_snapshot_period,
              options.snapshots.delta_snapshot_period) ||
      !millis("--compaction-duration", compaction_duration,
              options.snapshots.compaction_duration)) {
    return 1;
  }

  // Blocked in every thread (the informers' too) so that the waiter below
  // receives them.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  auto rest = druid::kube::load_rest_config(kubeconfig);
  if (!rest) {
    std::cerr << "druid-simulate-members: " << rest.error() << "\n";
    return 1;
  }
  druid::kube::Client client(*rest);
  druid::test::MemberSimulation simulation(client, options);
  std::thread waiter([&] {
    int signal = 0;
    sigwait(&stop, &signal);
    simulation.request_stop();
  });
  simulation.run();  // returns only after request_stop()
  waiter.join();
  return 0;
}
