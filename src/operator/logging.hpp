#pragma once
// The operator's logs (upstream's internal/utils/logger.go): spdlog with formatters that
// write what zap writes for Go operators, so log pipelines need no change.
//   json:
//   {"level":"info","ts":1700000000.123456,"logger":"druid","msg":"...","etcd":"etcd-main",...}
//   text: 2024-01-02T03:04:05.678Z<TAB>INFO<TAB>druid<TAB>msg<TAB>{"etcd":"etcd-main"}
// Every spdlog call in the process goes through them, including the plain
// ones of the runtime and controllers; messages of the form
// "Etcd <namespace>/<name>: ..." get the zap key/values `etcd` and `namespace`.

#include <spdlog/common.h>
#include <spdlog/formatter.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace druid::operator_ {

enum class LogFormat { kJson, kText };

// The logger name of messages without a more specific one (upstream's "druid").
inline constexpr const char* kDefaultLoggerName = "druid";

// "debug", "info", "error" (validated config values); anything else is info.
spdlog::level::level_enum parse_log_level(std::string_view level);
// "text" or json (the default).
LogFormat parse_log_format(std::string_view format);

// A message carrying key/values for the formatters: `spdlog::info(with_fields("Starting", {{"k",
// 1}}))`. The values travel behind a separator no plain message contains.
std::string with_fields(std::string_view message, const nlohmann::json& fields);

std::unique_ptr<spdlog::formatter> make_log_formatter(LogFormat format);

// Replaces spdlog's default logger with one named kDefaultLoggerName that
// writes to stderr in `format` from `level` up.
void configure_logging(spdlog::level::level_enum level, LogFormat format);

}  // namespace druid::operator_
