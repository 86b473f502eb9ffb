#include "operator/process_stats.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace druid::operator_ {
namespace {

std::optional<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Fields of /proc/<pid>/stat after the command name: the name is in
// parentheses and may contain spaces, so splitting starts after the last ')'.
// The returned vector's index 0 is field 3 (state) of proc(5).
std::vector<std::string> stat_fields_after_comm(const std::string& stat) {
  std::vector<std::string> fields;
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return fields;
  std::istringstream in(stat.substr(close + 1));
  std::string field;
  while (in >> field) fields.push_back(field);
  return fields;
}

// btime from /proc/stat: boot time in seconds since the epoch.
std::optional<double> boot_time(const std::filesystem::path& proc) {
  const auto stat = read_file(proc / "stat");
  if (!stat) return std::nullopt;
  std::istringstream in(*stat);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("btime ", 0) == 0) return std::stod(line.substr(6));
  }
  return std::nullopt;
}

double open_fds(const std::filesystem::path& proc) {
  std::error_code ec;
  double count = 0;
  for (std::filesystem::directory_iterator it(proc / "self" / "fd", ec), end; !ec && it != end;
       it.increment(ec)) {
    ++count;
  }
  return count;
}

}  // namespace

std::optional<ProcessStats> read_process_stats(const std::filesystem::path& proc) {
  const auto stat = read_file(proc / "self" / "stat");
  if (!stat) return std::nullopt;
  const auto fields = stat_fields_after_comm(*stat);
  // proc(5) numbering: utime 14, stime 15, starttime 22, vsize 23, rss 24.
  constexpr std::size_t kUtime = 14 - 3;
  constexpr std::size_t kStime = 15 - 3;
  constexpr std::size_t kStartTime = 22 - 3;
  constexpr std::size_t kVsize = 23 - 3;
  constexpr std::size_t kRss = 24 - 3;
  if (fields.size() <= kRss) return std::nullopt;
  const auto ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  const auto page = static_cast<double>(::sysconf(_SC_PAGESIZE));

  ProcessStats stats;
  try {
    stats.cpu_seconds_total = (std::stod(fields[kUtime]) + std::stod(fields[kStime])) / ticks;
    stats.virtual_memory_bytes = std::stod(fields[kVsize]);
    stats.resident_memory_bytes = std::stod(fields[kRss]) * page;
    if (const auto boot = boot_time(proc)) {
      stats.start_time_seconds = *boot + std::stod(fields[kStartTime]) / ticks;
    }
  } catch (const std::exception&) {
    return std::nullopt;  // a format this code does not know
  }
  stats.open_fds = open_fds(proc);
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0) stats.max_fds = static_cast<double>(limit.rlim_cur);
  return stats;
}

}  // namespace druid::operator_
