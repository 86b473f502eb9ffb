// The Dockerfile cannot be built here (no docker); this checks its structure:
// two stages, the build stage's packages are the project's, the runtime
// stage installs only the runtime libraries the binary links and runs
// non-root, and
// the build context keeps what the build stage copies.

#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "support/kubectl.hpp"
#include "webhook/webhook_env.hpp"

namespace druid::webhook::test {
namespace {

const fs::path kRepo = DRUID_SOURCE_DIR;

// Instructions with continuation lines joined, comments dropped.
std::vector<std::string> instructions(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line, current;
  while (std::getline(in, line)) {
    if (current.empty() && (line.empty() || line[0] == '#')) continue;
    const bool continued = !line.empty() && line.back() == '\\';
    current += continued ? line.substr(0, line.size() - 1) : line;
    if (!continued) {
      out.push_back(current);
      current.clear();
    }
  }
  return out;
}

std::set<std::string> apt_packages(const std::string& run) {
  std::set<std::string> packages;
  const auto at = run.find("--no-install-recommends");
  if (at == std::string::npos) return packages;
  std::istringstream words(run.substr(at + 23));
  std::string word;
  while (words >> word && word != "&&") packages.insert(word);
  return packages;
}

TEST(Dockerfile, TwoStagesBuildThenRunNonRoot) {
  const auto lines = instructions(read_file(kRepo / "Dockerfile"));
  std::vector<std::string> froms;
  std::vector<std::set<std::string>> installs;
  std::vector<std::string> copies_from, copies;
  std::string user, entrypoint, build_command;
  for (const auto& l : lines) {
    if (l.rfind("FROM ", 0) == 0) froms.push_back(l);
    if (l.rfind("RUN apt-get", 0) == 0) installs.push_back(apt_packages(l));
    if (l.rfind("COPY --from=", 0) == 0)
      copies_from.push_back(l);
    else if (l.rfind("COPY ", 0) == 0)
      copies.push_back(l);
    if (l.rfind("USER ", 0) == 0) user = l;
    if (l.rfind("ENTRYPOINT ", 0) == 0) entrypoint = l;
    if (l.find("cmake --build") != std::string::npos) build_command = l;
  }
  EXPECT_EQ(froms, (std::vector<std::string>{"FROM debian:bookworm AS build",
                                             "FROM debian:bookworm-slim AS runtime"}));
  EXPECT_EQ(copies_from,
            std::vector<std::string>{"COPY --from=build /build/etcd-druid /etcd-druid"});
  EXPECT_EQ(user, "USER 65532:65532");
  EXPECT_EQ(entrypoint, "ENTRYPOINT [\"/etcd-druid\"]");
  EXPECT_TRUE(druid::test::contains(build_command, "-G Ninja -DCMAKE_BUILD_TYPE=Release"));
  EXPECT_TRUE(druid::test::contains(build_command, "--target etcd-druid"));

  ASSERT_EQ(installs.size(), 2u);
  // Build stage: packages scripts/install-deps.sh installs.
  std::set<std::string> deps;
  {
    std::istringstream words(read_file(kRepo / "scripts/install-deps.sh"));
    std::string word;
    while (words >> word) deps.insert(word);
  }
  for (const auto& package : installs[0]) {
    if (package == "ca-certificates") continue;
    EXPECT_TRUE(deps.contains(package)) << package << " is not in scripts/install-deps.sh";
  }
  // Runtime stage: exactly the shared libraries of the binary, by their Debian names.
  EXPECT_EQ(installs[1],
            (std::set<std::string>{"ca-certificates", "libcurl4", "libssl3", "libyaml-cpp0.7",
                                   "libfmt9", "libspdlog1.10", "libcpp-httplib0.11"}));
  // They are the packages this (Debian bookworm) machine runs the binary with:
  // the -dev packages of install-deps.sh depend on them.
  std::string names;
  for (const auto& package : installs[1]) names += " " + package;
  const auto installed = run_shell("dpkg-query -W -f=\"\\${Package} \\${Status}\\n\"" + names);
  EXPECT_EQ(installed.exit_code, 0) << installed.out;
  for (const auto& package : installs[1]) {
    EXPECT_TRUE(druid::test::contains(installed.out, package + " install ok installed"))
        << installed.out;
  }

  // The context keeps what COPY takes.
  const std::string ignore = read_file(kRepo / ".dockerignore");
  for (const auto& copy : copies) {
    std::istringstream words(copy);
    std::string word, source;
    words >> word >> source;
    EXPECT_TRUE(fs::exists(kRepo / source)) << copy;
    EXPECT_TRUE(druid::test::contains(ignore, "!" + source)) << source << " is ignored";
  }
}

// What the build stage copies is enough to configure the etcd-druid target.
TEST(Dockerfile, BuildStageSourcesConfigureTheBinary) {
  TempDir dir("docker-context");
  for (const char* source : {"CMakeLists.txt", "config", "src", "examples"}) {
    fs::copy(kRepo / source, dir / source, fs::copy_options::recursive);
  }
  const auto configured =
      run_shell("cmake -S " + dir.path().string() + " -B " + (dir / "build").string() +
                " -G Ninja -DCMAKE_BUILD_TYPE=Release -DDRUID_BUILD_TESTS=OFF "
                "-DDRUID_BUILD_BENCH=OFF && ninja -C " +
                (dir / "build").string() + " -t targets all");
  ASSERT_EQ(configured.exit_code, 0) << configured.out;
  EXPECT_TRUE(druid::test::contains(configured.out, "\netcd-druid: CXX_EXECUTABLE_LINKER"))
      << configured.out;
}

}  // namespace
}  // namespace druid::webhook::test
