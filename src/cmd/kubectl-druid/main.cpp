// kubectl-druid (also installed as druidctl): the kubectl plugin of etcd-druid. Everything but
// the entry point lives in src/druidctl (app.hpp).

#include <iostream>

#include "druidctl/app.hpp"

int main(int argc, char** argv) {
  return druid::druidctl::run(argc, argv, std::cin, std::cout, std::cerr);
}
