#include "controller/run_id.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <random>

namespace druid::controller {

std::string new_run_id() {
  std::random_device device;
  std::mt19937_64 random(device());
  std::uniform_int_distribution<std::uint64_t> bits;
  const std::uint64_t high = (bits(random) & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;
  const std::uint64_t low = (bits(random) & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", high >> 32, (high >> 16) & 0xffff,
                     high & 0xffff, low >> 48, low & 0xffffffffffffULL);
}

}  // namespace druid::controller
