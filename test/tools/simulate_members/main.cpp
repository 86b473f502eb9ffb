// druid-simulate-members: plays, for every Etcd in a (development) API server,
// the cluster parts that server lacks — the StatefulSet controller, the
// kubelet and each member's backup-restore sidecar — through the test
// helper ClusterSimulator, so `kubectl get etcd -owide` turns ready in the
// local environment of `make run SIMULATE_MEMBERS=1`. Runs until SIGINT or
// SIGTERM. Never point it at a real cluster: it writes pods and statuses.

#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <ctime>
#include <iostream>
#include <map>
#include <memory>
#include <string>

#include "kube/client.hpp"
#include "kube/rest_config.hpp"
#include "support/cluster_simulator.hpp"

namespace {

constexpr timespec kRound{0, 100'000'000};  // 100 ms between rounds

// One simulator per Etcd; simulators of deleted Etcds are dropped.
void sync_all(druid::kube::Client& client, const std::string& ns,
              std::map<std::string, std::unique_ptr<druid::test::ClusterSimulator>>& simulators) {
  auto etcds = client.list(druid::kube::resources::kEtcds, ns);
  if (!etcds) {
    spdlog::warn("cannot list Etcds: {}", etcds.error().what());
    return;
  }
  std::map<std::string, std::unique_ptr<druid::test::ClusterSimulator>> next;
  for (const auto& etcd : (*etcds)["items"]) {
    const auto& meta = etcd["metadata"];
    const std::string etcd_ns = meta.value("namespace", "");
    const std::string name = meta.value("name", "");
    const std::string key = etcd_ns + "/" + name;
    auto found = simulators.find(key);
    auto simulator = found != simulators.end()
                         ? std::move(found->second)
                         : std::make_unique<druid::test::ClusterSimulator>(client, name, etcd_ns);
    if (found == simulators.end()) spdlog::info("simulating the members of Etcd {}", key);
    simulator->sync();  // false until druid created the StatefulSet: fine
    next.emplace(key, std::move(simulator));
  }
  simulators = std::move(next);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"druid-simulate-members: simulated pods, member leases and StatefulSet status"};
  std::string kubeconfig;
  std::string ns;
  app.add_option("--kubeconfig", kubeconfig, "kubeconfig of the development API server")
      ->required();
  app.add_option("--namespace", ns, "only Etcds of this namespace (default: all)");
  CLI11_PARSE(app, argc, argv);

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
  std::map<std::string, std::unique_ptr<druid::test::ClusterSimulator>> simulators;
  while (sigtimedwait(&stop, nullptr, &kRound) <= 0) sync_all(client, ns, simulators);
  return 0;
}
