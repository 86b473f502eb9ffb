// etcd-druid: the operator binary. Everything but the entry point lives in
// src/operator (operator.hpp).

#include <string>
#include <vector>

#include "operator/operator.hpp"

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  return druid::operator_::run_etcd_druid(args, DRUID_VERSION);
}
