#include "localenv/pod_runtime/pod_worker.hpp"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <fstream>
#include <map>
#include <sstream>
#include <vector>

#include "kube/http_transport.hpp"
#include "kube/patch.hpp"
#include "localenv/pod_runtime/container_launch.hpp"
#include "localenv/pod_runtime/pod_status.hpp"
#include "localenv/pod_runtime/restart_backoff.hpp"
#include "localenv/pod_runtime/system_command.hpp"
#include "localenv/pod_runtime/volume_plan.hpp"
#include "util/time.hpp"

namespace druid::localenv {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

namespace {

std::string now_rfc3339() {
  return util::format_rfc3339(std::chrono::system_clock::now());
}

// The program of a container: the member agent plays the two druid images.
std::vector<std::string> container_argv(const json& container) {
  const std::string image = container.value("image", "");
  auto command = container.value("command", std::vector<std::string>{});
  auto args = container.value("args", std::vector<std::string>{});
  const auto agent = [&](const std::string& subcommand) {
    std::vector<std::string> rest = command;
    rest.insert(rest.end(), args.begin(), args.end());
    // Drop a leading binary name (e.g. "etcdbrctl") and the subcommand itself.
    while (!rest.empty() && rest.front() != subcommand && rest.front().rfind("--", 0) != 0) {
      rest.erase(rest.begin());
    }
    if (!rest.empty() && rest.front() == subcommand) rest.erase(rest.begin());
    std::vector<std::string> argv = {kMemberAgentPath, subcommand};
    argv.insert(argv.end(), rest.begin(), rest.end());
    return argv;
  };
  // The images druid's StatefulSet names (config/images.yaml): etcd-wrapper
  // for the `etcd` container, etcdbrctl (etcd-backup-restore) for `backup-restore`.
  const auto has = [&](const char* part) { return image.find(part) != std::string::npos; };
  if (has("etcd-wrapper")) return agent("start-etcd");
  if (has("etcdbrctl") || has("etcd-backup-restore")) return agent("server");
  command.insert(command.end(), args.begin(), args.end());
  return command;
}

struct Container {
  json spec;
  ObservedContainer observed;
  pid_t pid = -1;
  std::optional<Clock::time_point> restart_at;
  // Readiness
  std::optional<ReadinessTracker> readiness;
  Clock::time_point next_probe{};
  Clock::time_point started{};
};

Container make_container(const json& spec) {
  Container c;
  c.spec = spec;
  c.observed.name = spec.value("name", "");
  c.observed.image = spec.value("image", "");
  return c;
}

}  // namespace

PodWorker::PodWorker(PodHost& host, json pod)
    : host_(host),
      pod_(std::move(pod)),
      ns_(pod_.at("metadata").value("namespace", "")),
      name_(pod_.at("metadata").value("name", "")),
      uid_(pod_.at("metadata").value("uid", "")) {
  thread_ = std::thread([this] { run(); });
}

PodWorker::~PodWorker() {
  request_stop(false);
  if (thread_.joinable()) thread_.join();
}

void PodWorker::request_stop(bool finish_deletion) {
  if (finish_deletion) finish_deletion_ = true;
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
}

std::string PodWorker::ip() const {
  std::lock_guard lock(mutex_);
  return ip_;
}

fs::path PodWorker::hosts_file() const {
  return pod_layout(host_.options().state_dir, ns_, name_).pod_dir / "hosts";
}

bool PodWorker::sleep_for(std::chrono::milliseconds delay) {
  std::unique_lock lock(mutex_);
  return !cv_.wait_for(lock, delay, [this] { return stop_.load(); });
}

void PodWorker::run() {
  const auto key = ns_ + "/" + name_;
  const auto& options = host_.options();
  const auto layout = pod_layout(options.state_dir, ns_, name_);
  auto& client = host_.client();
  const auto start_time = now_rfc3339();
  ConditionClock conditions;
  json last_status = pod_.value("status", json::object());
  std::optional<PodInterface> iface;
  std::vector<Container> init_containers, containers;
  bool initialized = false;
  for (const auto& c : pod_.value(json::json_pointer("/spec/initContainers"), json::array())) {
    init_containers.push_back(make_container(c));
  }
  for (const auto& c : pod_.value(json::json_pointer("/spec/containers"), json::array())) {
    containers.push_back(make_container(c));
  }
  if (init_containers.empty()) initialized = true;

  const auto publish = [&] {
    PodObservation o;
    for (const auto& c : init_containers) o.init_containers.push_back(c.observed);
    for (const auto& c : containers) o.containers.push_back(c.observed);
    o.initialized = initialized;
    o.pod_ip = iface ? iface->ip : "";
    o.host_ip = iface ? host_.network().bridge_ip() : "";
    o.start_time = start_time;
    auto status = pod_status(o, conditions, now_rfc3339());
    if (status == last_status) return;
    const auto patch =
        kube::create_merge_patch(json{{"status", last_status}}, json{{"status", status}});
    auto result =
        client.patch(kube::resources::kPods, ns_, name_, kube::PatchType::kMerge, patch, "status");
    if (result) {
      last_status = status;
    } else if (result.error().reason != kube::ApiErrorReason::kNotFound) {
      host_.say("pod " + key + " status write failed: " + result.error().what());
    }
  };

  host_.say("pod " + key + " created");
  if (options.pod_start_delay.count() > 0 && !sleep_for(options.pod_start_delay)) {
    finished_ = true;
    return;
  }

  // Volumes and network (retried until they work or the pod goes away).
  std::map<std::string, ResolvedVolume> volumes;
  std::string setup_error;
  while (!stop_) {
    std::error_code ec;
    fs::create_directories(layout.pod_dir / "root", ec);
    fs::create_directories(layout.pod_dir / "tmp", ec);
    auto resolved = resolve_volumes(
        pod_, layout,
        [&](const std::string& kind, const std::string& n) { return host_.lookup(ns_, kind, n); });
    if (!resolved) {
      if (resolved.error() != setup_error) host_.say("pod " + key + ": " + resolved.error());
      setup_error = resolved.error();
      publish();
      if (!sleep_for(std::chrono::seconds(1))) break;
      continue;
    }
    volumes = *resolved;
    for (const auto& [name, volume] : volumes) {
      if (volume.fresh) fs::remove_all(volume.host_path, ec);
      fs::create_directories(volume.host_path, ec);
      for (const auto& file : volume.files) {
        const auto path = volume.host_path / file.path;
        fs::create_directories(path.parent_path(), ec);
        std::ofstream(path, std::ios::binary | std::ios::trunc) << file.content;
        chmod(path.c_str(), static_cast<mode_t>(file.mode & 07777));
      }
    }
    break;
  }
  if (!stop_) {
    auto added = host_.network().add_pod();
    if (!added) {
      host_.say("pod " + key + " network setup failed: " + added.error());
    } else {
      iface = *added;
      {
        std::lock_guard lock(mutex_);
        ip_ = iface->ip;
      }
      host_.record_pod_network(key, &*iface);
      host_.refresh_hosts();
      std::error_code ec;
      const auto kubeconfig =
          layout.pod_dir / "root" / fs::path(kPodKubeconfigPath).relative_path();
      fs::create_directories(kubeconfig.parent_path(), ec);
      fs::copy_file(host_.pod_kubeconfig(), kubeconfig, fs::copy_options::overwrite_existing, ec);
      publish();
    }
  }

  // Environment of a container: literal values and references resolved.
  const auto environment = [&](const json& spec) {
    std::vector<std::string> env = {
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOSTNAME=" + name_,
        std::string("KUBECONFIG=") + kPodKubeconfigPath};
    bool home = false;
    for (const auto& e : spec.value("env", json::array())) {
      const std::string name = e.value("name", "");
      std::string value = e.value("value", "");
      if (e.contains("valueFrom")) {
        const auto& from = e["valueFrom"];
        if (from.contains("fieldRef")) {
          const std::string path = from["fieldRef"].value("fieldPath", "");
          if (path == "metadata.name")
            value = name_;
          else if (path == "metadata.namespace")
            value = ns_;
          else if (path == "metadata.uid")
            value = uid_;
          else if (path == "status.podIP")
            value = iface ? iface->ip : "";
          else if (path == "status.hostIP")
            value = host_.network().bridge_ip();
          else if (path == "spec.nodeName")
            value = "localhost";
          else if (path == "spec.serviceAccountName")
            value = pod_.value(json::json_pointer("/spec/serviceAccountName"), "");
        } else if (from.contains("secretKeyRef") || from.contains("configMapKeyRef")) {
          const bool secret = from.contains("secretKeyRef");
          const auto& ref = secret ? from["secretKeyRef"] : from["configMapKeyRef"];
          if (const auto object =
                  host_.lookup(ns_, secret ? "Secret" : "ConfigMap", ref.value("name", ""))) {
            const auto data = object->value("data", json::object());
            const auto it = data.find(ref.value("key", ""));
            if (it != data.end() && it->is_string()) {
              value = secret ? util::base64_decode(it->get<std::string>()).value_or("")
                             : it->get<std::string>();
            }
          }
        }
      }
      if (name == "HOME") home = true;
      env.push_back(name + "=" + value);
    }
    if (!home) env.push_back("HOME=/home/" + spec.value("name", std::string("container")));
    return env;
  };

  const auto start = [&](Container& c) {
    const std::string cname = c.spec.value("name", "");
    std::error_code ec;
    fs::create_directories(layout.pod_dir / "root" / "home" / cname, ec);
    LaunchSpec spec;
    spec.netns = iface->netns;
    spec.hostname = name_;
    spec.root = layout.pod_dir / "root";
    spec.hosts_file = layout.pod_dir / "hosts";
    spec.tmp_dir = layout.pod_dir / "tmp";
    spec.member_agent = options.member_agent;
    auto mounts = container_mounts(c.spec, volumes);
    if (!mounts) {
      host_.say("pod " + key + " container " + cname + ": " + mounts.error());
      return false;
    }
    spec.mounts = *mounts;
    spec.argv = container_argv(c.spec);
    spec.env = environment(c.spec);
    spec.working_dir = c.spec.value("workingDir", "");
    auto pid = spawn_container(options.self_binary, spec, layout.pod_dir / (cname + ".spec.json"),
                               layout.pod_dir / (cname + ".log"));
    if (!pid) {
      host_.say("pod " + key + " container " + cname + ": " + pid.error());
      return false;
    }
    c.pid = *pid;
    std::ofstream(layout.pod_dir / (cname + ".pid"), std::ios::trunc) << c.pid << "\n";
    c.observed.state = ObservedContainer::State::kRunning;
    c.observed.started_at = now_rfc3339();
    c.observed.ready = false;
    c.restart_at.reset();
    c.started = Clock::now();
    if (c.spec.contains("readinessProbe")) {
      const auto& probe = c.spec["readinessProbe"];
      c.readiness.emplace(probe.value("successThreshold", 1), probe.value("failureThreshold", 3));
      std::chrono::milliseconds delay(probe.value("initialDelaySeconds", 0) * 1000);
      if (options.probe_initial_delay_cap)
        delay = std::min(delay, *options.probe_initial_delay_cap);
      c.next_probe = c.started + delay;
    }
    host_.say("pod " + key + " container " + cname + " started (pid " + std::to_string(c.pid) +
              ")");
    return true;
  };

  // Reaps `c` if it exited; true when it did.
  const auto reap = [&](Container& c) {
    if (c.pid <= 0) return false;
    int status = 0;
    if (waitpid(c.pid, &status, WNOHANG) != c.pid) return false;
    // A container ends with its main process: whatever it started goes too (as
    // its PID namespace would), so an orphaned etcd never holds the data dir
    // or the ports against the restarted container.
    ::kill(-c.pid, SIGKILL);
    c.pid = -1;
    c.observed.state = ObservedContainer::State::kTerminated;
    c.observed.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    c.observed.finished_at = now_rfc3339();
    c.observed.ready = false;
    return true;
  };

  // After a crash: wait in CrashLoopBackOff, then restart.
  const auto schedule_restart = [&](Container& c) {
    c.observed.last_state = {
        {"terminated",
         terminated_state(c.observed.exit_code, c.observed.started_at, c.observed.finished_at)}};
    c.observed.restart_count += 1;
    c.observed.state = ObservedContainer::State::kWaiting;
    c.observed.waiting_reason = "CrashLoopBackOff";
    c.restart_at = Clock::now() + restart_backoff(c.observed.restart_count);
    host_.say("pod " + key + " container " + c.observed.name + " exited with " +
              std::to_string(c.observed.exit_code) + ", restart " +
              std::to_string(c.observed.restart_count) + " in " +
              std::to_string(restart_backoff(c.observed.restart_count).count()) + "s");
  };

  kube::TlsConfig probe_tls;
  probe_tls.insecure_skip_verify = true;
  kube::HttpTransport probes(probe_tls, std::chrono::seconds(1), "kube-probe/druid-pod-runtime");
  const auto probe = [&](Container& c) {
    const auto& spec = c.spec["readinessProbe"];
    bool success = false;
    if (spec.contains("httpGet")) {
      const auto& get = spec["httpGet"];
      std::string port;
      if (get.contains("port") && get["port"].is_number_integer()) {
        port = std::to_string(get["port"].get<int>());
      } else {
        const std::string named = get.value("port", "");
        for (const auto& p : c.spec.value("ports", json::array())) {
          if (p.value("name", "") == named) port = std::to_string(p.value("containerPort", 0));
        }
      }
      std::string scheme = get.value("scheme", "HTTP");
      for (auto& ch : scheme) ch = static_cast<char>(std::tolower(ch));
      kube::HttpRequest request;
      request.url = scheme + "://" + iface->ip + ":" + port + get.value("path", "/");
      request.timeout = std::chrono::seconds(std::max(1, spec.value("timeoutSeconds", 1)));
      const auto response = probes.perform(request);
      success = response && response->status >= 200 && response->status < 400;
    } else if (spec.contains("tcpSocket") || spec.contains("exec")) {
      success = true;  // not used by druid's pods; treated as passing
    }
    c.readiness->record(success);
    c.next_probe =
        Clock::now() + std::chrono::seconds(std::max(1, spec.value("periodSeconds", 10)));
  };

  // Init containers, each to completion.
  if (iface) {
    for (auto& c : init_containers) {
      if (stop_) break;
      if (!start(c)) break;
      publish();
      while (!stop_) {
        if (c.pid > 0 && reap(c)) {
          publish();
          if (c.observed.exit_code == 0) break;
          schedule_restart(c);
          publish();
        }
        if (c.restart_at && Clock::now() >= *c.restart_at && !start(c)) break;
        if (!sleep_for(std::chrono::milliseconds(100))) break;
      }
    }
    initialized = true;
    for (const auto& c : init_containers) {
      initialized = initialized && c.observed.state == ObservedContainer::State::kTerminated &&
                    c.observed.exit_code == 0;
    }
  }

  // Containers.
  if (iface && initialized && !stop_) {
    for (auto& c : containers) start(c);
    bool was_ready = false;
    host_.say("pod " + key + " started (" + iface->ip + ")");
    while (!stop_) {
      for (auto& c : containers) {
        if (reap(c)) schedule_restart(c);
        if (c.restart_at && Clock::now() >= *c.restart_at) start(c);
        if (c.pid > 0) {
          if (c.readiness) {
            if (Clock::now() >= c.next_probe) probe(c);
            c.observed.ready = c.readiness->ready();
          } else {
            c.observed.ready = true;
          }
        }
      }
      bool all_ready = !containers.empty();
      for (const auto& c : containers) all_ready = all_ready && c.observed.ready;
      if (all_ready != was_ready) {
        ready_ = all_ready;
        was_ready = all_ready;
        host_.say("pod " + key + (all_ready ? " ready" : " not ready"));
        host_.refresh_hosts();
      }
      publish();
      if (!sleep_for(std::chrono::milliseconds(200))) break;
    }
  }

  // Stop: SIGTERM to each container's process group, SIGKILL after the grace period.
  host_.say("pod " + key + " stopping");
  ready_ = false;
  // Out of its Services before the SIGTERM, as endpoints follow a terminating pod.
  host_.refresh_hosts();
  std::vector<Container*> running;
  for (auto* list : {&init_containers, &containers}) {
    for (auto& c : *list) {
      if (c.pid > 0) {
        ::kill(-c.pid, SIGTERM);
        running.push_back(&c);
      }
    }
  }
  const auto grace = std::min<std::chrono::milliseconds>(
      std::chrono::seconds(
          pod_.value(json::json_pointer("/spec/terminationGracePeriodSeconds"), 30)),
      options.termination_grace_cap);
  const auto deadline = Clock::now() + grace;
  for (bool any = true; any && Clock::now() < deadline;) {
    any = false;
    for (auto* c : running) {
      if (c->pid > 0 && !reap(*c)) any = true;
    }
    if (any) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  for (auto* c : running) {
    if (c->pid > 0) {
      ::kill(-c->pid, SIGKILL);
      ::kill(c->pid, SIGKILL);
      int status = 0;
      waitpid(c->pid, &status, 0);
      c->pid = -1;
    }
  }
  if (iface) {
    // Anything else still in the namespace (a daemonised child).
    for (int attempt = 0; attempt < 20; ++attempt) {
      const auto pids = run_command({"ip", "netns", "pids", iface->netns}).output;
      if (pids.empty()) break;
      std::istringstream in(pids);
      for (std::string pid; in >> pid;) {
        try {
          ::kill(static_cast<pid_t>(std::stol(pid)), SIGKILL);
        } catch (const std::exception&) {
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    host_.network().remove_pod(*iface);
    host_.record_pod_network(key, nullptr);
    std::lock_guard lock(mutex_);
    ip_.clear();
  }
  for (auto* list : {&init_containers, &containers}) {
    for (auto& c : *list) {
      std::error_code ec;
      fs::remove(layout.pod_dir / (c.observed.name + ".pid"), ec);
    }
  }
  if (finish_deletion_) {
    kube::DeleteOptions del;
    del.grace_period_seconds = 0;
    del.precondition_uid = uid_;
    (void)client.remove(kube::resources::kPods, ns_, name_, del);  // best effort
  }
  host_.say("pod " + key + " deleted");
  finished_ = true;
  host_.refresh_hosts();
}

}  // namespace druid::localenv
