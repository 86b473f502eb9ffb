#pragma once
// IPv4 addresses of the pod network: the bridge (host side) takes the first
// address of the CIDR, pods take the next free ones; the network and
// broadcast addresses are never handed out.

#include <arpa/inet.h>

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "util/expected.hpp"

namespace druid::localenv {

struct Ipv4Cidr {
  std::uint32_t network = 0;  // host byte order
  int prefix = 0;

  std::uint32_t size() const { return prefix == 0 ? 0xffffffffu : (1u << (32 - prefix)); }
  std::uint32_t first_host() const { return network + 1; }
  std::uint32_t last_host() const { return network + size() - 2; }
};

inline std::string format_ipv4(std::uint32_t address) {
  in_addr addr{};
  addr.s_addr = htonl(address);
  char text[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &addr, text, sizeof(text));
  return text;
}

// "10.213.0.0/24" → the network; prefixes /8../30 (a bridge and at least one pod).
inline util::Expected<Ipv4Cidr, std::string> parse_ipv4_cidr(const std::string& text) {
  const auto slash = text.find('/');
  if (slash == std::string::npos) {
    return util::Unexpected<std::string>("invalid CIDR \"" + text + "\": expected a.b.c.d/prefix");
  }
  in_addr addr{};
  if (inet_pton(AF_INET, text.substr(0, slash).c_str(), &addr) != 1) {
    return util::Unexpected<std::string>("invalid CIDR \"" + text + "\": bad IPv4 address");
  }
  const auto prefix_text = text.substr(slash + 1);
  if (prefix_text.empty() || prefix_text.size() > 2 ||
      prefix_text.find_first_not_of("0123456789") != std::string::npos) {
    return util::Unexpected<std::string>("invalid CIDR \"" + text + "\": bad prefix length");
  }
  const int prefix = std::stoi(prefix_text);
  if (prefix < 8 || prefix > 30) {
    return util::Unexpected<std::string>("invalid CIDR \"" + text +
                                         "\": prefix length must be between 8 and 30");
  }
  const std::uint32_t mask = 0xffffffffu << (32 - prefix);
  Ipv4Cidr cidr;
  cidr.network = ntohl(addr.s_addr) & mask;
  cidr.prefix = prefix;
  return cidr;
}

// Hands out pod addresses; `used` are taken ones (host byte order).
class IpAllocator {
 public:
  explicit IpAllocator(Ipv4Cidr cidr) : cidr_(cidr) {}

  std::string bridge_ip() const { return format_ipv4(cidr_.first_host()); }
  int prefix() const { return cidr_.prefix; }

  // The lowest free address after the bridge's; nullopt when the range is full.
  std::optional<std::string> allocate() {
    for (std::uint32_t a = cidr_.first_host() + 1; a <= cidr_.last_host(); ++a) {
      if (used_.insert(a).second) return format_ipv4(a);
    }
    return std::nullopt;
  }
  // Marks an address taken (e.g. restored from the state file); false if outside or taken.
  bool reserve(const std::string& ip) {
    in_addr addr{};
    if (inet_pton(AF_INET, ip.c_str(), &addr) != 1) return false;
    const auto a = ntohl(addr.s_addr);
    if (a <= cidr_.first_host() || a > cidr_.last_host()) return false;
    return used_.insert(a).second;
  }
  void release(const std::string& ip) {
    in_addr addr{};
    if (inet_pton(AF_INET, ip.c_str(), &addr) == 1) used_.erase(ntohl(addr.s_addr));
  }

 private:
  Ipv4Cidr cidr_;
  std::set<std::uint32_t> used_;
};

}  // namespace druid::localenv
