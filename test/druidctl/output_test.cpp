// The pieces of druidctl's output that need no server: tables, ages, version text.

#include "druidctl/output.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "druidctl/reconciliation.hpp"
#include "druidctl/version.hpp"
#include "util/yaml.hpp"

namespace druid::druidctl {
namespace {

using namespace std::chrono_literals;

TEST(RenderTable, DrawsLipglossNormalBorderWithoutPadding) {
  EXPECT_EQ(render_table({"Kind", "Age"}, {{"ConfigMap", "3s"}, {"Pod", "12m"}}),
            "┌─────────┬───┐\n"
            "│Kind     │Age│\n"
            "├─────────┼───┤\n"
            "│ConfigMap│3s │\n"
            "│Pod      │12m│\n"
            "└─────────┴───┘\n");
}

TEST(RenderTable, HeaderOnlyWhenThereAreNoRows) {
  EXPECT_EQ(render_table({"A"}, {}), "┌─┐\n│A│\n├─┤\n└─┘\n");
}

TEST(ShortDuration, TruncatesToTheLargestWholeUnit) {
  EXPECT_EQ(short_duration(0s), "0s");
  EXPECT_EQ(short_duration(59s), "59s");
  EXPECT_EQ(short_duration(60s), "1m");
  EXPECT_EQ(short_duration(59min + 59s), "59m");
  EXPECT_EQ(short_duration(23h + 59min), "23h");
  EXPECT_EQ(short_duration(24h * 3 + 5h), "3d");
}

TEST(RoundedSeconds, RoundsHalfAwayFromZeroAsGo) {
  EXPECT_EQ(rounded_seconds(0ms), "0s");
  EXPECT_EQ(rounded_seconds(499ms), "0s");
  EXPECT_EQ(rounded_seconds(500ms), "1s");
  EXPECT_EQ(rounded_seconds(65s + 200ms), "1m5s");
}

TEST(ReconcileStatusBoard, RowsSortedByNamespaceAndName) {
  ReconcileStatusBoard board;
  const auto t0 = std::chrono::system_clock::now();
  board.start("ns-b/etcd", t0);
  board.start("ns-a/etcd", t0);
  board.set_triggered("ns-a/etcd");
  board.set_updated("ns-a/etcd");
  board.set_completed("ns-a/etcd", t0 + 12s);
  const std::string text = board.render(t0 + 3s);
  EXPECT_EQ(text,
            "Reconciliation Status:\n"
            "┌─────────┬───────────────────┬──────────────┬───────────────────────┬────────────────"
            "────────┐\n"
            "│Etcd     │Reconcile Triggered│Pods Upto Date│Time Taken To Reconcile│Reconciliation "
            "Completed│\n"
            "├─────────┼───────────────────┼──────────────┼───────────────────────┼────────────────"
            "────────┤\n"
            "│ns-a/etcd│true               │true          │12s                    │true           "
            "         │\n"
            "│ns-b/etcd│false              │false         │3s                     │false          "
            "         │\n"
            "└─────────┴───────────────────┴──────────────┴───────────────────────┴────────────────"
            "────────┘\n");
}

TEST(TriggerFlags, TimeoutOnlyWithWaitAndWatchAlone) {
  TriggerOptions options;
  EXPECT_FALSE(validate_trigger(options));
  options.timeout_given = true;
  EXPECT_EQ(validate_trigger(options), "cannot specify --timeout/-t without --wait-till-ready/-w");
  options.wait_till_ready = true;
  EXPECT_FALSE(validate_trigger(options));
  options.watch = true;
  EXPECT_EQ(validate_trigger(options),
            "cannot specify --watch/-W with --wait-till-ready/-w or --timeout/-t");
  options = TriggerOptions{};
  options.watch = true;
  EXPECT_FALSE(validate_trigger(options));
}

VersionInfo sample(std::string version, std::string tree) {
  return {std::move(version), "abc123",     std::move(tree), "2026-01-02T03:04:05Z",
          "GNU 12.2.0",       "GNU 12.2.0", "linux/amd64"};
}

TEST(Version, TextBlockWithDevelopmentAndDirtyWarnings) {
  auto text = render_version(sample("v0.1.0-dev", "dirty"), "", false);
  ASSERT_TRUE(text);
  EXPECT_EQ(*text,
            "druidctl version: v0.1.0-dev\n"
            "  Git commit:     abc123\n"
            "  Git tree state: dirty\n"
            "  Build date:     2026-01-02T03:04:05Z\n"
            "  Compiler:       GNU 12.2.0\n"
            "  Platform:       linux/amd64\n"
            "\n ⚠️  This is a development build and not an official release.\n"
            " ⚠️  Built from modified source (dirty git tree).\n");
  auto release = render_version(sample("v0.1.0", "clean"), "", false);
  ASSERT_TRUE(release);
  EXPECT_EQ(release->find("⚠️"), std::string::npos);
}

TEST(Version, ShortJsonYamlAndUnknownFormats) {
  const auto info = sample("v0.1.0-dev", "clean");
  EXPECT_EQ(*render_version(info, "json", true), "v0.1.0-dev\n");
  EXPECT_EQ(*render_version(info, "json", false),
            "{\n"
            "  \"gitVersion\": \"v0.1.0-dev\",\n"
            "  \"gitCommit\": \"abc123\",\n"
            "  \"gitTreeState\": \"clean\",\n"
            "  \"buildDate\": \"2026-01-02T03:04:05Z\",\n"
            "  \"goVersion\": \"GNU 12.2.0\",\n"
            "  \"compiler\": \"GNU 12.2.0\",\n"
            "  \"platform\": \"linux/amd64\"\n"
            "}\n");
  // YAML as sigs.k8s.io/yaml writes it: keys sorted, the same values.
  auto yaml = render_version(info, "yaml", false);
  ASSERT_TRUE(yaml);
  EXPECT_EQ(yaml->rfind("buildDate: ", 0), 0u) << *yaml;
  EXPECT_LT(yaml->find("\ngitVersion: v0.1.0-dev\n"), yaml->find("\nplatform: linux/amd64"));
  auto parsed = util::parse_yaml(*yaml);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, nlohmann::json::parse(info.to_json().dump()));
  auto bad = render_version(info, "xml", false);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error(), "invalid output format: xml (must be json or yaml)");
}

TEST(Banner, DevelopmentBuildLineOnlyForNonReleases) {
  const std::string dev = banner_text(sample("v0.1.0-dev", "clean"));
  EXPECT_NE(dev.find("Version: v0.1.0-dev\n⚠️  Development Build\n"), std::string::npos);
  const std::string release = banner_text(sample("v0.1.0", "clean"));
  EXPECT_NE(release.find("Version: v0.1.0\n"), std::string::npos);
  EXPECT_EQ(release.find("Development Build"), std::string::npos);
}

}  // namespace
}  // namespace druid::druidctl
