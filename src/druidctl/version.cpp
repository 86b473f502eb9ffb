#include "druidctl/version.hpp"

#include <fmt/format.h>

#include "api/go_yaml.hpp"

#ifndef DRUIDCTL_GIT_VERSION
#define DRUIDCTL_GIT_VERSION "v0.0.0-dev"
#endif
#ifndef DRUIDCTL_GIT_COMMIT
#define DRUIDCTL_GIT_COMMIT "unknown"
#endif
#ifndef DRUIDCTL_GIT_TREE_STATE
#define DRUIDCTL_GIT_TREE_STATE "unknown"
#endif
#ifndef DRUIDCTL_BUILD_DATE
#define DRUIDCTL_BUILD_DATE "unknown"
#endif
#ifndef DRUID_COMPILER
#define DRUID_COMPILER "unknown"
#endif
#ifndef DRUID_PLATFORM
#define DRUID_PLATFORM "unknown"
#endif

namespace druid::druidctl {

bool VersionInfo::is_release() const {
  return git_version.find("-dev") == std::string::npos;
}

nlohmann::ordered_json VersionInfo::to_json() const {
  nlohmann::ordered_json out;
  out["gitVersion"] = git_version;
  out["gitCommit"] = git_commit;
  out["gitTreeState"] = git_tree_state;
  out["buildDate"] = build_date;
  out["goVersion"] = go_version;
  out["compiler"] = compiler;
  out["platform"] = platform;
  return out;
}

VersionInfo version_info() {
  return {DRUIDCTL_GIT_VERSION, DRUIDCTL_GIT_COMMIT, DRUIDCTL_GIT_TREE_STATE, DRUIDCTL_BUILD_DATE,
          DRUID_COMPILER,       DRUID_COMPILER,      DRUID_PLATFORM};
}

util::Expected<std::string, std::string> render_version(const VersionInfo& info,
                                                        std::string_view output, bool short_form) {
  if (short_form) return info.git_version + "\n";
  if (output == "json") return info.to_json().dump(2) + "\n";
  if (output == "yaml") {
    auto yaml = api::go_yaml_marshal(nlohmann::json::parse(info.to_json().dump()));
    if (!yaml) return util::unexpected("failed to marshal version info to YAML: " + yaml.error());
    return *yaml;
  }
  if (!output.empty()) {
    return util::unexpected(
        fmt::format("invalid output format: {} (must be json or yaml)", output));
  }
  std::string text = fmt::format("druidctl version: {}\n", info.git_version);
  text += fmt::format("  Git commit:     {}\n", info.git_commit);
  text += fmt::format("  Git tree state: {}\n", info.git_tree_state);
  text += fmt::format("  Build date:     {}\n", info.build_date);
  text += fmt::format("  Compiler:       {}\n", info.compiler);
  text += fmt::format("  Platform:       {}\n", info.platform);
  if (!info.is_release())
    text += "\n ⚠️  This is a development build and not an official release.\n";
  if (info.is_dirty()) text += " ⚠️  Built from modified source (dirty git tree).\n";
  return text;
}

std::string banner_text(const VersionInfo& info) {
  std::string text =
      "▶  ██████╗ ██████╗ ██╗   ██╗██╗██████╗  ██████╗████████╗██╗     \n"
      "▶  ██╔══██╗██╔══██╗██║   ██║██║██╔══██╗██╔════╝╚══██╔══╝██║     \n"
      "▶  ██║  ██║██████╔╝██║   ██║██║██║  ██║██║        ██║   ██║     \n"
      "▶  ██║  ██║██╔══██╗██║   ██║██║██║  ██║██║        ██║   ██║     \n"
      "▶  ██████╔╝██║  ██║╚██████╔╝██║██████╔╝╚██████╗   ██║   ███████╗\n"
      "▶  ╚═════╝ ╚═╝  ╚═╝ ╚═════╝ ╚═╝╚═════╝  ╚═════╝   ╚═╝   ╚══════╝\n";
  text += "Version: " + info.git_version + "\n";
  if (!info.is_release()) text += "⚠️  Development Build\n";
  return text;
}

}  // namespace druid::druidctl
