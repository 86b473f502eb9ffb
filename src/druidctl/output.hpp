#pragma once
// What druidctl prints besides command results: bordered tables (the layout of lipgloss'
// NormalBorder that upstream's druidctl/cmd/*/output.go use), compact ages, and log lines
// prefixed with the Etcd they are about (upstream's charm logger, druidctl/internal/log).

#include <chrono>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "util/expected.hpp"

namespace druid::druidctl {

// ┌────┬───┐ with a header row and a rule under it; cells left-aligned, no padding.
std::string render_table(const std::vector<std::string>& headers,
                         const std::vector<std::vector<std::string>>& rows);

// upstream's ShortDuration: "59s", "59m", "23h", "3d" (whole units, truncated).
std::string short_duration(std::chrono::nanoseconds d);

// Go's time.Duration.Round(time.Second).String(): "0s", "12s", "1m5s".
std::string rounded_seconds(std::chrono::nanoseconds d);

// `document` on `out` as -o asks: "json" (indented), "json-raw" (one line), anything else YAML.
// `what` names the document when it cannot be written as YAML.
util::Expected<void, std::string> write_document(std::ostream& out,
                                                 const nlohmann::ordered_json& document,
                                                 std::string_view format, std::string_view what);

class Logger {
 public:
  Logger(std::ostream& out, bool verbose) : out_(out), verbose_(verbose) {}
  bool verbose() const { return verbose_; }
  // Printed always.
  void info(std::string_view message) const;
  // Printed with -v only, as "[<ns>/<name>] message".
  void detail(std::string_view ns, std::string_view name, std::string_view message) const;

 private:
  std::ostream& out_;
  bool verbose_;
};

}  // namespace druid::druidctl
