// bench/reconcile: the operator binary against the in-process test API server.
// For N Etcds (3 members, backup store) it measures the time until every one
// reports lastOperation Succeeded, the API requests the operator sent per Etcd
// by verb (and their ratio to the minimum: one create per object plus the
// finalizer and status writes), writes per minute in a steady state with
// nothing changing, and the operator's peak RSS and CPU seconds. Each case runs
// several times; medians are printed as a Markdown table for
// docs/benchmarks.md.
//
// --shape cluster gives the namespace what a real cluster holds besides the
// objects druid creates (issue 16): per Etcd 3 Pods as a kubelet reports them,
// 3 PVCs that stay Pending (no provisioner) each with a Warning event, and 10
// unrelated Events; the steady state then also counts reads (every verb).
//
// --faults (issue 13 §1) runs each size twice, unthrottled: fault-free, then with 10% of the
// requests failing in apiserver/controls.hpp's FaultMix and 0–10 ms added to each, every watch cut
// every 5 s (every other cut answering the resumes 410 Gone) and one API-server restart 10 s in; it
// reports both times, the requests and their ratio, the faults injected, peak RSS, and whether the
// namespace ended equal to the fault-free run's (support/managed_state.hpp).
//
//   reconcile-bench [--sizes 1,100,1000] [--runs 5] [--steady-seconds 30]
//                   [--modes limited,unlimited] [--shape bare|cluster] [--faults]

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "api/resources.hpp"
#include "apiserver/server.hpp"
#include "kube/client.hpp"
#include "support/managed_state.hpp"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr const char* kNamespace = "bench";
// The objects one Etcd with a store needs: SA, Role, RoleBinding, 3 member
// leases, 2 snapshot leases, PDB, 2 Services, ConfigMap, StatefulSet = 13
// creates; plus the finalizer patch and two status writes: lastOperation
// Processing, then one with Succeeded, observedGeneration and the first
// computed status together.
constexpr double kMinimumCreates = 13;
constexpr double kMinimumPatches = 3;

struct Sample {
  double seconds_to_succeeded = 0;
  std::map<std::string, double> requests_per_etcd;  // by verb
  double writes_per_minute_steady = 0;
  double requests_per_minute_steady = 0;  // every verb
  double cpu_seconds_per_minute_steady = 0;
  double peak_rss_mib = 0;
  double steady_rss_mib = 0;  // at the end of the steady state
  double cpu_seconds = 0;
};

json etcd(int i) {
  return {{"apiVersion", "druid.gardener.cloud/v1alpha1"},
          {"kind", "Etcd"},
          {"metadata", {{"name", "etcd-" + std::to_string(i)}, {"namespace", kNamespace}}},
          {"spec",
           {{"replicas", 3},
            {"labels", {{"app", "etcd-statefulset"}}},
            {"etcd", json::object()},
            {"backup",
             {{"store",
               {{"provider", "aws"},
                {"prefix", "bench/etcd-" + std::to_string(i)},
                {"container", "etcd-bucket"},
                {"secretRef", {{"name", "etcd-backup"}}}}}}}}}};
}

// What a kubelet reports for pod `ordinal` of Etcd `i`: labels as the
// StatefulSet controller sets them, a spec and status of realistic size.
json kubelet_pod(int i, int ordinal) {
  const std::string etcd_name = "etcd-" + std::to_string(i);
  const std::string name = etcd_name + "-" + std::to_string(ordinal);
  json container = {{"name", "etcd"},
                    {"image",
                     "europe-docker.pkg.dev/gardener-project/releases/gardener/"
                     "etcd-wrapper:v0.4.2"},
                    {"args",
                     {"start-etcd", "--backup-restore-host-port=" + name + "-local:8080",
                      "--etcd-server-name=" + etcd_name + "-local"}},
                    {"ports", {{{"containerPort", 2379}}, {{"containerPort", 2380}}}},
                    {"resources", {{"requests", {{"cpu", "50m"}, {"memory", "128Mi"}}}}},
                    {"volumeMounts",
                     {{{"name", etcd_name}, {"mountPath", "/var/etcd/data/"}},
                      {{"name", "etcd-config-file"}, {"mountPath", "/var/etcd/config/"}}}}};
  json sidecar = container;
  sidecar["name"] = "backup-restore";
  sidecar["image"] =
      "europe-docker.pkg.dev/gardener-project/releases/gardener/"
      "etcdbrctl:v0.30.2";
  sidecar["args"] = {"server", "--schedule=0 */24 * * *", "--garbage-collection-policy=Exponential",
                     "--storage-provider=S3", "--store-prefix=bench/" + etcd_name};
  json status = {{"name", "etcd"},
                 {"ready", true},
                 {"restartCount", 0},
                 {"started", true},
                 {"image", container["image"]},
                 {"imageID", "sha256:" + std::string(64, 'a')},
                 {"containerID", "containerd://" + std::string(64, 'b')},
                 {"state", {{"running", {{"startedAt", "2026-12-01T10:00:05Z"}}}}}};
  json sidecar_status = status;
  sidecar_status["name"] = "backup-restore";
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata",
           {{"name", name},
            {"namespace", kNamespace},
            {"labels",
             {{"app.kubernetes.io/managed-by", "etcd-druid"},
              {"app.kubernetes.io/part-of", etcd_name},
              {"app", "etcd-statefulset"},
              {"controller-revision-hash", etcd_name + "-6f7d9c"},
              {"statefulset.kubernetes.io/pod-name", name}}}}},
          {"spec",
           {{"containers", {container, sidecar}},
            {"hostname", name},
            {"subdomain", etcd_name + "-peer"},
            {"nodeName", "node-" + std::to_string(ordinal)},
            {"volumes",
             {{{"name", etcd_name}, {"persistentVolumeClaim", {{"claimName", etcd_name}}}}}}}},
          {"status",
           {{"phase", "Running"},
            {"hostIP", "10.0.0." + std::to_string(ordinal + 1)},
            {"podIP", "10.1." + std::to_string(i % 250) + "." + std::to_string(ordinal + 1)},
            {"qosClass", "Burstable"},
            {"startTime", "2026-12-01T10:00:00Z"},
            {"conditions",
             {{{"type", "Initialized"}, {"status", "True"}},
              {{"type", "Ready"}, {"status", "True"}},
              {{"type", "ContainersReady"}, {"status", "True"}},
              {{"type", "PodScheduled"}, {"status", "True"}}}},
            {"containerStatuses", {status, sidecar_status}}}}};
}

// The claim of pod `ordinal` of Etcd `i` (volumeClaimTemplate = the Etcd's
// name), Pending as on a cluster without a provisioner.
json pending_claim(int i, int ordinal) {
  const std::string etcd_name = "etcd-" + std::to_string(i);
  return {
      {"apiVersion", "v1"},
      {"kind", "PersistentVolumeClaim"},
      {"metadata",
       {{"name", etcd_name + "-" + etcd_name + "-" + std::to_string(ordinal)},
        {"namespace", kNamespace},
        {"labels",
         {{"app.kubernetes.io/managed-by", "etcd-druid"},
          {"app.kubernetes.io/part-of", etcd_name}}}}},
      {"spec",
       {{"accessModes", {"ReadWriteOnce"}}, {"resources", {{"requests", {{"storage", "16Gi"}}}}}}},
      {"status", {{"phase", "Pending"}}}};
}

json event(const std::string& name, const std::string& kind, const std::string& object,
           const std::string& type, const std::string& reason, const std::string& message) {
  return {{"apiVersion", "v1"},
          {"kind", "Event"},
          {"metadata", {{"name", name}, {"namespace", kNamespace}}},
          {"involvedObject", {{"kind", kind}, {"namespace", kNamespace}, {"name", object}}},
          {"type", type},
          {"reason", reason},
          {"message", message},
          {"source", {{"component", "persistentvolume-controller"}}},
          {"count", 1},
          {"firstTimestamp", "2026-12-01T10:00:00Z"},
          {"lastTimestamp", "2026-12-01T10:00:00Z"}};
}

// Pods, Pending claims with their Warning events, and unrelated events for n Etcds.
void create_cluster_shape(druid::kube::Client& client, int n) {
  namespace resources = druid::kube::resources;
  auto create = [&](const druid::util::ResourceType& type, const json& object) {
    auto created = client.create(type, kNamespace, object);
    if (!created) throw std::runtime_error(created.error().what());
  };
  for (int i = 0; i < n; ++i) {
    for (int ordinal = 0; ordinal < 3; ++ordinal) {
      create(resources::kPods, kubelet_pod(i, ordinal));
      const json claim = pending_claim(i, ordinal);
      const std::string claim_name = claim["metadata"]["name"];
      create(resources::kPersistentVolumeClaims, claim);
      create(resources::kEvents, event(claim_name + ".warning", "PersistentVolumeClaim", claim_name,
                                       "Warning", "FailedBinding",
                                       "no persistent volumes available for this claim and no "
                                       "storage class is set"));
    }
    for (int e = 0; e < 10; ++e) {
      const std::string pod = "app-" + std::to_string(i) + "-" + std::to_string(e);
      create(resources::kEvents, event(pod + ".pulled", "Pod", pod, "Normal", "Pulled",
                                       "Successfully pulled image \"nginx:1.27\" in 1.2s"));
    }
  }
}

std::unique_ptr<druid::kube::Client> admin_client(const druid::testing::TestApiServer& server) {
  druid::kube::RestConfig config;
  config.server = server.url();
  config.ca_pem = server.ca_pem();
  config.bearer_token = server.admin_token();
  config.qps = -1;
  return std::make_unique<druid::kube::Client>(config);
}

// The operator as a child process; killed (SIGTERM) on destruction.
class OperatorProcess {
 public:
  OperatorProcess(const fs::path& binary, const fs::path& kubeconfig, const fs::path& config,
                  const fs::path& log) {
    std::vector<std::string> args = {binary.string(), "--kubeconfig=" + kubeconfig.string(),
                                     "--config=" + config.string(), "--health-probe-port=0"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    if (posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
    if (pid_ < 0) throw std::runtime_error("cannot start " + binary.string());
  }
  ~OperatorProcess() {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  OperatorProcess(const OperatorProcess&) = delete;
  OperatorProcess& operator=(const OperatorProcess&) = delete;

  // VmHWM (peak resident set) in MiB.
  double peak_rss_mib() const { return status_mib("VmHWM:"); }
  // VmRSS (resident set now) in MiB.
  double rss_mib() const { return status_mib("VmRSS:"); }
  // A "kB" line of /proc/PID/status in MiB.
  double status_mib(const std::string& field) const {
    std::ifstream status("/proc/" + std::to_string(pid_) + "/status");
    std::string line;
    while (std::getline(status, line)) {
      if (line.rfind(field, 0) == 0) return std::stod(line.substr(field.size())) / 1024.0;
    }
    return 0;
  }
  // utime + stime in seconds.
  double cpu_seconds() const {
    std::ifstream stat("/proc/" + std::to_string(pid_) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    std::istringstream fields(text.substr(text.rfind(')') + 2));
    std::string field;
    double ticks = 0;
    for (int i = 3; i <= 15 && fields >> field; ++i) {
      if (i == 14 || i == 15) ticks += std::stod(field);
    }
    return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
  }

 private:
  pid_t pid_ = -1;
};

std::size_t succeeded(druid::testing::TestApiServer& server) {
  return static_cast<std::size_t>(druid::test::converged_etcds(server, kNamespace));
}

fs::path write_config(const fs::path& dir, double qps, int burst) {
  const fs::path path = dir / "config.yaml";
  std::ofstream(path) << "apiVersion: config.druid.gardener.cloud/v1alpha1\n"
                      << "kind: OperatorConfiguration\n"
                      << "clientConnection:\n  qps: " << qps << "\n  burst: " << burst << "\n"
                      << "server:\n  metrics:\n    port: 0\n"
                      // Every controller on, compaction included (off by default).
                      << "controllers:\n  compaction:\n    enabled: true\n"
                      << "logging:\n  logLevel: error\n";
  return path;
}

Sample run_once(const fs::path& binary, int n, double qps, int burst, int steady_seconds,
                bool cluster_shape) {
  druid::testing::TestApiServer server;
  server.start();
  server.install_crds(fs::path(DRUID_SOURCE_DIR) / "config" / "crd");
  auto client = admin_client(server);
  (void)client->create(  // the namespace of a fresh server: cannot exist yet
      druid::kube::resources::kNamespaces, "",
      {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", kNamespace}}}});
  const fs::path dir = fs::temp_directory_path() / ("druid-bench-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  server.write_kubeconfig(dir / "kubeconfig");
  if (cluster_shape) create_cluster_shape(*client, n);
  const fs::path config = write_config(dir, qps, burst);

  OperatorProcess op(binary, dir / "kubeconfig", config, dir / "operator.log");
  server.controls().reset_counts();
  const auto start = Clock::now();
  for (int i = 0; i < n; ++i) {
    auto created = client->create(druid::api::resources::kEtcds, kNamespace, etcd(i));
    if (!created) throw std::runtime_error(created.error().what());
  }
  while (succeeded(server) < static_cast<std::size_t>(n)) {
    if (Clock::now() - start > std::chrono::minutes(10)) throw std::runtime_error("timeout");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling interval, not sync
  }
  Sample s;
  s.seconds_to_succeeded = std::chrono::duration<double>(Clock::now() - start).count();
  const json counts = server.controls().counts_json();
  for (const auto& [verb, resources] : counts.items()) {
    double total = 0;
    for (const auto& [resource, count] : resources.items()) total += count.get<double>();
    if (verb == "create") total -= n;  // the bench's own Etcd creates
    s.requests_per_etcd[verb] = n > 0 ? total / n : total;
  }
  // Steady state: nothing changes; count the operator's writes.
  std::this_thread::sleep_for(std::chrono::seconds(2));  // let in-flight requeues settle
  server.controls().reset_counts();
  const double cpu_before_steady = op.cpu_seconds();
  std::this_thread::sleep_for(std::chrono::seconds(steady_seconds));  // the measured window
  s.cpu_seconds_per_minute_steady = (op.cpu_seconds() - cpu_before_steady) * 60.0 / steady_seconds;
  s.writes_per_minute_steady =
      static_cast<double>(server.controls().write_count()) * 60.0 / steady_seconds;
  double requests = 0;
  const json steady_counts = server.controls().counts_json();
  for (const auto& [verb, resources] : steady_counts.items()) {
    for (const auto& [resource, count] : resources.items()) requests += count.get<double>();
  }
  s.requests_per_minute_steady = requests * 60.0 / steady_seconds;
  // Which requests a steady state still costs, by verb and resource.
  if (requests > 0) std::cerr << n << " Etcds, steady requests: " << steady_counts.dump() << "\n";
  s.peak_rss_mib = op.peak_rss_mib();
  s.steady_rss_mib = op.rss_mib();
  s.cpu_seconds = op.cpu_seconds();
  fs::remove_all(dir);
  return s;
}

struct FaultRun {
  double seconds_to_succeeded = 0;
  std::int64_t requests = 0;  // every verb, the bench's own creates excluded
  double peak_rss_mib = 0;
  json state;  // managed_state once settled
  std::vector<std::string> duplicates;
  std::map<std::string, std::int64_t> injected;
  int watch_cuts = 0;
  bool equal_to_expected = true;
};

// One run for --faults: `expected` is the fault-free run's state (null for that run itself).
FaultRun run_with_faults(const fs::path& binary, int n, bool faults, const json& expected) {
  druid::testing::TestApiServerOptions options;
  options.threads = 256;  // watches cut and resumed hold threads until their streams notice
  druid::testing::TestApiServer server(options);
  server.start();
  server.install_crds(fs::path(DRUID_SOURCE_DIR) / "config" / "crd");
  auto client = admin_client(server);
  (void)client->create(
      druid::kube::resources::kNamespaces, "",
      {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", kNamespace}}}});
  const fs::path dir = fs::temp_directory_path() / ("druid-bench-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  server.write_kubeconfig(dir / "kubeconfig");
  const fs::path config = write_config(dir, 100000.0, 100000);
  for (int i = 0; i < n; ++i) {  // before the faults: the bench's own requests meet none
    auto created = client->create(druid::api::resources::kEtcds, kNamespace, etcd(i));
    if (!created) throw std::runtime_error(created.error().what());
  }
  server.controls().reset_counts();
  if (faults) {
    server.controls().set_fault_mix(
        {0.10, std::chrono::seconds(1), 42, std::chrono::milliseconds(10)});
  }

  FaultRun run;
  OperatorProcess op(binary, dir / "kubeconfig", config, dir / "operator.log");
  const auto start = Clock::now();
  auto next_cut = start + std::chrono::seconds(5);
  bool restarted = !faults;
  while (succeeded(server) < static_cast<std::size_t>(n) || !restarted) {
    const auto now = Clock::now();
    if (now - start > std::chrono::minutes(15)) throw std::runtime_error("timeout");
    if (faults && now >= next_cut) {
      if (run.watch_cuts % 2 == 1) server.expire_next_watches(5);
      server.disconnect_watches();
      ++run.watch_cuts;
      next_cut += std::chrono::seconds(5);
    }
    if (!restarted && now - start >= std::chrono::seconds(10)) {
      server.restart();
      restarted = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling interval, not sync
  }
  run.seconds_to_succeeded = std::chrono::duration<double>(Clock::now() - start).count();
  const json counts = server.controls().counts_json();
  for (const auto& [verb, resources] : counts.items()) {
    for (const auto& [resource, count] : resources.items()) run.requests += count.get<int>();
  }
  run.injected = server.controls().injected_faults();
  server.controls().set_fault_mix({});
  // Settled: equal to the fault-free run, or unchanged for 5 s when there is none to compare.
  const auto settle_deadline = Clock::now() + std::chrono::seconds(60);
  json previous;
  while (true) {
    run.duplicates.clear();
    run.state = druid::test::managed_state(server, kNamespace, &run.duplicates);
    if (!expected.is_null() && run.state == expected) break;
    if (expected.is_null() && run.state == previous) break;
    if (Clock::now() > settle_deadline) break;
    previous = run.state;
    std::this_thread::sleep_for(std::chrono::seconds(expected.is_null() ? 5 : 1));
  }
  run.equal_to_expected = expected.is_null() || run.state == expected;
  run.peak_rss_mib = op.peak_rss_mib();
  fs::remove_all(dir);
  return run;
}

void report_faults(const fs::path& binary, const std::vector<int>& sizes, int runs) {
  std::printf(
      "| Etcds | time to Succeeded, fault-free / with faults (s) | requests fault-free / with "
      "faults | ratio | faults injected | watch cuts | peak RSS fault-free / with faults (MiB) "
      "| objects equal |\n|---|---|---|---|---|---|---|---|\n");
  for (int n : sizes) {
    for (int r = 0; r < runs; ++r) {
      const FaultRun clean = run_with_faults(binary, n, false, nullptr);
      const FaultRun faulty = run_with_faults(binary, n, true, clean.state);
      std::int64_t injected = 0;
      for (const auto& [kind, count] : faulty.injected) injected += count;
      const bool equal =
          faulty.equal_to_expected && clean.duplicates.empty() && faulty.duplicates.empty();
      std::printf("| %d | %.1f / %.1f | %lld / %lld | %.2f | %lld | %d | %.1f / %.1f | %s |\n", n,
                  clean.seconds_to_succeeded, faulty.seconds_to_succeeded,
                  static_cast<long long>(clean.requests), static_cast<long long>(faulty.requests),
                  static_cast<double>(faulty.requests) / static_cast<double>(clean.requests),
                  static_cast<long long>(injected), faulty.watch_cuts, clean.peak_rss_mib,
                  faulty.peak_rss_mib, equal ? "yes" : "NO");
      if (!equal) {
        std::cerr << "differences: " << json::diff(clean.state, faulty.state).dump(1) << "\n";
      }
      std::fflush(stdout);
    }
  }
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values.empty() ? 0 : values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"etcd-druid reconcile benchmark"};
  std::vector<int> sizes = {1, 100, 1000};
  int runs = 5;
  int steady_seconds = 30;
  std::string binary = ETCD_DRUID_BIN;
  std::vector<std::string> modes = {"limited", "unlimited"};
  std::string shape = "bare";
  app.add_option("--shape", shape,
                 "bare: only the Etcds; cluster: plus 3 Pods, 3 Pending PVCs and 13 Events "
                 "per Etcd, as on a real cluster")
      ->check(CLI::IsMember({"bare", "cluster"}));
  app.add_option("--modes", modes, "client QPS: limited (100/150, the default) and/or unlimited")
      ->delimiter(',');
  app.add_option("--sizes", sizes)->delimiter(',');
  app.add_option("--runs", runs);
  app.add_option("--steady-seconds", steady_seconds);
  app.add_option("--binary", binary);
  bool faults = false;
  app.add_flag("--faults", faults, "fault-free against faulty runs (issue 13 §1) instead");
  CLI11_PARSE(app, argc, argv);
  if (faults) {
    report_faults(binary, sizes, runs);
    return 0;
  }

  std::printf(
      "| Etcds | client QPS/burst | time to Succeeded (s) | requests per Etcd "
      "(create/patch/get/list/watch/delete) | "
      "ratio to minimum writes | steady writes/min | steady requests/min | peak RSS (MiB) | "
      "steady RSS (MiB) | CPU (s) | steady CPU s/min "
      "|\n|---|---|---|---|---|---|---|---|---|---|---|\n");
  for (int n : sizes) {
    for (const auto& mode : modes) {
      const bool limited = mode == "limited";
      const double qps = limited ? 100.0 : 100000.0;
      const int burst = limited ? 150 : 100000;
      std::vector<Sample> samples;
      for (int r = 0; r < runs; ++r)
        samples.push_back(run_once(binary, n, qps, burst, steady_seconds, shape == "cluster"));
      auto med = [&](auto field) {
        std::vector<double> v;
        for (const auto& s : samples) v.push_back(field(s));
        return median(v);
      };
      auto verb = [&](const std::string& name) {
        return med([&](const Sample& s) {
          auto it = s.requests_per_etcd.find(name);
          return it == s.requests_per_etcd.end() ? 0.0 : it->second;
        });
      };
      const double writes = verb("create") + verb("patch") + verb("update") + verb("delete");
      std::printf(
          "| %d | %s | %.2f | %.1f / %.1f / %.1f / %.1f / %.2f / %.1f | %.2f | %.1f | %.1f | %.1f "
          "| %.1f | %.2f | %.2f |\n",
          n, limited ? "100/150" : "unlimited",
          med([](const Sample& s) { return s.seconds_to_succeeded; }), verb("create"),
          verb("patch"), verb("get"), verb("list"), verb("watch"), verb("delete"),
          writes / (kMinimumCreates + kMinimumPatches),
          med([](const Sample& s) { return s.writes_per_minute_steady; }),
          med([](const Sample& s) { return s.requests_per_minute_steady; }),
          med([](const Sample& s) { return s.peak_rss_mib; }),
          med([](const Sample& s) { return s.steady_rss_mib; }),
          med([](const Sample& s) { return s.cpu_seconds; }),
          med([](const Sample& s) { return s.cpu_seconds_per_minute_steady; }));
      std::fflush(stdout);
    }
  }
  return 0;
}
