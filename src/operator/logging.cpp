#include "operator/logging.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <array>
#include <charconv>
#include <chrono>
#include <ctime>

namespace druid::operator_ {
namespace {

// ASCII record separator between a message and its key/values.
constexpr char kFieldSeparator = '\x1e';

// Keys the encoders write themselves.
bool reserved_key(const std::string& key) {
  return key == "level" || key == "ts" || key == "logger" || key == "msg";
}

// zap's level names.
const char* level_name(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
    case spdlog::level::debug:
      return "debug";
    case spdlog::level::info:
      return "info";
    case spdlog::level::warn:
      return "warn";
    default:
      return "error";
  }
}

struct Record {
  std::string logger;
  std::string message;
  nlohmann::json fields = nlohmann::json::object();
};

// "Etcd <namespace>/<name>: ...", the controllers' convention for per-Etcd
// messages, becomes zap's key/values.
void add_etcd_fields(Record& record) {
  constexpr std::string_view kPrefix = "Etcd ";
  const std::string_view text = record.message;
  if (text.substr(0, kPrefix.size()) != kPrefix) return;
  const auto colon = text.find(": ", kPrefix.size());
  if (colon == std::string_view::npos) return;
  const std::string_view key = text.substr(kPrefix.size(), colon - kPrefix.size());
  const auto slash = key.find('/');
  if (slash == std::string_view::npos || key.find(' ') != std::string_view::npos) return;
  record.logger = "etcd-controller";
  if (!record.fields.contains("etcd")) record.fields["etcd"] = std::string(key.substr(slash + 1));
  if (!record.fields.contains("namespace")) {
    record.fields["namespace"] = std::string(key.substr(0, slash));
  }
}

Record split(const spdlog::details::log_msg& msg) {
  Record record;
  record.logger = msg.logger_name.size() > 0
                      ? std::string(msg.logger_name.data(), msg.logger_name.size())
                      : kDefaultLoggerName;
  const std::string_view payload(msg.payload.data(), msg.payload.size());
  const auto separator = payload.find(kFieldSeparator);
  record.message = std::string(payload.substr(0, separator));
  if (separator != std::string_view::npos) {
    auto fields = nlohmann::json::parse(payload.substr(separator + 1), nullptr, false);
    if (fields.is_object()) record.fields = std::move(fields);
  }
  add_etcd_fields(record);
  return record;
}

void append(spdlog::memory_buf_t& dest, std::string_view text) {
  dest.append(text.data(), text.data() + text.size());
}

std::string dump(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Seconds since the epoch with the shortest exact decimals, as zap's epoch encoder.
std::string epoch_seconds(spdlog::log_clock::time_point time) {
  const double seconds = std::chrono::duration<double>(time.time_since_epoch()).count();
  std::array<char, 64> buffer{};
  const auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), seconds,
                                       std::chars_format::fixed);
  if (ec != std::errc()) return "0";
  return {buffer.data(), end};
}

// ISO 8601 in UTC with milliseconds.
std::string iso8601(spdlog::log_clock::time_point time) {
  const auto since_epoch = time.time_since_epoch();
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch - seconds).count();
  const auto t = static_cast<std::time_t>(seconds.count());
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::array<char, 32> buffer{};
  const auto n = std::strftime(buffer.data(), buffer.size(), "%Y-%m-%dT%H:%M:%S", &tm);
  return std::string(buffer.data(), n) + fmt::format(".{:03}Z", millis);
}

class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const Record record = split(msg);
    std::string line = R"({"level":")";
    line += level_name(msg.level);
    line += R"(","ts":)" + epoch_seconds(msg.time);
    line += R"(,"logger":)" + dump(record.logger);
    line += ",\"msg\":" + dump(record.message);
    for (const auto& [key, value] : record.fields.items()) {
      if (reserved_key(key)) continue;
      line += "," + dump(key) + ":" + dump(value);
    }
    line += "}\n";
    append(dest, line);
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

class TextFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const Record record = split(msg);
    std::string level = level_name(msg.level);
    for (char& c : level) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    std::string line =
        iso8601(msg.time) + "\t" + level + "\t" + record.logger + "\t" + record.message;
    nlohmann::json fields = nlohmann::json::object();
    for (const auto& [key, value] : record.fields.items()) {
      if (!reserved_key(key)) fields[key] = value;
    }
    if (!fields.empty()) line += "\t" + dump(fields);
    line += "\n";
    append(dest, line);
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<TextFormatter>();
  }
};

}  // namespace

spdlog::level::level_enum parse_log_level(std::string_view level) {
  if (level == "debug") return spdlog::level::debug;
  if (level == "error") return spdlog::level::err;
  return spdlog::level::info;
}

LogFormat parse_log_format(std::string_view format) {
  return format == "text" ? LogFormat::kText : LogFormat::kJson;
}

std::string with_fields(std::string_view message, const nlohmann::json& fields) {
  std::string out(message);
  if (fields.is_object() && !fields.empty()) {
    out += kFieldSeparator;
    out += dump(fields);
  }
  return out;
}

std::unique_ptr<spdlog::formatter> make_log_formatter(LogFormat format) {
  if (format == LogFormat::kText) return std::make_unique<TextFormatter>();
  return std::make_unique<JsonFormatter>();
}

void configure_logging(spdlog::level::level_enum level, LogFormat format) {
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  sink->set_formatter(make_log_formatter(format));
  auto logger = std::make_shared<spdlog::logger>(kDefaultLoggerName, std::move(sink));
  logger->set_level(level);
  // Errors reach the output at once; the rest is flushed by the sink's buffer.
  logger->flush_on(spdlog::level::err);
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace druid::operator_
