#pragma once
// `kubectl druid version` (upstream's druidctl/cmd/version and druidctl/internal/version): what
// was built, from where and with what. The values come from CMake (see CMakeLists.txt):
// gitVersion is "v" + the project's version, with "-dev" unless configured as a release.
// We are not built with Go: goVersion carries the C++ compiler, the same value as compiler, so
// scripts that read the field keep working; the text block prints it once, as "Compiler".

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "util/expected.hpp"

namespace druid::druidctl {

struct VersionInfo {
  std::string git_version;
  std::string git_commit;
  std::string git_tree_state;  // "clean", "dirty" or "unknown"
  std::string build_date;      // YYYY-MM-DDTHH:MM:SSZ
  std::string go_version;
  std::string compiler;
  std::string platform;  // GOOS/GOARCH spelling: "linux/amd64"

  // No "-dev" in the version.
  bool is_release() const;
  bool is_dirty() const { return git_tree_state == "dirty"; }
  // The fields in upstream's order and JSON names.
  nlohmann::ordered_json to_json() const;
};

VersionInfo version_info();

// The command's output for -o (""/json/yaml) and --short; an error for any other -o.
util::Expected<std::string, std::string> render_version(const VersionInfo& info,
                                                        std::string_view output, bool short_form);

// The banner of root and help invocations: the ASCII art, "Version: …" and, for builds that are
// not releases, "⚠️  Development Build".
std::string banner_text(const VersionInfo& info);

}  // namespace druid::druidctl
