#include "druidctl/output.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <mutex>

#include "api/duration.hpp"
#include "api/go_yaml.hpp"

namespace druid::druidctl {
namespace {

// Terminal columns of UTF-8 text: one per code point (the tables hold names and numbers).
std::size_t display_width(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

std::string repeat(std::string_view piece, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += piece;
  return out;
}

std::string rule(const std::vector<std::size_t>& widths, std::string_view left,
                 std::string_view middle, std::string_view right) {
  std::string line(left);
  for (std::size_t i = 0; i < widths.size(); ++i) {
    if (i > 0) line += middle;
    line += repeat("─", widths[i]);
  }
  return line + std::string(right) + "\n";
}

std::string row_line(const std::vector<std::string>& cells,
                     const std::vector<std::size_t>& widths) {
  std::string line = "│";
  for (std::size_t i = 0; i < widths.size(); ++i) {
    const std::string cell = i < cells.size() ? cells[i] : std::string();
    line += cell + std::string(widths[i] - display_width(cell), ' ') + "│";
  }
  return line + "\n";
}

}  // namespace

std::string render_table(const std::vector<std::string>& headers,
                         const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths;
  widths.reserve(headers.size());
  for (const auto& h : headers) widths.push_back(display_width(h));
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      widths[i] = std::max(widths[i], display_width(row[i]));
    }
  }
  std::string out = rule(widths, "┌", "┬", "┐");
  out += row_line(headers, widths);
  out += rule(widths, "├", "┼", "┤");
  for (const auto& row : rows) out += row_line(row, widths);
  out += rule(widths, "└", "┴", "┘");
  return out;
}

std::string short_duration(std::chrono::nanoseconds d) {
  using namespace std::chrono;
  if (d < minutes(1)) return fmt::format("{}s", duration_cast<seconds>(d).count());
  if (d < hours(1)) return fmt::format("{}m", duration_cast<minutes>(d).count());
  if (d < hours(24)) return fmt::format("{}h", duration_cast<hours>(d).count());
  return fmt::format("{}d", duration_cast<hours>(d).count() / 24);
}

std::string rounded_seconds(std::chrono::nanoseconds d) {
  using namespace std::chrono;
  const auto whole = duration_cast<seconds>(d);
  auto rest = d - duration_cast<nanoseconds>(whole);
  auto rounded = whole;
  // Half away from zero, as Go's Duration.Round.
  if (rest >= milliseconds(500)) rounded += seconds(1);
  if (rest <= -milliseconds(500)) rounded -= seconds(1);
  return api::format_duration(duration_cast<nanoseconds>(rounded));
}

// Commands log from one thread per Etcd; whole lines only.
std::mutex& log_mutex() {
  static std::mutex mutex;
  return mutex;
}

void Logger::info(std::string_view message) const {
  const std::lock_guard lock(log_mutex());
  out_ << message << "\n" << std::flush;
}

void Logger::detail(std::string_view ns, std::string_view name, std::string_view message) const {
  if (!verbose_) return;
  const std::lock_guard lock(log_mutex());
  out_ << fmt::format("[{}/{}] {}\n", ns, name, message) << std::flush;
}

util::Expected<void, std::string> write_document(std::ostream& out,
                                                 const nlohmann::ordered_json& document,
                                                 std::string_view format, std::string_view what) {
  if (format == "json") {
    out << document.dump(2) << "\n" << std::flush;
  } else if (format == "json-raw") {
    out << document.dump() << "\n" << std::flush;
  } else {
    auto yaml = api::go_yaml_marshal(nlohmann::json::parse(document.dump()));
    if (!yaml) {
      return util::unexpected(fmt::format("failed to marshal {} to YAML: {}", what, yaml.error()));
    }
    out << *yaml << std::flush;
  }
  return {};
}

}  // namespace druid::druidctl
