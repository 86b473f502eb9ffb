// druid-member-agent: the etcd-wrapper (`start-etcd`) and etcd-backup-restore
// (`server`) images of an etcd pod, for the local environment.

#include <spdlog/spdlog.h>

#include <string>
#include <vector>

#include "localenv/member_agent/commands.hpp"

int main(int argc, char** argv) {
  const std::string usage =
      "usage: druid-member-agent start-etcd [FLAGS...] | druid-member-agent server [FLAGS...]";
  if (argc < 2) {
    spdlog::error("{}", usage);
    return 2;
  }
  const std::string command = argv[1];
  const std::vector<std::string> args(argv + 2, argv + argc);
  if (command == "start-etcd") return druid::localenv::run_start_etcd(args);
  if (command == "server") return druid::localenv::run_backup_server(args);
  spdlog::error("unknown command \"{}\"; {}", command, usage);
  return 2;
}
