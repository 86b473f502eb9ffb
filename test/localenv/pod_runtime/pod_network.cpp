#include "localenv/pod_runtime/pod_network.hpp"

#include <arpa/inet.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <sstream>
#include <thread>
#include <vector>

#include "localenv/pod_runtime/system_command.hpp"

namespace druid::localenv {
namespace {

util::Expected<bool, std::string> run_ip(const std::vector<std::string>& argv) {
  const auto result = run_command(argv);
  if (!result.ok()) {
    return util::Unexpected<std::string>{join_command(argv) + ": " + result.output};
  }
  return true;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

// Names of `ip -o link show` lines ("3: name@peer: <...>").
std::vector<std::string> link_names() {
  std::vector<std::string> out;
  for (const auto& line : lines(run_command({"ip", "-o", "link", "show"}).output)) {
    const auto first = line.find(": ");
    if (first == std::string::npos) continue;
    auto name = line.substr(first + 2);
    name = name.substr(0, name.find_first_of(":@"));
    out.push_back(name);
  }
  return out;
}

std::vector<std::string> netns_names() {
  std::vector<std::string> out;
  for (const auto& line : lines(run_command({"ip", "netns", "list"}).output)) {
    out.push_back(line.substr(0, line.find(' ')));
  }
  return out;
}

}  // namespace

std::string mac_for_ip(const std::string& ip) {
  in_addr addr{};
  inet_pton(AF_INET, ip.c_str(), &addr);
  const auto* b = reinterpret_cast<const unsigned char*>(&addr.s_addr);
  char text[18];
  std::snprintf(text, sizeof(text), "0a:58:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3]);
  return text;
}

bool owned_name(const std::string& prefix, const std::string& name) {
  return name.size() > prefix.size() + 1 && name.compare(0, prefix.size(), prefix) == 0 &&
         name[prefix.size()] == '-';
}

util::Expected<bool, std::string> validate_prefix(const std::string& prefix) {
  if (prefix.empty() || prefix.size() > 8 || prefix[0] < 'a' || prefix[0] > 'z' ||
      prefix.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789") != std::string::npos) {
    return util::Unexpected<std::string>{
        "invalid --name-prefix \"" + prefix +
        "\": 1 to 8 characters of a-z and 0-9, starting with a letter (interface names must "
        "stay within 15 characters)"};
  }
  return true;
}

PodNetwork::PodNetwork(std::string prefix, Ipv4Cidr cidr)
    : prefix_(std::move(prefix)), bridge_(prefix_ + "-br"), allocator_(cidr) {}

util::Expected<bool, std::string> PodNetwork::create_bridge() {
  const auto cidr_suffix = "/" + std::to_string(allocator_.prefix());
  for (const auto& argv : std::vector<std::vector<std::string>>{
           {"ip", "link", "add", bridge_, "type", "bridge"},
           {"ip", "addr", "add", allocator_.bridge_ip() + cidr_suffix, "dev", bridge_},
           {"ip", "link", "set", bridge_, "up"}}) {
    auto done = run_ip(argv);
    if (!done) return done;
  }
  return true;
}

util::Expected<PodInterface, std::string> PodNetwork::add_pod() {
  PodInterface pod;
  int index = 0;
  {
    std::lock_guard lock(mutex_);
    const auto ip = allocator_.allocate();
    if (!ip) return util::Unexpected<std::string>{"the pod CIDR has no free address"};
    pod.ip = *ip;
    index = next_index_++;
  }
  pod.netns = prefix_ + "-" + std::to_string(index);
  pod.host_veth = prefix_ + "-h" + std::to_string(index);
  const auto peer = prefix_ + "-p" + std::to_string(index);
  const auto cidr_suffix = "/" + std::to_string(allocator_.prefix());
  for (const auto& argv : std::vector<std::vector<std::string>>{
           {"ip", "netns", "add", pod.netns},
           {"ip", "link", "add", pod.host_veth, "type", "veth", "peer", "name", peer},
           {"ip", "link", "set", peer, "netns", pod.netns},
           {"ip", "link", "set", pod.host_veth, "master", bridge_, "up"},
           {"ip", "-n", pod.netns, "link", "set", peer, "name", "eth0"},
           // A MAC derived from the IP: a recreated pod that gets the same IP
           // stays reachable through the neighbours' cached ARP entries.
           {"ip", "-n", pod.netns, "link", "set", "eth0", "address", mac_for_ip(pod.ip)},
           {"ip", "-n", pod.netns, "addr", "add", pod.ip + cidr_suffix, "dev", "eth0"},
           {"ip", "-n", pod.netns, "link", "set", "eth0", "up"},
           {"ip", "-n", pod.netns, "link", "set", "lo", "up"}}) {
    auto done = run_ip(argv);
    if (!done) {
      remove_pod(pod);
      return util::Unexpected<std::string>{done.error()};
    }
  }
  return pod;
}

void PodNetwork::remove_pod(const PodInterface& pod) {
  run_command({"ip", "link", "del", pod.host_veth});
  run_command({"ip", "netns", "del", pod.netns});
  std::lock_guard lock(mutex_);
  allocator_.release(pod.ip);
}

void PodNetwork::remove_bridge() {
  run_command({"ip", "link", "del", bridge_});
}

std::set<std::string> cleanup_network(const std::string& prefix) {
  std::set<std::string> removed;
  for (const auto& ns : netns_names()) {
    if (!owned_name(prefix, ns)) continue;
    // Processes left in the namespace (a killed runtime's containers).
    for (int attempt = 0; attempt < 20; ++attempt) {
      const auto pids = lines(run_command({"ip", "netns", "pids", ns}).output);
      if (pids.empty()) break;
      for (const auto& pid : pids) {
        try {
          ::kill(static_cast<pid_t>(std::stol(pid)), SIGKILL);
        } catch (const std::exception&) {
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    run_command({"ip", "netns", "del", ns});
    removed.insert("netns " + ns);
  }
  for (const auto& link : link_names()) {
    if (!owned_name(prefix, link) || link == prefix + "-br") continue;
    run_command({"ip", "link", "del", link});
    removed.insert("link " + link);
  }
  for (const auto& link : link_names()) {
    if (link == prefix + "-br") {
      run_command({"ip", "link", "del", link});
      removed.insert("link " + link);
    }
  }
  return removed;
}

}  // namespace druid::localenv
