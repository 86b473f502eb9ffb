// The Dockerfile cannot be built here (no docker); this checks its structure
// against the repository's own files: two stages, the build stage's packages
// are among those scripts/install-deps.sh installs, the runtime stage installs
// only the runtime libraries of the build stage's -dev packages and runs
// non-root, and the build context keeps what the build stage copies.

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "support/kubectl.hpp"
#include "support/webhook_env.hpp"

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

// The packages of each `RUN apt-get ... install` of the Dockerfile, stage by stage.
std::vector<std::set<std::string>> dockerfile_installs() {
  std::vector<std::set<std::string>> installs;
  for (const auto& l : instructions(read_file(kRepo / "Dockerfile"))) {
    if (l.rfind("RUN apt-get", 0) == 0) installs.push_back(apt_packages(l));
  }
  return installs;
}

// The PACKAGES=( ... ) array of scripts/install-deps.sh, comments dropped.
std::set<std::string> install_deps_packages() {
  std::set<std::string> packages;
  const std::string script = read_file(kRepo / "scripts/install-deps.sh");
  const std::string marker = "\nPACKAGES=(";
  const auto start = script.find(marker);
  if (start == std::string::npos) {
    ADD_FAILURE() << "no PACKAGES=( ... ) array in scripts/install-deps.sh";
    return packages;
  }
  std::istringstream in(script.substr(start + marker.size()));
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line.substr(0, line.find('#')));
    std::string word;
    while (words >> word) {
      const bool last = word.back() == ')';
      if (last) word.pop_back();
      if (!word.empty()) packages.insert(word);
      if (last) return packages;
    }
  }
  ADD_FAILURE() << "PACKAGES=( in scripts/install-deps.sh is not closed";
  return packages;
}

// "libyaml-cpp0.7" -> "libyaml-cpp", "libcurl4" -> "libcurl": a Debian
// library package's name without its soname version.
std::string library_stem(std::string package) {
  while (!package.empty() &&
         (std::isdigit(static_cast<unsigned char>(package.back())) != 0 || package.back() == '.')) {
    package.pop_back();
  }
  return package;
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
  // Runtime stage: exactly the shared libraries of the binary, by their Debian names.
  EXPECT_EQ(installs[1],
            (std::set<std::string>{"ca-certificates", "libcurl4", "libssl3", "libyaml-cpp0.7",
                                   "libfmt9", "libspdlog1.10", "libcpp-httplib0.11"}));

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

// The build stage and a developer machine set up by scripts/install-deps.sh
// build with the same packages: each one the build stage installs is in the
// script's list (ca-certificates aside: the image's TLS roots, no build input).
TEST(Dockerfile, BuildStagePackagesAreAllInInstallDepsScript) {
  const auto installs = dockerfile_installs();
  ASSERT_EQ(installs.size(), 2u);
  ASSERT_FALSE(installs[0].empty()) << "no apt-get install in the build stage";
  const std::set<std::string> deps = install_deps_packages();
  ASSERT_FALSE(deps.empty());
  for (const auto& package : installs[0]) {
    if (package == "ca-certificates") continue;
    EXPECT_TRUE(deps.contains(package)) << package << " is not in scripts/install-deps.sh";
  }
}

// Each runtime library is the one a -dev package of the build stage links
// against (libfmt9 for libfmt-dev, libcurl4 for libcurl4-openssl-dev): the
// image runs the binary with the libraries it was built with.
TEST(Dockerfile, RuntimeLibrariesMatchTheBuildStagesDevPackages) {
  const auto installs = dockerfile_installs();
  ASSERT_EQ(installs.size(), 2u);
  for (const auto& library : installs[1]) {
    if (library == "ca-certificates") continue;
    const std::string stem = library_stem(library);
    const bool built_with = std::any_of(installs[0].begin(), installs[0].end(), [&](const auto& p) {
      return p.rfind(stem, 0) == 0 && p.ends_with("-dev");
    });
    EXPECT_TRUE(built_with) << library << ": no " << stem << "*-dev package in the build stage";
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
