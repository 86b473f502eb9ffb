#pragma once
// The etcd-druid process (upstream's cmd/main.go): command line, configuration,
// logging, image vector, client, manager with the Etcd controller and leader
// election, the metrics and probe servers, the component-protection webhook,
// and a graceful stop on SIGTERM/SIGINT.
//
// Exit codes: 0 after --version, --help or a graceful stop; 1 for a start-up
// error (printed as one line "etcd-druid: <cause>" on stderr) or a failed run
// (caches not synced in time, leadership lost); 2 for a malformed flag value.

#include <string>
#include <string_view>
#include <vector>

namespace druid::operator_ {

// `args` excludes the program name; `version` is the build's ("0.1.0").
int run_etcd_druid(const std::vector<std::string>& args, std::string_view version);

}  // namespace druid::operator_
