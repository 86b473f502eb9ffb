#pragma once
// Golden files: the complete object a builder produces, reviewed once and
// kept under test/golden/. `UPDATE_GOLDEN=1` rewrites them (review the diff!).

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace druid::test {

inline std::filesystem::path golden_path(const std::string& relative) {
  return std::filesystem::path(DRUID_SOURCE_DIR) / "test" / "golden" / relative;
}

// Compares `actual` with the golden JSON file; on mismatch prints both.
inline ::testing::AssertionResult matches_golden(const nlohmann::json& actual,
                                                 const std::string& relative) {
  const auto path = golden_path(relative);
  const char* update = std::getenv("UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path) << actual.dump(2) << "\n";
    return ::testing::AssertionSuccess();
  }
  std::ifstream in(path);
  if (!in) return ::testing::AssertionFailure() << "missing golden file " << path;
  std::stringstream text;
  text << in.rdbuf();
  const auto expected = nlohmann::json::parse(text.str(), nullptr, false);
  if (expected.is_discarded()) return ::testing::AssertionFailure() << "bad JSON in " << path;
  if (expected == actual) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "differs from " << path
         << "\npatch from golden to actual: " << nlohmann::json::diff(expected, actual).dump(2);
}

}  // namespace druid::test
