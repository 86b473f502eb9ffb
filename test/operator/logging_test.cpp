// The zap-compatible log formats and the health check texts.

#include "operator/logging.hpp"

#include <gtest/gtest.h>
#include <spdlog/details/log_msg.h>

#include <fstream>
#include <regex>

#include "operator/child_process.hpp"
#include "operator/health_checks.hpp"
#include "operator/process_stats.hpp"

namespace druid::operator_ {
namespace {

// 2023-11-14T22:13:20.250Z
const auto kTime = std::chrono::system_clock::time_point(std::chrono::milliseconds(1700000000250));

std::string format(LogFormat format, spdlog::level::level_enum level, const std::string& payload,
                   const std::string& logger = "druid") {
  const spdlog::details::log_msg msg(kTime, spdlog::source_loc{}, logger, level, payload);
  spdlog::memory_buf_t out;
  make_log_formatter(format)->format(msg, out);
  return std::string(out.data(), out.size());
}

TEST(JsonLog, WritesZapFieldNames) {
  const auto line = format(LogFormat::kJson, spdlog::level::info, "Starting");
  ASSERT_EQ(line.back(), '\n');
  // ts is float64(nanoseconds)/1e9 printed in full, as zap does: 1700000000.2499998.
  const std::regex record(
      R"(\{"level":"info","ts":1700000000\.2[0-9]*,"logger":"druid","msg":"Starting"\}\n)");
  EXPECT_TRUE(std::regex_match(line, record)) << line;
  EXPECT_NEAR(nlohmann::json::parse(line)["ts"].get<double>(), 1700000000.25, 1e-6);
}

TEST(JsonLog, LevelsUseZapNames) {
  const auto level_of = [](spdlog::level::level_enum level) {
    return nlohmann::json::parse(format(LogFormat::kJson, level, "m"))["level"];
  };
  EXPECT_EQ(level_of(spdlog::level::trace), "debug");
  EXPECT_EQ(level_of(spdlog::level::debug), "debug");
  EXPECT_EQ(level_of(spdlog::level::warn), "warn");
  EXPECT_EQ(level_of(spdlog::level::err), "error");
  EXPECT_EQ(level_of(spdlog::level::critical), "error");
}

TEST(JsonLog, KeyValuesFollowTheMessageAndReservedKeysCannotBeOverwritten) {
  const auto line =
      format(LogFormat::kJson, spdlog::level::info,
             with_fields("Using \"config\"", {{"config", {{"a", 1}}}, {"msg", "x"}, {"n", 2}}));
  const auto record = nlohmann::json::parse(line);
  EXPECT_EQ(record["msg"], "Using \"config\"");
  EXPECT_EQ(record["config"], (nlohmann::json{{"a", 1}}));
  EXPECT_EQ(record["n"], 2);
  EXPECT_EQ(line.find("\"msg\":\"x\""), std::string::npos);
}

TEST(JsonLog, PerEtcdMessagesCarryEtcdAndNamespace) {
  const auto record = nlohmann::json::parse(format(
      LogFormat::kJson, spdlog::level::err, "Etcd shoot--a/etcd-main: spec reconcile failed: x"));
  EXPECT_EQ(record["logger"], "etcd-controller");
  EXPECT_EQ(record["etcd"], "etcd-main");
  EXPECT_EQ(record["namespace"], "shoot--a");
  EXPECT_EQ(record["msg"], "Etcd shoot--a/etcd-main: spec reconcile failed: x");
  const auto plain =
      nlohmann::json::parse(format(LogFormat::kJson, spdlog::level::info, "Etcd is great: yes"));
  EXPECT_FALSE(plain.contains("etcd"));
  EXPECT_EQ(plain["logger"], "druid");
}

TEST(JsonLog, EscapesControlCharactersAndInvalidUtf8) {
  const auto line = format(LogFormat::kJson, spdlog::level::info, "a\nb\t\xff");
  EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1) << "one record per line";
  EXPECT_TRUE(nlohmann::json::accept(line));
}

TEST(TextLog, WritesZapConsoleColumns) {
  EXPECT_EQ(format(LogFormat::kText, spdlog::level::warn, with_fields("Careful", {{"k", "v"}})),
            "2023-11-14T22:13:20.250Z\tWARN\tdruid\tCareful\t{\"k\":\"v\"}\n");
  EXPECT_EQ(format(LogFormat::kText, spdlog::level::info, "Plain"),
            "2023-11-14T22:13:20.250Z\tINFO\tdruid\tPlain\n");
}

TEST(LogConfiguration, ParsesLevelsAndFormats) {
  EXPECT_EQ(parse_log_level("debug"), spdlog::level::debug);
  EXPECT_EQ(parse_log_level("info"), spdlog::level::info);
  EXPECT_EQ(parse_log_level("error"), spdlog::level::err);
  EXPECT_EQ(parse_log_format("text"), LogFormat::kText);
  EXPECT_EQ(parse_log_format("json"), LogFormat::kJson);
  EXPECT_EQ(parse_log_format(""), LogFormat::kJson);
}

// --- health checks ------------------------------------------------------------

TEST(HealthChecks, OkWhenAllPassAndNamesEveryFailure) {
  bool synced = false;
  HealthChecks readyz("readyz");
  readyz.add("informer-sync", [&]() -> util::Expected<void, std::string> {
    if (synced) return {};
    return util::unexpected("caches not synced");
  });
  readyz.add("webhook-server", [] { return util::Expected<void, std::string>(); });

  auto answer = readyz.evaluate(false);
  EXPECT_EQ(answer.status, 503);
  EXPECT_EQ(answer.body,
            "[-]informer-sync failed: caches not synced\n[+]webhook-server ok\n"
            "readyz check failed\n");
  EXPECT_EQ(readyz.evaluate(false, "informer-sync").status, 503);
  EXPECT_EQ(readyz.evaluate(false, "webhook-server").status, 200);
  EXPECT_EQ(readyz.evaluate(false, "other").status, 404);

  synced = true;
  answer = readyz.evaluate(false);
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(answer.body, "ok");
  EXPECT_EQ(readyz.evaluate(true).body,
            "[+]informer-sync ok\n[+]webhook-server ok\nreadyz check passed\n");
}

// --- process stats --------------------------------------------------------------

TEST(ProcessStats, ReadsThisProcess) {
  const auto stats = read_process_stats();
  ASSERT_TRUE(stats);
  EXPECT_GT(stats->resident_memory_bytes, 1e5);
  EXPECT_GT(stats->virtual_memory_bytes, stats->resident_memory_bytes);
  EXPECT_GE(stats->open_fds, 3);
  EXPECT_GT(stats->max_fds, 0);
  EXPECT_GE(stats->cpu_seconds_total, 0);
  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_LE(stats->start_time_seconds, now + 1);
  EXPECT_GT(stats->start_time_seconds, now - 24 * 3600) << "the test started recently";
}

TEST(ProcessStats, ParsesProcFilesWithSpacesInTheCommandName) {
  test::TempDir proc;
  std::filesystem::create_directories(proc.path() / "self" / "fd");
  for (const char* fd : {"0", "1", "2", "7"}) proc.write(std::string("self/fd/") + fd, "");
  // Fields 14/15 utime/stime, 22 starttime, 23 vsize, 24 rss (proc(5)).
  proc.write("self/stat",
             "42 (my (odd) prog) S 1 42 42 0 -1 4194560 100 0 0 0 250 150 0 0 20 0 8 0 "
             "1000 2000000 300\n");
  proc.write("stat", "cpu  1 2 3\nbtime 1700000000\nprocesses 5\n");
  const auto stats = read_process_stats(proc.path());
  ASSERT_TRUE(stats);
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  EXPECT_DOUBLE_EQ(stats->cpu_seconds_total, 400 / ticks);
  EXPECT_DOUBLE_EQ(stats->virtual_memory_bytes, 2000000);
  EXPECT_DOUBLE_EQ(stats->resident_memory_bytes,
                   300 * static_cast<double>(::sysconf(_SC_PAGESIZE)));
  EXPECT_DOUBLE_EQ(stats->start_time_seconds, 1700000000 + 1000 / ticks);
  EXPECT_EQ(stats->open_fds, 4);

  proc.write("self/stat", "garbage");
  EXPECT_FALSE(read_process_stats(proc.path()));
}

}  // namespace
}  // namespace druid::operator_
