#include "localenv/pod_runtime/runtime.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <iostream>

#include "api/label_selector.hpp"
#include "api/labels.hpp"
#include "localenv/pod_runtime/hosts_file.hpp"
#include "localenv/pod_runtime/statefulset_plan.hpp"
#include "util/base64.hpp"

namespace druid::localenv {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string timestamp() {
  const auto now = std::chrono::system_clock::now();
  const auto t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  localtime_r(&t, &tm);
  char text[16];
  std::strftime(text, sizeof(text), "%H:%M:%S", &tm);
  return text;
}

// Writes `content` in place (truncate + write): the file may be bind-mounted,
// and a rename would leave the mount on the old inode.
// Rewrites a hosts file in its inode (it is bind-mounted) without ever leaving
// it empty: readers resolving names meanwhile see the old or the new lines,
// never a truncated file (which would make a name vanish for a moment).
void write_in_place(const fs::path& path, const std::string& content) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return;
  const auto written = ::pwrite(fd, content.data(), content.size(), 0);
  if (written == static_cast<ssize_t>(content.size())) {
    [[maybe_unused]] const int truncated = ::ftruncate(fd, static_cast<off_t>(content.size()));
  }
  ::close(fd);
}

// The StatefulSet controlling `pod` (an ownerReference of kind StatefulSet).
std::optional<std::pair<std::string, std::string>> owning_statefulset(const json& pod) {
  for (const auto& ref :
       pod.value(json::json_pointer("/metadata/ownerReferences"), json::array())) {
    if (ref.value("kind", "") == "StatefulSet" && ref.value("controller", false)) {
      return std::make_pair(ref.value("name", ""), ref.value("uid", ""));
    }
  }
  return std::nullopt;
}

std::string key_of(const json& object) {
  return object.at("metadata").value("namespace", "") + "/" +
         object.at("metadata").value("name", "");
}

std::pair<std::string, int> host_and_port(const std::string& url) {
  auto rest = url.substr(url.find("://") == std::string::npos ? 0 : url.find("://") + 3);
  rest = rest.substr(0, rest.find('/'));
  const auto colon = rest.rfind(':');
  const bool https = url.rfind("https", 0) == 0;
  if (colon == std::string::npos) return {rest, https ? 443 : 80};
  try {
    return {rest.substr(0, colon), std::stoi(rest.substr(colon + 1))};
  } catch (const std::exception&) {
    return {rest.substr(0, colon), https ? 443 : 80};
  }
}

}  // namespace

std::vector<std::string> cleanup_leftovers(const std::string& prefix, const fs::path& state_dir) {
  std::vector<std::string> removed;
  // Pid files first: a container whose namespace is already gone is still found.
  std::error_code ec;
  if (fs::exists(state_dir / "pods", ec)) {
    for (auto it = fs::recursive_directory_iterator(state_dir / "pods", ec);
         it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (ec) break;
      if (it->path().extension() != ".pid") continue;
      std::ifstream in(it->path());
      long pid = 0;
      in >> pid;
      // Only processes of a pod of ours: their root is the pod root.
      const auto root = fs::read_symlink("/proc/" + std::to_string(pid) + "/root", ec);
      if (pid > 1 && !ec && root.string().find("/pods/") != std::string::npos) {
        ::kill(static_cast<pid_t>(-pid), SIGKILL);
        ::kill(static_cast<pid_t>(pid), SIGKILL);
        removed.push_back("process " + std::to_string(pid));
      }
      fs::remove(it->path(), ec);
    }
  }
  for (const auto& thing : cleanup_network(prefix)) removed.push_back(thing);
  fs::remove(state_dir / "runtime-state.json", ec);
  return removed;
}

Runtime::Runtime(RuntimeOptions options, kube::RestConfig config, Ipv4Cidr cidr)
    : options_(std::move(options)),
      rest_config_(config),
      client_(std::move(config)),
      network_(options_.name_prefix, cidr) {}

Runtime::~Runtime() = default;

void Runtime::say(const std::string& line) {
  std::lock_guard lock(say_mutex_);
  std::cout << timestamp() << " " << line << std::endl;
}

void Runtime::wake() {
  {
    std::lock_guard lock(wake_mutex_);
    woken_ = true;
  }
  wake_cv_.notify_all();
}

std::optional<json> Runtime::lookup(const std::string& ns, const std::string& kind,
                                    const std::string& name) {
  const auto& type = kind == "Secret" ? kube::resources::kSecrets : kube::resources::kConfigMaps;
  auto got = client_.get(type, ns, name);
  if (!got) return std::nullopt;
  return *got;
}

fs::path Runtime::pod_kubeconfig() const {
  return options_.state_dir / "pod-kubeconfig";
}

bool Runtime::write_pod_kubeconfig(int forwarder_port) {
  json user = json::object();
  std::string token = rest_config_.bearer_token;
  if (!rest_config_.bearer_token_file.empty()) {
    std::ifstream in(rest_config_.bearer_token_file);
    std::getline(in, token);
  }
  if (!token.empty()) user["token"] = token;
  if (!rest_config_.client_cert_pem.empty()) {
    user["client-certificate-data"] = util::base64_encode(rest_config_.client_cert_pem);
    user["client-key-data"] = util::base64_encode(rest_config_.client_key_pem);
  }
  if (!rest_config_.username.empty()) {
    user["username"] = rest_config_.username;
    user["password"] = rest_config_.password;
  }
  const auto scheme = rest_config_.server.rfind("http://", 0) == 0 ? "http" : "https";
  json cluster = {{"server", std::string(scheme) + "://" + network_.bridge_ip() + ":" +
                                 std::to_string(forwarder_port)}};
  if (std::string(scheme) == "https") cluster["insecure-skip-tls-verify"] = true;
  const json kubeconfig = {
      {"apiVersion", "v1"},
      {"kind", "Config"},
      {"clusters", json::array({{{"name", "local"}, {"cluster", cluster}}})},
      {"users", json::array({{{"name", "local"}, {"user", user}}})},
      {"contexts",
       json::array({{{"name", "local"}, {"context", {{"cluster", "local"}, {"user", "local"}}}}})},
      {"current-context", "local"}};
  std::ofstream out(pod_kubeconfig(), std::ios::trunc);
  out << kubeconfig.dump(2) << "\n";
  return static_cast<bool>(out);
}

void Runtime::record_pod_network(const std::string& key, const PodInterface* iface) {
  {
    std::lock_guard lock(state_mutex_);
    if (iface) {
      pod_networks_[key] = *iface;
    } else {
      pod_networks_.erase(key);
    }
  }
  write_state_file();
}

void Runtime::write_state_file() {
  std::lock_guard lock(state_mutex_);
  json pods = json::object();
  for (const auto& [key, iface] : pod_networks_) {
    pods[key] = {{"netns", iface.netns}, {"hostVeth", iface.host_veth}, {"ip", iface.ip}};
  }
  const json state = {{"prefix", options_.name_prefix},
                      {"pid", static_cast<long>(getpid())},
                      {"bridge", network_.bridge()},
                      {"bridgeIP", network_.bridge_ip()},
                      {"hostsOut", options_.hosts_out.string()},
                      {"pods", pods}};
  const auto path = options_.state_dir / "runtime-state.json";
  const auto temporary = options_.state_dir / "runtime-state.json.tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << state.dump(2) << "\n";
  }
  std::error_code ec;
  fs::rename(temporary, path, ec);
}

void Runtime::refresh_hosts() {
  std::lock_guard hosts_lock(hosts_mutex_);
  struct Target {
    HostsPod self;
    fs::path file;
    json aliases;
  };
  std::vector<HostsPod> pods;
  std::vector<Target> targets;
  {
    std::lock_guard lock(workers_mutex_);
    for (const auto& [key, worker] : workers_) {
      if (worker->finished()) continue;
      const auto& pod = worker->pod();
      HostsPod entry;
      entry.name = worker->name();
      entry.ns = worker->ns();
      entry.subdomain = pod.value(json::json_pointer("/spec/subdomain"), "");
      entry.ip = worker->stopping() ? "" : worker->ip();
      entry.ready = worker->ready() && !worker->stopping();
      if (const auto owner = owning_statefulset(pod)) {
        entry.ordinal = std::max(0, ordinal_of(owner->first, entry.name));
      }
      const auto labels = pod.value(json::json_pointer("/metadata/labels"), json::object());
      for (const auto& [k, v] : labels.items()) {
        if (v.is_string()) entry.labels[k] = v.get<std::string>();
      }
      pods.push_back(entry);
      if (!entry.ip.empty()) {
        targets.push_back({entry, worker->hosts_file(),
                           pod.value(json::json_pointer("/spec/hostAliases"), json::array())});
      }
    }
  }
  std::vector<HostsService> services;
  if (services_) {
    for (const auto& svc : services_->cache().list()) {
      HostsService entry;
      entry.name = svc->at("metadata").value("name", "");
      entry.ns = svc->at("metadata").value("namespace", "");
      const auto selector = svc->value(json::json_pointer("/spec/selector"), json::object());
      for (const auto& [k, v] : selector.items()) {
        if (v.is_string()) entry.selector[k] = v.get<std::string>();
      }
      services.push_back(entry);
    }
  }
  const auto write_if_changed = [&](const fs::path& path, const std::string& content) {
    auto& last = written_hosts_[path.string()];
    if (last == content && fs::exists(path)) return;
    write_in_place(path, content);
    last = content;
  };
  for (const auto& target : targets) {
    write_if_changed(target.file, pod_hosts_file(target.self, pods, services, target.aliases));
  }
  write_if_changed(options_.hosts_out, host_hosts_file(pods, services));
}

void Runtime::sync_statefulsets() {
  for (const auto& sts_ptr : statefulsets_->cache().list()) {
    const auto& sts = *sts_ptr;
    if (pod_terminating(sts)) continue;
    const std::string ns = sts.at("metadata").value("namespace", "");
    const std::string name = sts.at("metadata").value("name", "");
    const std::string uid = sts.at("metadata").value("uid", "");
    std::vector<json> pods;
    for (const auto& pod : pods_->cache().by_owner(uid)) pods.push_back(*pod);
    const auto plan = plan_statefulset(sts, pods);
    const auto templates =
        sts.value(json::json_pointer("/spec/volumeClaimTemplates"), json::array());
    // Claims of every desired ordinal exist and are Bound (we are the provisioner).
    for (int ordinal = 0; ordinal < desired_replicas(sts); ++ordinal) {
      for (const auto& claim_template : templates) {
        const auto claim = desired_claim(sts, claim_template, ordinal);
        const std::string claim_name = claim["metadata"]["name"];
        auto current = claims_->cache().get(ns, claim_name);
        if (!current) {
          const auto created = client_.create(kube::resources::kPersistentVolumeClaims, ns, claim);
          if (!created && created.error().reason != kube::ApiErrorReason::kAlreadyExists) {
            say("statefulset " + ns + "/" + name + ": create claim " + claim_name + ": " +
                created.error().what());
            continue;
          }
          if (created) say("claim " + ns + "/" + claim_name + " created");
        } else if (current->value(json::json_pointer("/status/phase"), "") == "Bound") {
          continue;
        }
        json capacity = claim.value(json::json_pointer("/spec/resources/requests"), json::object());
        (void)client_.patch(kube::resources::kPersistentVolumeClaims, ns,
                            claim_name,  // best effort
                            kube::PatchType::kMerge,
                            {{"status",
                              {{"phase", "Bound"},
                               {"accessModes", claim.value(json::json_pointer("/spec/accessModes"),
                                                           json::array({"ReadWriteOnce"}))},
                               {"capacity", capacity}}}},
                            "status");
      }
    }
    const auto revision = plan.status.value("updateRevision", "");
    for (const int ordinal : plan.create) {
      const auto pod = desired_pod(sts, ordinal, revision);
      const auto created = client_.create(kube::resources::kPods, ns, pod);
      if (created) {
        say("pod " + ns + "/" + pod["metadata"]["name"].get<std::string>() + " created at " +
            revision);
      } else if (created.error().reason != kube::ApiErrorReason::kAlreadyExists) {
        say("statefulset " + ns + "/" + name + ": create pod: " + created.error().what());
      }
    }
    for (const auto& pod_name : plan.delete_pods) {
      say("pod " + ns + "/" + pod_name + " deleted by the statefulset controller (" +
          (plan.rolling_update_delete ? "rolling update" : "scale down") + ")");
      (void)client_.remove(kube::resources::kPods, ns, pod_name);  // best effort
    }
    auto current_status = sts.value("status", json::object());
    json wanted = current_status;
    for (const auto& [k, v] : plan.status.items()) wanted[k] = v;
    if (wanted != current_status) {
      const auto patched =
          client_.patch(kube::resources::kStatefulSets, ns, name, kube::PatchType::kMerge,
                        {{"status", plan.status}}, "status");
      if (!patched) say("statefulset " + ns + "/" + name + " status: " + patched.error().what());
    }
  }
}

// The garbage collector's part for druid's pods: a pod whose controlling
// StatefulSet is gone (or was recreated with another UID) is deleted. It
// happens when the StatefulSet is deleted while a create from a cache that
// still held it is on its way; the API server collects dependents only when
// the owner goes, so such a pod would stay. Asked of the API server, not the
// cache, which may lag behind in either direction.
void Runtime::collect_orphaned_pods(const std::vector<kube::ObjectPtr>& candidates) {
  for (const auto& pod : candidates) {
    const auto& meta = pod->at("metadata");
    const std::string ns = meta.value("namespace", "");
    const auto owner = owning_statefulset(*pod);
    const auto sts = client_.get(kube::resources::kStatefulSets, ns, owner->first);
    if (sts && sts->at("metadata").value("uid", "") == owner->second) continue;
    if (!sts && sts.error().reason != kube::ApiErrorReason::kNotFound) continue;
    kube::DeleteOptions del;
    del.precondition_uid = meta.value("uid", "");
    say("pod " + ns + "/" + meta.value("name", "") + " deleted: its StatefulSet " + owner->first +
        " (uid " + owner->second + ") is gone");
    (void)client_.remove(kube::resources::kPods, ns, meta.value("name", ""), del);  // best effort
  }
}

void Runtime::sync_pods() {
  std::map<std::string, kube::ObjectPtr> wanted;  // key → pod of a managed StatefulSet
  std::vector<kube::ObjectPtr> orphan_candidates;
  for (const auto& pod : pods_->cache().list()) {
    const auto owner = owning_statefulset(*pod);
    if (!owner) continue;
    const auto sts =
        statefulsets_->cache().get(pod->at("metadata").value("namespace", ""), owner->first);
    if (!sts || sts->at("metadata").value("uid", "") != owner->second) {
      const bool managed = pod->value(json::json_pointer("/metadata/labels"), json::object())
                               .value(api::kManagedByLabelKey, "") == api::kManagedByValue;
      if (managed && options_.statefulset_controller && !pod_terminating(*pod)) {
        orphan_candidates.push_back(pod);
      }
      continue;
    }
    wanted[key_of(*pod)] = pod;
  }
  collect_orphaned_pods(orphan_candidates);
  std::vector<std::unique_ptr<PodWorker>> done;
  {
    std::lock_guard lock(workers_mutex_);
    for (auto it = workers_.begin(); it != workers_.end();) {
      auto& worker = it->second;
      const auto found = wanted.find(it->first);
      const bool same_pod =
          found != wanted.end() && found->second->at("metadata").value("uid", "") == worker->uid();
      if (!same_pod && !worker->stopping()) worker->request_stop(false);
      if (same_pod && pod_terminating(*found->second) && !worker->stopping()) {
        worker->request_stop(true);
      }
      if (worker->finished()) {
        done.push_back(std::move(worker));
        it = workers_.erase(it);
      } else {
        ++it;
      }
    }
    for (const auto& [key, pod] : wanted) {
      if (workers_.count(key) != 0) continue;
      if (pod_terminating(*pod)) {
        // Nothing runs for it here: finish the deletion.
        kube::DeleteOptions del;
        del.grace_period_seconds = 0;
        del.precondition_uid = pod->at("metadata").value("uid", "");
        (void)client_.remove(kube::resources::kPods,  // best effort
                             pod->at("metadata").value("namespace", ""),
                             pod->at("metadata").value("name", ""), del);
        continue;
      }
      workers_[key] = std::make_unique<PodWorker>(*this, *pod);
    }
  }
  done.clear();  // joins outside the lock (a finishing worker refreshes hosts)
}

int Runtime::run(const std::atomic<bool>& stop) {
  std::error_code ec;
  fs::create_directories(options_.state_dir, ec);
  if (ec) {
    std::cerr << "cannot create --state-dir " << options_.state_dir << ": " << ec.message() << "\n";
    return 1;
  }
  for (const auto& thing : cleanup_leftovers(options_.name_prefix, options_.state_dir)) {
    say("removed leftover " + thing);
  }
  if (auto created = network_.create_bridge(); !created) {
    std::cerr << "cannot create the pod network: " << created.error() << "\n";
    cleanup_network(options_.name_prefix);
    return 1;
  }
  say("bridge " + network_.bridge() + " " + network_.bridge_ip());
  const auto [api_host, api_port] = host_and_port(rest_config_.server);
  auto port = forwarder_.start(network_.bridge_ip(), api_port, api_host, api_port);
  if (!port) port = forwarder_.start(network_.bridge_ip(), 0, api_host, api_port);
  if (!port) {
    std::cerr << "cannot forward the API server into the pod network: " << port.error() << "\n";
    cleanup_network(options_.name_prefix);
    return 1;
  }
  write_pod_kubeconfig(*port);
  write_state_file();
  say("API server reachable from pods at " + network_.bridge_ip() + ":" + std::to_string(*port));

  const auto make = [&](const util::ResourceType& type, const std::string& selector) {
    kube::InformerOptions o;
    o.type = type;
    o.label_selector = selector;
    o.resync_period = std::chrono::seconds(30);
    auto informer = std::make_unique<kube::Informer>(client_, o);
    informer->add_handlers({[this](const kube::ObjectPtr&) { wake(); },
                            [this](const kube::ObjectPtr&, const kube::ObjectPtr&) { wake(); },
                            [this](const kube::ObjectPtr&) { wake(); }});
    informer->start();
    return informer;
  };
  statefulsets_ = make(kube::resources::kStatefulSets, kManagedBySelector);
  pods_ = make(kube::resources::kPods, "");
  services_ = make(kube::resources::kServices, kManagedBySelector);
  claims_ = make(kube::resources::kPersistentVolumeClaims, "");
  for (auto* informer : {statefulsets_.get(), pods_.get(), services_.get(), claims_.get()}) {
    while (!stop && !informer->wait_for_sync(std::chrono::milliseconds(200))) {
    }
  }
  say("watching StatefulSets (" + std::string(kManagedBySelector) + ")" +
      (options_.statefulset_controller ? " as StatefulSet controller and kubelet" : " as kubelet"));

  while (!stop) {
    {
      std::unique_lock lock(wake_mutex_);
      wake_cv_.wait_for(lock, std::chrono::milliseconds(500), [this] { return woken_; });
      woken_ = false;
    }
    if (stop) break;
    if (options_.statefulset_controller) sync_statefulsets();
    sync_pods();
    refresh_hosts();
  }

  say("stopping all pods");
  {
    std::lock_guard lock(workers_mutex_);
    for (auto& [key, worker] : workers_) worker->request_stop(false);
  }
  std::map<std::string, std::unique_ptr<PodWorker>> workers;
  {
    std::lock_guard lock(workers_mutex_);
    workers.swap(workers_);
  }
  workers.clear();
  for (auto* informer : {statefulsets_.get(), pods_.get(), services_.get(), claims_.get()}) {
    informer->stop();
  }
  forwarder_.stop();
  network_.remove_bridge();
  cleanup_network(options_.name_prefix);
  fs::remove(options_.state_dir / "runtime-state.json", ec);
  say("stopped; network removed");
  return 0;
}

}  // namespace druid::localenv
