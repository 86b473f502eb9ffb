// druid-simulate-members: plays, for every Etcd in a (development) API server,
// the cluster parts that server lacks — the StatefulSet controller, the
// kubelet and each member's backup-restore sidecar — through the test
// helper ClusterSimulator, so `kubectl get etcd -owide` turns ready in the
// local environment of `make run SIMULATE_MEMBERS=1`. It watches
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
  app.add_option("--kubeconfig", kubeconfig, "kubeconfig of the development API server")
      ->required();
  app.add_option("--namespace", ns, "only Etcds of this namespace (default: all)");
  app.add_option("--heartbeat-duration,--k8s-heartbeat-duration", heartbeat,
                 "how often each member's lease is renewed, as backup-restore's "
                 "--k8s-heartbeat-duration (Go duration)")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  druid::test::MemberSimulationOptions options;
  options.ns = ns;
  auto period = druid::api::parse_duration(heartbeat);
  if (!period || period->value < std::chrono::milliseconds(1)) {
    std::cerr << "druid-simulate-members: --heartbeat-duration: "
              << (period ? "must be at least 1ms" : period.error().message()) << "\n";
    return 1;
  }
  options.heartbeat = std::chrono::duration_cast<std::chrono::milliseconds>(period->value);

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
