#pragma once
// The command line of etcd-druid (upstream's cmd/opts/options.go and
// cmd/opts/deprecatedoptions.go): `--config`,
// `--version`, `--kubeconfig`, `--health-probe-port` (ours: upstream serves no
// probes), `--print-config` (ours), and the deprecated flags that describe an OperatorConfiguration
// when `--config` is absent. Like upstream's pflag set with unknown flags
// allowed, arguments no flag claims are collected (the caller warns) rather
// than rejected, so deployments may pass flags of other druid versions.

#include <optional>
#include <string>
#include <vector>

#include "api/operator_config.hpp"
#include "util/expected.hpp"

namespace druid::operator_ {

inline constexpr const char* kProgramName = "etcd-druid";
inline constexpr int kDefaultHealthProbePort = 8081;
inline constexpr const char* kFeatureGatesFlag = "--feature-gates";

struct CommandLine {
  std::optional<std::string> config_file;  // --config
  bool version = false;                    // --version
  // --print-config (ours): print the effective configuration as YAML and exit,
  // so a person or a script sees what the flags or the file amount to.
  bool print_config = false;
  std::optional<std::string> kubeconfig;  // --kubeconfig
  int health_probe_port = kDefaultHealthProbePort;
  // The configuration the deprecated flags describe, defaults applied; used
  // only without --config.
  api::OperatorConfiguration flag_config;
  // Deprecated flags given explicitly ("--etcd-workers"), so the caller can say
  // they are ignored when --config is set.
  std::vector<std::string> deprecated_flags_given;
  // Arguments no flag claimed, in order.
  std::vector<std::string> unknown_arguments;
  // `--feature-gates` entries skipped as malformed ("Foo", "Bar=maybe").
  std::vector<std::string> skipped_feature_gates;
  // The gates `--feature-gates` set explicitly (empty when the flag is absent).
  // Unlike the other deprecated flags they also apply next to --config: merged
  // over the file's featureGates (so `make run DRUID_ARGS=--feature-gates=...`
  // works with the generated configuration file).
  std::map<std::string, bool> explicit_feature_gates;
};

// Why parsing ended without a command line to run: --help (exit 0, the help
// text) or a malformed flag value (exit 2, one line naming the flag).
struct CommandLineExit {
  int exit_code = 2;
  std::string message;
};

// `args` excludes the program name.
util::Expected<CommandLine, CommandLineExit> parse_command_line(
    const std::vector<std::string>& args);

// `--feature-gates` text: comma-separated `Name=bool` pairs (Go's ParseBool
// spellings); malformed entries are skipped and reported in `skipped`.
std::map<std::string, bool> parse_feature_gates_flag(const std::string& text,
                                                     std::vector<std::string>* skipped = nullptr);

}  // namespace druid::operator_
