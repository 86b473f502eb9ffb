#pragma once
// Plays, for one Etcd, the parts of a cluster the test API server does not
// have: the StatefulSet controller (StatefulSet status, pods, PVCs), the
// kubelet (the pods' ContainersReady condition) and each member's
// backup-restore sidecar (member leases and snapshot leases, as etcd-backup-restore's
// pkg/health/heartbeat/heartbeat.go writes them). Everything goes through the API, like the real
// actors.
//
// Nothing runs in the background: a test calls sync() inside its `eventually`
// loops, so the simulated cluster moves only while the test waits for it.
// sync() does real work at most every kMinSyncInterval unless a knob changed,
// and renews each lease at most every kRenewInterval (the options' defaults),
// so a 1 ms polling loop does not flood the server. Knobs change what the next
// sync() writes; leases can be back-dated so no test waits for a threshold to
// pass.
//
// A long-running caller (druid-simulate-members) passes informer caches in
// the options instead: sync() then reads the Etcd, StatefulSet, pods and
// leases from them, so a sync that has nothing to write sends no request, and
// next_renewal() says when a lease falls due, so the caller can sleep until an
// event or that time instead of polling.
//
// Simplifications: pods are created from the template once and never rolled
// (a rollout is shown through the StatefulSet status knob); the revision names
// derive from the pod template; one PVC per pod from the first claim template.

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "api/defaults.hpp"
#include "api/etcd.hpp"
#include "api/label_selector.hpp"
#include "api/names.hpp"
#include "api/resources.hpp"
#include "kube/api_error.hpp"
#include "kube/cache.hpp"
#include "kube/client.hpp"
#include "kube/resource.hpp"
#include "support/fixtures.hpp"
#include "util/time.hpp"

namespace druid::test {

// Caches kept current by the caller's informers (all four, of the Etcd's
// namespace or all namespaces); the StatefulSet, pod and lease caches must hold
// druid's objects (its managed-by label) at least.
// The merge patch backup-restore sends when it renews a snapshot lease: the
// revision the snapshot reached as holderIdentity, and the renewal time.
inline nlohmann::json snapshot_lease_renewal(std::int64_t revision, util::Time renew_time) {
  return {{"spec",
           {{"holderIdentity", std::to_string(revision)},
            {"renewTime", util::format_rfc3339_micro(renew_time)}}}};
}

struct ClusterSimulatorCaches {
  const kube::Cache* etcds = nullptr;
  const kube::Cache* statefulsets = nullptr;
  const kube::Cache* pods = nullptr;
  const kube::Cache* leases = nullptr;
};

struct ClusterSimulatorOptions {
  // Short, so that tests see renewals without waiting; the real sidecar's
  // --k8s-heartbeat-duration is 10 s.
  std::chrono::milliseconds renew_interval{250};
  // Caps the work of callers that call sync() in a tight loop; 0 for callers
  // that sync only on events and must not miss one.
  std::chrono::milliseconds min_sync_interval{50};
  // Unset: every sync() reads with GET and LIST.
  std::optional<ClusterSimulatorCaches> caches;
};

class ClusterSimulator {
 public:
  static constexpr std::chrono::milliseconds kMinSyncInterval =
      ClusterSimulatorOptions{}.min_sync_interval;
  static constexpr std::chrono::milliseconds kRenewInterval =
      ClusterSimulatorOptions{}.renew_interval;
  static constexpr const char* kDefaultClusterId = "b7a3c1d2e4f50617";
  using TimePoint = std::chrono::steady_clock::time_point;

  ClusterSimulator(kube::Client& client, std::string etcd_name = kTestEtcdName,
                   std::string ns = kTestNamespace)
      : ClusterSimulator(client, std::move(etcd_name), std::move(ns), ClusterSimulatorOptions{}) {}
  ClusterSimulator(kube::Client& client, std::string etcd_name, std::string ns,
                   ClusterSimulatorOptions options)
      : client_(client),
        etcd_name_(std::move(etcd_name)),
        ns_(std::move(ns)),
        options_(std::move(options)) {}

  // --- backup-restore: member leases ---------------------------------------
  // The member's sidecar stops renewing; its lease keeps the last renewTime.
  void stop_renewing(int member) {
    knobs(member).renewing = false;
    changed();
  }
  // The sidecar stops renewing and its lease shows a renewal `ago` in the past
  // (written by the next sync()).
  void set_renewed_ago(int member, std::chrono::milliseconds ago) {
    auto& k = knobs(member);
    k.renewing = false;
    k.backdate = ago;
    k.backdate_written = false;
    changed();
  }
  void resume_renewing(int member) {
    auto& k = knobs(member);
    k.renewing = true;
    k.backdate.reset();
    k.last_renewal.reset();
    changed();
  }
  // The cluster ID this member's sidecar reports (etcd's Maintenance.Status).
  void set_cluster_id(int member, std::string cluster_id) {
    knobs(member).cluster_id = std::move(cluster_id);
    knobs(member).last_renewal.reset();
    changed();
  }
  void set_leader(int member) {
    leader_ = member;
    for (auto& [ordinal, k] : members_) k.last_renewal.reset();
    changed();
  }
  static std::string member_id(int member) {
    return fmt::format("{:x}", 0x3f0a9c6e5d2b1000ULL + static_cast<std::uint64_t>(member));
  }
  std::string cluster_id(int member) { return knobs(member).cluster_id; }

  // --- backup-restore: snapshot leases -------------------------------------
  // Both snapshot leases show their last renewal `ago` in the past and are no
  // longer renewed; nullopt resumes renewing.
  void set_snapshot_leases_renewed_ago(std::optional<std::chrono::milliseconds> ago) {
    snapshots_backdate_ = ago;
    snapshots_backdate_written_ = false;
    snapshots_last_renewal_.reset();
    changed();
  }

  // The snapshot leases are someone else's (a SnapshotSidecar of
  // druid-simulate-members): this simulator never writes them.
  void leave_snapshot_leases_to_others() {
    snapshot_leases_elsewhere_ = true;
    changed();
  }

  // --- kubelet -------------------------------------------------------------
  void set_containers_ready(int member, bool ready) {
    knobs(member).containers_ready = ready;
    changed();
  }

  // --- StatefulSet controller ----------------------------------------------
  // Overrides status.readyReplicas (default: pods whose containers are ready).
  void set_ready_replicas(std::optional<std::int32_t> ready) {
    ready_replicas_ = ready;
    changed();
  }
  // A rolling update in progress: updateRevision is newer than
  // currentRevision and no replica is updated yet.
  void set_rollout_in_progress(bool in_progress) {
    rollout_in_progress_ = in_progress;
    changed();
  }
  // The PVC of this member is Pending instead of Bound.
  void set_pvc_bound(int member, bool bound) {
    knobs(member).pvc_bound = bound;
    changed();
  }
  // `<volumeClaimTemplate>-<sts>-<ordinal>`, as the StatefulSet controller names PVCs.
  std::string pvc_name(int member) const {
    return fmt::format("{}-{}-{}", claim_template_, etcd_name_, member);
  }

  // One round of every role. True when the StatefulSet exists and everything
  // due was written; otherwise last_error() says what is missing or failed.
  bool sync() {
    const auto now = std::chrono::steady_clock::now();
    if (!dirty_ && last_sync_ && now - *last_sync_ < options_.min_sync_interval) return last_ok_;
    dirty_ = false;
    last_sync_ = now;
    error_.clear();
    last_ok_ = sync_once();
    return last_ok_;
  }
  // Renews every renewing lease in the next sync(), due or not.
  void renew() {
    for (auto& [ordinal, k] : members_) k.last_renewal.reset();
    snapshots_last_renewal_.reset();
    changed();
  }
  const std::string& last_error() const { return error_; }

  // When the next sync() has a lease to write (now when one is overdue);
  // nullopt when no lease is renewed. Covers the leases the last sync() found
  // the members for.
  std::optional<TimePoint> next_renewal() const {
    std::optional<TimePoint> next;
    const auto consider = [&next](TimePoint at) {
      if (!next || at < *next) next = at;
    };
    const auto now = std::chrono::steady_clock::now();
    for (const auto& [ordinal, k] : members_) {
      if (ordinal >= renewed_members_) continue;
      if (k.backdate) {
        if (!k.backdate_written) consider(now);
      } else if (k.renewing) {
        consider(k.last_renewal ? *k.last_renewal + options_.renew_interval : now);
      }
    }
    if (renews_snapshot_leases_) {
      if (snapshots_backdate_) {
        if (!snapshots_backdate_written_) consider(now);
      } else {
        consider(snapshots_last_renewal_ ? *snapshots_last_renewal_ + snapshot_interval_ : now);
      }
    }
    return next;
  }

 private:
  struct MemberKnobs {
    bool renewing = true;
    std::optional<std::chrono::milliseconds> backdate;
    bool backdate_written = false;
    std::string cluster_id = kDefaultClusterId;
    bool containers_ready = true;
    bool pvc_bound = true;
    std::optional<std::chrono::steady_clock::time_point> last_renewal;
    // What the kubelet / StatefulSet controller last wrote.
    std::optional<bool> written_containers_ready;
    std::optional<bool> written_pvc_bound;
  };

  MemberKnobs& knobs(int member) { return members_[member]; }
  void changed() { dirty_ = true; }
  bool fail(const std::string& what) {
    if (error_.empty()) error_ = what;
    return false;
  }
  static util::Time wall_now() {
    return std::chrono::time_point_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now());
  }
  static bool due(const std::optional<std::chrono::steady_clock::time_point>& last,
                  std::chrono::milliseconds interval) {
    return !last || std::chrono::steady_clock::now() - *last >= interval;
  }

  // The object from the caller's cache, or from the server without one.
  std::optional<nlohmann::json> read(const util::ResourceType& type, const kube::Cache* cache,
                                     const std::string& name, const char* what) {
    if (options_.caches) {
      if (auto cached = cache->get(ns_, name)) return *cached;
      fail(std::string(what) + ": not found");
      return std::nullopt;
    }
    auto got = client_.get(type, ns_, name);
    if (!got) {
      fail(std::string(what) + ": " + got.error().what());
      return std::nullopt;
    }
    return std::move(*got);
  }

  bool sync_once() {
    const auto* caches = options_.caches ? &*options_.caches : nullptr;
    auto etcd_json =
        read(api::resources::kEtcds, caches ? caches->etcds : nullptr, etcd_name_, "Etcd");
    if (!etcd_json) return false;
    auto etcd = api::decode_etcd(*etcd_json);
    if (!etcd) return fail("Etcd does not decode");
    auto sts = read(kube::resources::kStatefulSets, caches ? caches->statefulsets : nullptr,
                    etcd_name_, "StatefulSet");
    if (!sts) return false;
    const std::int32_t replicas = (*sts)["spec"].value("replicas", 1);
    const auto& claims = (*sts)["spec"].value("volumeClaimTemplates", nlohmann::json::array());
    if (!claims.empty()) claim_template_ = claims[0]["metadata"].value("name", etcd_name_);

    bool ok = sync_pods(*sts, replicas);
    ok = sync_pvcs(*sts, replicas) && ok;
    ok = sync_statefulset_status(*sts, replicas) && ok;
    // Sidecars run only in existing pods of members the Etcd still has.
    const int members = std::min<int>(replicas, etcd->spec.replicas);
    renewed_members_ = members;
    for (int i = 0; i < members; ++i) ok = renew_member_lease(*etcd, i) && ok;
    renews_snapshot_leases_ =
        !snapshot_leases_elsewhere_ && api::is_backup_store_enabled(*etcd) && members > 0;
    snapshot_interval_ = snapshot_interval(*etcd);
    if (renews_snapshot_leases_) ok = renew_snapshot_leases() && ok;
    return ok;
  }

  // The sidecar renews the delta snapshot lease after each delta snapshot;
  // BackupReady expects that at least every deltaSnapshotPeriod.
  std::chrono::milliseconds snapshot_interval(const api::Etcd& etcd) const {
    auto period = api::effective::backup_ready_delta_snapshot_period(etcd);
    if (!period || period->value.value <= std::chrono::nanoseconds::zero()) {
      return options_.renew_interval;
    }
    return std::min(options_.renew_interval,
                    std::chrono::duration_cast<std::chrono::milliseconds>(period->value.value));
  }

  // A lease the caches do not show (druid has not created it yet) is not
  // patched: the patch would fail, and its creation is an event anyway.
  bool lease_missing(const std::string& name) {
    if (!options_.caches || options_.caches->leases->get(ns_, name)) return false;
    fail("lease " + name + ": not found");
    return true;
  }

  // --- StatefulSet controller + kubelet --------------------------------------
  // The pods of the StatefulSet by ordinal.
  std::optional<std::map<int, nlohmann::json>> existing_pods(const nlohmann::json& sts) {
    const nlohmann::json match_labels = selector_labels(sts);
    nlohmann::json items;
    if (options_.caches) {
      util::Labels labels;
      for (const auto& [key, value] : match_labels.items()) labels[key] = value.get<std::string>();
      items = nlohmann::json::array();
      for (const auto& pod :
           options_.caches->pods->list(ns_, util::Selector::from_labels(labels))) {
        items.push_back(*pod);
      }
    } else {
      kube::ListOptions options;
      for (const auto& [key, value] : match_labels.items()) {
        options.label_selector +=
            (options.label_selector.empty() ? "" : ",") + key + "=" + value.get<std::string>();
      }
      auto pods = client_.list(kube::resources::kPods, ns_, options);
      if (!pods) {
        fail("listing pods: " + std::string(pods.error().what()));
        return std::nullopt;
      }
      items = std::move((*pods)["items"]);
    }
    std::map<int, nlohmann::json> by_ordinal;
    const std::string prefix = etcd_name_ + "-";
    for (auto& pod : items) {
      const std::string name = pod["metadata"].value("name", "");
      if (!name.starts_with(prefix)) continue;
      try {
        by_ordinal.emplace(std::stoi(name.substr(prefix.size())), std::move(pod));
      } catch (const std::exception&) {
      }
    }
    return by_ordinal;
  }

  bool sync_pods(const nlohmann::json& sts, std::int32_t replicas) {
    bool ok = true;
    const auto listed = existing_pods(sts);
    if (!listed) return false;
    const std::map<int, nlohmann::json>& existing = *listed;
    for (const auto& [ordinal, existing_pod] : existing) {
      if (ordinal < replicas) continue;
      auto removed = client_.remove(kube::resources::kPods, ns_, pod_name(ordinal));
      if (!removed && !kube::is_not_found(removed.error())) {
        ok = fail("deleting pod: " + std::string(removed.error().what()));
      }
      knobs(ordinal).written_containers_ready.reset();
    }
    for (int i = 0; i < replicas; ++i) {
      auto& k = knobs(i);
      const auto found = existing.find(i);
      nlohmann::json spec = found != existing.end()
                                ? found->second.value("spec", nlohmann::json::object())
                                : sts["spec"]["template"].value("spec", nlohmann::json::object());
      if (found == existing.end()) {
        auto created = client_.create(kube::resources::kPods, ns_, pod(sts, i));
        if (!created && !kube::is_already_exists(created.error())) {
          ok = fail("creating pod: " + std::string(created.error().what()));
          continue;
        }
        // A cache that has not seen the pod we created a moment ago yet: the
        // status written then still stands.
        if (created) k.written_containers_ready.reset();
      }
      if (k.written_containers_ready == k.containers_ready) continue;
      auto patched =
          client_.patch(kube::resources::kPods, ns_, pod_name(i), kube::PatchType::kMerge,
                        pod_status(spec, k.containers_ready), "status");
      if (!patched) {
        ok = fail("patching pod status: " + std::string(patched.error().what()));
        continue;
      }
      k.written_containers_ready = k.containers_ready;
    }
    return ok;
  }

  static nlohmann::json selector_labels(const nlohmann::json& sts) {
    return sts.value(nlohmann::json::json_pointer("/spec/selector/matchLabels"),
                     nlohmann::json::object());
  }

  std::string pod_name(int ordinal) const { return api::pod_name(etcd_name_, ordinal); }

  nlohmann::json pod(const nlohmann::json& sts, int ordinal) const {
    const auto& tmpl = sts["spec"]["template"];
    nlohmann::json metadata = tmpl.value("metadata", nlohmann::json::object());
    metadata["name"] = pod_name(ordinal);
    metadata["namespace"] = ns_;
    metadata.erase("creationTimestamp");
    metadata["ownerReferences"] = {{{"apiVersion", "apps/v1"},
                                    {"kind", "StatefulSet"},
                                    {"name", sts["metadata"]["name"]},
                                    {"uid", sts["metadata"]["uid"]},
                                    {"controller", true},
                                    {"blockOwnerDeletion", true}}};
    return {{"apiVersion", "v1"},
            {"kind", "Pod"},
            {"metadata", metadata},
            {"spec", tmpl.value("spec", nlohmann::json::object())}};
  }

  // kubectl's READY column counts containerStatuses with ready=true, so every
  // container of the spec gets one; unready ones still run (a failing
  // readiness probe).
  static nlohmann::json pod_status(const nlohmann::json& spec, bool containers_ready) {
    const std::string ready = containers_ready ? "True" : "False";
    const std::string now = util::format_rfc3339(wall_now());
    nlohmann::json container_statuses = nlohmann::json::array();
    for (const auto& container : spec.value("containers", nlohmann::json::array())) {
      container_statuses.push_back({{"name", container.value("name", "")},
                                    {"image", container.value("image", "")},
                                    {"imageID", ""},
                                    {"ready", containers_ready},
                                    {"started", true},
                                    {"restartCount", 0},
                                    {"state", {{"running", {{"startedAt", now}}}}}});
    }
    nlohmann::json init_statuses = nlohmann::json::array();
    for (const auto& container : spec.value("initContainers", nlohmann::json::array())) {
      init_statuses.push_back({{"name", container.value("name", "")},
                               {"image", container.value("image", "")},
                               {"imageID", ""},
                               {"ready", true},
                               {"restartCount", 0},
                               {"state",
                                {{"terminated",
                                  {{"exitCode", 0},
                                   {"reason", "Completed"},
                                   {"startedAt", now},
                                   {"finishedAt", now}}}}}});
    }
    nlohmann::json conditions = nlohmann::json::array();
    for (const char* type : {"Initialized", "Ready", "ContainersReady", "PodScheduled"}) {
      const bool depends = std::string(type) == "Ready" || std::string(type) == "ContainersReady";
      conditions.push_back({{"type", type},
                            {"status", depends ? ready : "True"},
                            {"lastProbeTime", nullptr},
                            {"lastTransitionTime", now}});
    }
    nlohmann::json status = {{"phase", "Running"},
                             {"conditions", conditions},
                             {"containerStatuses", container_statuses}};
    if (!init_statuses.empty()) status["initContainerStatuses"] = init_statuses;
    return {{"status", status}};
  }

  bool sync_pvcs(const nlohmann::json& sts, std::int32_t replicas) {
    if (!sts["spec"].contains("volumeClaimTemplates")) return true;
    bool ok = true;
    for (int i = 0; i < replicas; ++i) {
      auto& k = knobs(i);
      if (k.written_pvc_bound == k.pvc_bound) continue;
      if (!k.written_pvc_bound) {
        auto created = client_.create(kube::resources::kPersistentVolumeClaims, ns_, pvc(sts, i));
        if (!created && !kube::is_already_exists(created.error())) {
          ok = fail("creating PVC: " + std::string(created.error().what()));
          continue;
        }
      }
      const nlohmann::json status = {{"status", {{"phase", k.pvc_bound ? "Bound" : "Pending"}}}};
      auto patched = client_.patch(kube::resources::kPersistentVolumeClaims, ns_, pvc_name(i),
                                   kube::PatchType::kMerge, status, "status");
      if (!patched) {
        ok = fail("patching PVC status: " + std::string(patched.error().what()));
        continue;
      }
      k.written_pvc_bound = k.pvc_bound;
    }
    return ok;
  }

  // PVCs carry the template's labels plus the StatefulSet's selector labels.
  nlohmann::json pvc(const nlohmann::json& sts, int ordinal) const {
    const auto& tmpl = sts["spec"]["volumeClaimTemplates"][0];
    nlohmann::json labels = tmpl["metadata"].value("labels", nlohmann::json::object());
    labels.update(selector_labels(sts));
    return {{"apiVersion", "v1"},
            {"kind", "PersistentVolumeClaim"},
            {"metadata", {{"name", pvc_name(ordinal)}, {"namespace", ns_}, {"labels", labels}}},
            {"spec", tmpl.value("spec", nlohmann::json::object())}};
  }

  bool sync_statefulset_status(const nlohmann::json& sts, std::int32_t replicas) {
    std::int32_t ready = 0;
    for (int i = 0; i < replicas; ++i) ready += knobs(i).containers_ready ? 1 : 0;
    if (ready_replicas_) ready = *ready_replicas_;
    const std::string revision =
        fmt::format("{}-{:x}", etcd_name_,
                    std::hash<std::string>{}(sts["spec"]["template"].dump()) & 0xffffffffULL);
    const nlohmann::json desired = {
        {"observedGeneration", sts["metadata"].value("generation", 1)},
        {"replicas", replicas},
        {"readyReplicas", ready},
        {"availableReplicas", ready},
        {"currentReplicas", replicas},
        {"updatedReplicas", rollout_in_progress_ ? 0 : replicas},
        {"currentRevision", revision},
        {"updateRevision", rollout_in_progress_ ? revision + "-next" : revision},
        {"collisionCount", 0}};
    const auto current = sts.value("status", nlohmann::json::object());
    bool same = true;
    for (const auto& [key, value] : desired.items()) {
      if (!current.contains(key) || current[key] != value) same = false;
    }
    if (same) return true;
    auto patched = client_.patch(kube::resources::kStatefulSets, ns_, etcd_name_,
                                 kube::PatchType::kMerge, {{"status", desired}}, "status");
    if (!patched)
      return fail("patching StatefulSet status: " + std::string(patched.error().what()));
    return true;
  }

  // --- backup-restore ---------------------------------------------------------
  bool renew_member_lease(const api::Etcd& etcd, int ordinal) {
    auto& k = knobs(ordinal);
    util::Time renew_time = wall_now();
    if (k.backdate) {
      if (k.backdate_written) return true;
      renew_time -= *k.backdate;
    } else if (!k.renewing || !due(k.last_renewal, options_.renew_interval)) {
      return true;
    }
    const std::string role = ordinal == leader_ ? "Leader" : "Member";
    const bool peer_tls = etcd.spec.etcd.peer_url_tls.has_value();
    const nlohmann::json patch = {
        {"metadata",
         {{"annotations",
           {{"member.etcd.gardener.cloud/tls-enabled", peer_tls ? "true" : "false"}}}}},
        {"spec",
         {{"holderIdentity", fmt::format("{}:{}:{}", member_id(ordinal), k.cluster_id, role)},
          {"renewTime", util::format_rfc3339_micro(renew_time)}}}};
    const std::string name = api::member_lease_name(etcd, ordinal);
    if (lease_missing(name)) return false;
    auto patched =
        client_.patch(kube::resources::kLeases, ns_, name, kube::PatchType::kMerge, patch);
    if (!patched) return fail("renewing lease " + name + ": " + patched.error().what());
    k.last_renewal = std::chrono::steady_clock::now();
    if (k.backdate) k.backdate_written = true;
    return true;
  }

  bool renew_snapshot_leases() {
    if (snapshots_backdate_ ? snapshots_backdate_written_
                            : !due(snapshots_last_renewal_, snapshot_interval_)) {
      return true;
    }
    if (lease_missing(api::full_snapshot_lease_name(etcd_name_)) ||
        lease_missing(api::delta_snapshot_lease_name(etcd_name_))) {
      return false;
    }
    util::Time renew_time = wall_now();
    if (snapshots_backdate_) renew_time -= *snapshots_backdate_;
    revision_ += 10;
    // Full: the revision of the last full snapshot; delta: of the newest delta.
    const std::pair<std::string, std::int64_t> leases[] = {
        {api::full_snapshot_lease_name(etcd_name_), revision_ - 5},
        {api::delta_snapshot_lease_name(etcd_name_), revision_}};
    for (const auto& [name, revision] : leases) {
      auto patched = client_.patch(kube::resources::kLeases, ns_, name, kube::PatchType::kMerge,
                                   snapshot_lease_renewal(revision, renew_time));
      if (!patched) return fail("renewing lease " + name + ": " + patched.error().what());
    }
    snapshots_last_renewal_ = std::chrono::steady_clock::now();
    snapshots_backdate_written_ = snapshots_backdate_.has_value();
    return true;
  }

  kube::Client& client_;
  std::string etcd_name_;
  std::string ns_;
  ClusterSimulatorOptions options_;
  std::string claim_template_ = etcd_name_;
  std::map<int, MemberKnobs> members_;
  int leader_ = 0;
  std::optional<std::int32_t> ready_replicas_;
  bool rollout_in_progress_ = false;
  std::optional<std::chrono::milliseconds> snapshots_backdate_;
  bool snapshot_leases_elsewhere_ = false;
  bool snapshots_backdate_written_ = false;
  std::optional<std::chrono::steady_clock::time_point> snapshots_last_renewal_;
  std::chrono::milliseconds snapshot_interval_ = options_.renew_interval;
  // What the last sync_once() renewed, for next_renewal().
  int renewed_members_ = 0;
  bool renews_snapshot_leases_ = false;
  std::int64_t revision_ = 100;
  bool dirty_ = true;
  bool last_ok_ = false;
  std::optional<std::chrono::steady_clock::time_point> last_sync_;
  std::string error_;
};

}  // namespace druid::test
