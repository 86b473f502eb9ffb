// etcd-druid: the operator binary. Everything but the entry point lives in
// src/operator (operator.hpp).

#include <malloc.h>

#include <string>
#include <vector>

#include "operator/operator.hpp"

int main(int argc, char** argv) {
  // glibc gives each thread that allocates an arena of its own, up to 8 per
  // core; the operator's ~50 threads (informers, workers, servers) would each
  // keep freed memory in theirs. Two arenas hold the same objects with less
  // memory left behind (docs/benchmarks.md, "The cache, packed").
  mallopt(M_ARENA_MAX, 2);
  const std::vector<std::string> args(argv + 1, argv + argc);
  return druid::operator_::run_etcd_druid(args, DRUID_VERSION);
}
