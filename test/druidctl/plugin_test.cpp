// kubectl finds the plugin on PATH and runs it: `kubectl plugin list`, `kubectl druid version`,
// the banner and help, and the druidctl name of the same binary.

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "druidctl/version.hpp"
#include "druidctl_env.hpp"
#include "util/yaml.hpp"

namespace druid::druidctl::test {
namespace {

using PluginTest = DruidctlTest;

TEST_F(PluginTest, KubectlPluginListFindsKubectlDruid) {
  const auto listed = kubectl("plugin list");
  EXPECT_TRUE(contains(listed.out, "The following compatible plugins are available:"))
      << listed.out << listed.err;
  EXPECT_TRUE(contains(listed.out, (dir_ / "bin" / "kubectl-druid").string()))
      << listed.out << listed.err;
}

TEST_F(PluginTest, DruidctlIsASymlinkToTheSameBinary) {
  const std::filesystem::path bin = KUBECTL_DRUID_BIN;
  const auto druidctl = bin.parent_path() / "druidctl";
  ASSERT_TRUE(std::filesystem::is_symlink(druidctl));
  EXPECT_EQ(std::filesystem::canonical(druidctl), std::filesystem::canonical(bin));
  const auto result = run_shell(
      "'" + druidctl.string() + "' version --short 2>'" + (dir_ / "stderr").string() + "'",
      dir_ / "stderr");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, version_info().git_version + "\n");
}

TEST_F(PluginTest, VersionShortTextJsonYaml) {
  const auto info = version_info();
  auto short_form = druid("version --short");
  EXPECT_EQ(short_form.exit_code, 0) << short_form.err;
  EXPECT_EQ(short_form.out, info.git_version + "\n");
  EXPECT_EQ(short_form.out.rfind("v", 0), 0u);

  auto text = druid("version");
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_EQ(text.out.rfind("druidctl version: " + info.git_version + "\n", 0), 0u) << text.out;
  EXPECT_TRUE(contains(text.out, "  Platform:       " + info.platform + "\n")) << text.out;
  EXPECT_FALSE(contains(text.out, "▶")) << "no banner for version";

  auto json_out = druid("version -o json");
  ASSERT_EQ(json_out.exit_code, 0) << json_out.err;
  const auto parsed = nlohmann::ordered_json::parse(json_out.out);
  std::vector<std::string> keys;
  for (const auto& [key, value] : parsed.items()) keys.push_back(key);
  EXPECT_EQ(keys, (std::vector<std::string>{"gitVersion", "gitCommit", "gitTreeState", "buildDate",
                                            "goVersion", "compiler", "platform"}));
  EXPECT_EQ(parsed["gitVersion"], info.git_version);
  EXPECT_EQ(parsed["platform"], info.platform);
  EXPECT_EQ(parsed["goVersion"], parsed["compiler"]);

  auto yaml_out = druid("version --output yaml");
  ASSERT_EQ(yaml_out.exit_code, 0) << yaml_out.err;
  auto yaml = util::parse_yaml(yaml_out.out);
  ASSERT_TRUE(yaml) << yaml_out.out;
  EXPECT_EQ((*yaml)["gitVersion"], info.git_version);

  auto bad = druid("version -o xml");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_EQ(bad.err, "Error: invalid output format: xml (must be json or yaml)\n");
  EXPECT_EQ(bad.out, "");
}

TEST_F(PluginTest, RootAloneShowsBannerAndHelpUnlessNoBanner) {
  const auto info = version_info();
  auto root = druid("");
  EXPECT_EQ(root.exit_code, 0) << root.err;
  EXPECT_EQ(root.out.rfind("▶  ██████╗", 0), 0u) << root.out;
  EXPECT_TRUE(contains(root.out, "Version: " + info.git_version + "\n")) << root.out;
  EXPECT_EQ(contains(root.out, "⚠️  Development Build"), !info.is_release());
  EXPECT_TRUE(contains(root.out, "reconciliation")) << root.out;
  EXPECT_TRUE(contains(root.out, "list-resources")) << root.out;

  auto quiet = druid("--no-banner");
  EXPECT_EQ(quiet.exit_code, 0);
  EXPECT_FALSE(contains(quiet.out, "Version: ")) << quiet.out;
  EXPECT_TRUE(contains(quiet.out, "component-protection")) << quiet.out;

  auto version_flag = druid("--version");
  EXPECT_EQ(version_flag.out, info.git_version + "\n");
}

TEST_F(PluginTest, HelpOfACommandHasTheBannerAndItsFlags) {
  auto help = druid("reconciliation trigger --help");
  EXPECT_EQ(help.exit_code, 0) << help.err;
  EXPECT_TRUE(contains(help.out, "Version: ")) << help.out;
  EXPECT_TRUE(contains(help.out, "--wait-till-ready")) << help.out;
  EXPECT_TRUE(contains(help.out, "--timeout")) << help.out;
  EXPECT_FALSE(contains(help.out, "--poll-interval")) << "the test-only flag is hidden";

  auto quiet = druid("reconciliation trigger -h --no-banner");
  EXPECT_FALSE(contains(quiet.out, "Version: ")) << quiet.out;
  EXPECT_TRUE(contains(quiet.out, "--watch")) << quiet.out;
}

TEST_F(PluginTest, UnknownFlagIsAnError) {
  auto result = druid("reconciliation suspend --bogus");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_TRUE(contains(result.err, "Error: ")) << result.err;
  EXPECT_TRUE(contains(result.err, "--bogus")) << result.err;
}

}  // namespace
}  // namespace druid::druidctl::test
