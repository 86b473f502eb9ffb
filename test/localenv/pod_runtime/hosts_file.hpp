#pragma once
// The /etc/hosts of the pods (and of a host process that wants to reach them):
// the cluster DNS names the operator and the members use, emulated with one
// static file. Services are emulated as ClusterIPs that are the IP of ONE
// ready pod the selector matches (the lowest ordinal), so a name never points
// at a member that cannot answer.

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace druid::localenv {

struct HostsPod {
  std::string name, ns, subdomain, ip;
  bool ready = false;
  int ordinal = 0;  // sorts service backends
  std::map<std::string, std::string> labels;
};

struct HostsService {
  std::string name, ns;
  std::map<std::string, std::string> selector;  // empty: no backend (as Kubernetes)
};

// The IP of the Service's one backend: the lowest ordinal among the ready pods
// its selector matches; nullopt when none is (or the selector is empty).
inline std::optional<std::string> service_backend_ip(const std::vector<HostsPod>& pods,
                                                     const HostsService& svc) {
  if (svc.selector.empty()) return std::nullopt;
  const HostsPod* backend = nullptr;
  for (const auto& pod : pods) {
    if (pod.ns != svc.ns || !pod.ready || pod.ip.empty()) continue;
    const bool matches = std::all_of(svc.selector.begin(), svc.selector.end(), [&](const auto& kv) {
      const auto it = pod.labels.find(kv.first);
      return it != pod.labels.end() && it->second == kv.second;
    });
    if (matches && (backend == nullptr || pod.ordinal < backend->ordinal)) backend = &pod;
  }
  if (backend == nullptr) return std::nullopt;
  return backend->ip;
}

// The lines every file shares: pod FQDNs and service names.
inline std::string cluster_hosts_lines(const std::vector<HostsPod>& pods,
                                       const std::vector<HostsService>& services) {
  std::string out;
  auto sorted = pods;
  std::sort(sorted.begin(), sorted.end(), [](const HostsPod& a, const HostsPod& b) {
    return std::tie(a.ns, a.name) < std::tie(b.ns, b.name);
  });
  for (const auto& pod : sorted) {
    if (pod.ip.empty() || pod.subdomain.empty()) continue;
    const auto fqdn = pod.name + "." + pod.subdomain + "." + pod.ns + ".svc";
    out += pod.ip + "\t" + fqdn + " " + fqdn + ".cluster.local\n";
  }
  auto services_sorted = services;
  std::sort(services_sorted.begin(), services_sorted.end(),
            [](const HostsService& a, const HostsService& b) {
              return std::tie(a.ns, a.name) < std::tie(b.ns, b.name);
            });
  for (const auto& svc : services_sorted) {
    const auto ip = service_backend_ip(pods, svc);
    if (!ip) continue;
    const auto base = svc.name + "." + svc.ns;
    out += *ip + "\t" + base + ".svc " + base + ".svc.cluster.local " + base + "\n";
  }
  return out;
}

// A pod's own file: localhost, its name, the cluster names, then the
// spec.hostAliases. Short service names (`<svc>`) resolve only inside the
// service's namespace, as with a search path.
inline std::string pod_hosts_file(const HostsPod& self, const std::vector<HostsPod>& pods,
                                  const std::vector<HostsService>& services,
                                  const nlohmann::json& host_aliases) {
  std::string out = "# Written by druid-pod-runtime; regenerated when pods or services change.\n";
  out += "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n";
  if (!self.ip.empty()) out += self.ip + "\t" + self.name + "\n";
  out += cluster_hosts_lines(pods, services);
  // Short names of this namespace's services.
  std::vector<HostsService> local;
  for (const auto& svc : services) {
    if (svc.ns == self.ns) local.push_back(svc);
  }
  for (const auto& svc : local) {
    if (const auto ip = service_backend_ip(pods, svc)) out += *ip + "\t" + svc.name + "\n";
  }
  if (host_aliases.is_array()) {
    for (const auto& alias : host_aliases) {
      std::string names;
      for (const auto& h : alias.value("hostnames", nlohmann::json::array())) {
        if (h.is_string()) names += (names.empty() ? "" : " ") + h.get<std::string>();
      }
      if (!names.empty()) out += alias.value("ip", "") + "\t" + names + "\n";
    }
  }
  return out;
}

// The host-side file: localhost plus the cluster names. A host process has no
// namespace, so short names `<svc>` of every namespace are listed as well.
inline std::string host_hosts_file(const std::vector<HostsPod>& pods,
                                   const std::vector<HostsService>& services) {
  std::string out =
      "# Written by druid-pod-runtime for host processes (bind-mount on /etc/hosts).\n";
  out += "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n";
  out += cluster_hosts_lines(pods, services);
  for (const auto& svc : services) {
    if (const auto ip = service_backend_ip(pods, svc)) out += *ip + "\t" + svc.name + "\n";
  }
  return out;
}

}  // namespace druid::localenv
