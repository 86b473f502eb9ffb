#pragma once
// The pod network on the host: one Linux bridge "<prefix>-br" holding the
// first address of the CIDR, and per pod a network namespace "<prefix>-<n>"
// with a veth pair ("<prefix>-h<n>" on the bridge, "eth0" inside), the next
// free address, loopback up and no default route. Everything is made with
// `ip` and found again by its prefix, so leftovers of a killed instance can be
// removed (cleanup_network).

#include <mutex>
#include <set>
#include <string>

#include "localenv/pod_runtime/ip_allocator.hpp"
#include "util/expected.hpp"

namespace druid::localenv {

struct PodInterface {
  std::string netns;      // name under /var/run/netns
  std::string host_veth;  // on the bridge
  std::string ip;
};

class PodNetwork {
 public:
  PodNetwork(std::string prefix, Ipv4Cidr cidr);

  const std::string& bridge() const { return bridge_; }
  std::string bridge_ip() const { return allocator_.bridge_ip(); }

  // Creates the bridge (fails if it exists: call cleanup_network first).
  util::Expected<bool, std::string> create_bridge();
  util::Expected<PodInterface, std::string> add_pod();
  void remove_pod(const PodInterface& pod);
  void remove_bridge();

 private:
  std::string prefix_;
  std::string bridge_;
  std::mutex mutex_;  // allocator_ and next_index_
  IpAllocator allocator_;
  int next_index_ = 0;
};

// Interface and namespace names this prefix owns (a name is ours when it
// starts with "<prefix>-").
bool owned_name(const std::string& prefix, const std::string& name);

// Kills every process inside our namespaces, deletes the namespaces, the veths
// and the bridge. Returns what was removed, for the log.
std::set<std::string> cleanup_network(const std::string& prefix);

// The pod interface's MAC: locally administered, 0a:58 and the IPv4 bytes.
std::string mac_for_ip(const std::string& ip);

// A valid prefix: 1..8 of [a-z0-9], starting with a letter (names stay ≤ 15 chars).
util::Expected<bool, std::string> validate_prefix(const std::string& prefix);

}  // namespace druid::localenv
