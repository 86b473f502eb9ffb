#pragma once
// The two subcommands of druid-member-agent, one per upstream image it stands
// in for in the local environment (test/localenv/README.md):
//   start-etcd  — etcd-wrapper: asks the backup side to initialise the member,
//                 fetches /config, runs the installed etcd with it, serves /readyz
//   server      — etcd-backup-restore's part of the contract: /initialization,
//                 /config, leases, snapshots to the Local store, /snapshot/*
// `args` are the container's arguments after the subcommand, exactly as the
// StatefulSet druid built passes them. Each returns the process exit code.

#include <string>
#include <vector>

namespace druid::localenv {

int run_start_etcd(const std::vector<std::string>& args);
int run_backup_server(const std::vector<std::string>& args);

}  // namespace druid::localenv
