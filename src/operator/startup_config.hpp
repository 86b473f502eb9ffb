#pragma once
// The effective configuration of one operator run (upstream's cmd/main.go and
// cmd/opts/options.go): the --config file (universal decoding, defaults) or, without it, the
// deprecated flags; then the feature gates; then the validation of upstream's
// api/config/v1alpha1/validation/validation.go. Every
// failure is one line naming the file or flag and the field.
//
// Ours, unlike upstream: an explicit --feature-gates next to --config is not
// ignored like the other deprecated flags; its gates are merged over the
// file's featureGates (the flag wins per gate, the file's other gates stay).

#include <string>

#include "api/operator_config.hpp"
#include "operator/options.hpp"
#include "util/expected.hpp"

namespace druid::operator_ {

struct StartupConfig {
  api::OperatorConfiguration config;
  api::FeatureGates feature_gates;
  // Where the configuration came from, for logs: "file /etc/x.yaml" or "command-line flags".
  std::string source;
  // Gates --feature-gates set over the file's featureGates (with --config only).
  std::map<std::string, bool> feature_gates_from_flag;
};

util::Expected<StartupConfig, std::string> resolve_startup_config(const CommandLine& command_line);

// The file's text as an OperatorConfiguration with defaults; `path` names it in errors.
util::Expected<api::OperatorConfiguration, std::string> read_operator_config_file(
    const std::string& path);

}  // namespace druid::operator_
