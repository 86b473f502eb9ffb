#pragma once
// The Prometheus process collector's figures for this process, read from
// /proc (Linux): CPU seconds, memory, file descriptors, start time.

#include <filesystem>
#include <optional>

#include "operator/prometheus_text.hpp"

namespace druid::operator_ {

// nullopt when /proc/self cannot be read (not Linux, or a restricted sandbox).
std::optional<ProcessStats> read_process_stats(const std::filesystem::path& proc = "/proc");

}  // namespace druid::operator_
