// bench/real_cluster: real etcd clusters run by the local pod runtime
// (test/localenv) from what the etcd-druid binary creates. Measures, for
// several runs, the time from creating the Etcd to Ready (1 and 3 members), the
// write unavailability when the leader's pod is deleted (a client writes every
// 10 ms through every member's endpoint) and the memory of one member (etcd
// plus both agents, RSS). Prints medians as a Markdown table for
// docs/benchmarks.md.
//
//   real-cluster-bench [--runs 3]

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "e2e/real_cluster.hpp"

namespace {

using namespace std::chrono_literals;
using druid::e2e::RealCluster;
using Clock = std::chrono::steady_clock;

double median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const auto n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Resident memory of a process and its descendants, in MiB.
double tree_rss_mib(pid_t pid) {
  double kib = 0;
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string key;
  while (status >> key) {
    if (key == "VmRSS:") {
      double value = 0;
      status >> value;
      kib += value;
      break;
    }
  }
  std::ifstream children("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) +
                         "/children");
  pid_t child = 0;
  double below = 0;
  while (children >> child) below += tree_rss_mib(child);
  return kib / 1024 + below;
}

struct Sample {
  double ready_seconds = 0;
  double write_gap_ms = 0;  // leader pod deletion, 3 members only
  int failed_writes = 0;
  double member_rss_mib = 0;
};

Sample run(int replicas) {
  RealCluster cluster;
  const std::string name = "bench" + std::to_string(replicas);
  const auto start = Clock::now();
  cluster.create_etcd(druid::e2e::etcd_manifest(name, replicas));
  if (!cluster.wait_ready(name, replicas, 300s)) {
    std::fprintf(stderr, "%s did not become ready\n%s\n", name.c_str(),
                 cluster.runtime_log().c_str());
    std::exit(1);
  }
  Sample sample;
  sample.ready_seconds = seconds_since(start);
  for (const auto* container : {"etcd", "backup-restore"}) {
    if (const auto pid = cluster.container_pid(name + "-0", container)) {
      sample.member_rss_mib += tree_rss_mib(*pid);
    }
  }
  if (replicas < 3) return sample;

  // Delete the leader's pod while a client writes every 10 ms.
  std::string leader;
  for (int i = 0; i < replicas && leader.empty(); ++i) {
    const auto pod = name + "-" + std::to_string(i);
    if (const auto s = cluster.member_client(pod)->status(); s && s->leader == s->member_id) {
      leader = pod;
    }
  }
  if (leader.empty()) {
    std::fprintf(stderr, "no member reports itself leader\n");
    std::exit(1);
  }
  std::fprintf(stderr, "deleting the leader's pod %s\n", leader.c_str());
  auto client = cluster.cluster_client(name, replicas, 2s);
  const auto old_uid = cluster.pod(leader)->at("metadata").value("uid", "");
  auto last_success = Clock::now();
  double longest_gap = 0;
  bool deleted = false;
  bool recovered = false;
  const auto deadline = Clock::now() + 180s;
  for (int i = 0; i < 18000 && Clock::now() < deadline; ++i) {
    const auto begin = Clock::now();
    if (client->put("k" + std::to_string(i), "v")) {
      longest_gap = std::max(
          longest_gap, std::chrono::duration<double, std::milli>(begin - last_success).count());
      last_success = Clock::now();
    } else {
      ++sample.failed_writes;
    }
    if (!deleted && i == 100) {
      if (!cluster.client().remove(druid::kube::resources::kPods, druid::e2e::kNamespace, leader)) {
        std::fprintf(stderr, "cannot delete pod %s\n", leader.c_str());
        std::exit(1);
      }
      deleted = true;
    }
    if (deleted && i % 50 == 0) {
      const auto p = cluster.pod(leader);
      if (p && p->at("metadata").value("uid", "") != old_uid && cluster.pod_ready(leader)) {
        recovered = true;
        break;
      }
    }
    std::this_thread::sleep_until(begin + 10ms);
  }
  if (!recovered) std::fprintf(stderr, "the deleted leader's pod did not come back in time\n");
  sample.write_gap_ms = longest_gap;
  return sample;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Real etcd clusters from the etcd-druid binary (docs/benchmarks.md)"};
  int runs = 3;
  app.add_option("--runs", runs, "runs per case");
  CLI11_PARSE(app, argc, argv);
  if (const auto reason = druid::e2e::real_members_unavailable(); !reason.empty()) {
    std::fprintf(stderr, "real-cluster-bench: skipped: %s\n", reason.c_str());
    return 0;
  }
  std::printf(
      "| members | create → Ready (s) | leader pod deleted: longest write gap (ms) | "
      "failed writes | RSS of one member (etcd + agents, MiB) |\n|---|---|---|---|---|\n");
  for (const int replicas : {1, 3}) {
    std::vector<double> ready, gap, failed, rss;
    for (int r = 0; r < runs; ++r) {
      const auto s = run(replicas);
      ready.push_back(s.ready_seconds);
      gap.push_back(s.write_gap_ms);
      failed.push_back(s.failed_writes);
      rss.push_back(s.member_rss_mib);
      std::fprintf(
          stderr, "run %d, %d members: ready %.1f s, gap %.0f ms, failed %d, rss %.1f MiB\n", r + 1,
          replicas, s.ready_seconds, s.write_gap_ms, s.failed_writes, s.member_rss_mib);
    }
    if (replicas < 3) {
      std::printf("| %d | %.1f | – | – | %.1f |\n", replicas, median(ready), median(rss));
    } else {
      std::printf("| %d | %.1f | %.0f | %.0f | %.1f |\n", replicas, median(ready), median(gap),
                  median(failed), median(rss));
    }
  }
  return 0;
}
