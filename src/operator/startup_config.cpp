#include "operator/startup_config.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "api/validation/operator_config_validation.hpp"

namespace druid::operator_ {

util::Expected<api::OperatorConfiguration, std::string> read_operator_config_file(
    const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return util::unexpected("cannot read configuration file " + path + ": " + std::strerror(errno));
  }
  std::ostringstream text;
  text << in.rdbuf();
  auto config = api::load_operator_config(text.str());
  if (!config) {
    return util::unexpected("invalid configuration file " + path + ": " +
                            api::to_string(config.error()));
  }
  return std::move(*config);
}

util::Expected<StartupConfig, std::string> resolve_startup_config(const CommandLine& command_line) {
  StartupConfig startup;
  if (command_line.config_file) {
    auto config = read_operator_config_file(*command_line.config_file);
    if (!config) return util::unexpected(config.error());
    startup.config = std::move(*config);
    startup.source = "file " + *command_line.config_file;
    for (const auto& [name, value] : command_line.explicit_feature_gates) {
      startup.config.feature_gates[name] = value;
    }
    startup.feature_gates_from_flag = command_line.explicit_feature_gates;
    if (!startup.feature_gates_from_flag.empty()) startup.source += " and --feature-gates";
  } else {
    startup.config = command_line.flag_config;
    startup.source = "command-line flags";
  }

  auto gates = api::apply_feature_gates(startup.config.feature_gates);
  if (!gates)
    return util::unexpected("invalid feature gates in " + startup.source + ": " + gates.error());
  startup.feature_gates = *gates;

  const auto errors = api::validation::validate_operator_config(startup.config);
  if (!errors.empty()) {
    return util::unexpected("invalid configuration in " + startup.source + ": " +
                            api::to_string(errors));
  }
  return startup;
}

}  // namespace druid::operator_
