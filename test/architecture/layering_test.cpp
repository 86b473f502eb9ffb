// The layering of docs/architecture.md, checked on the code: the table under
// "## Layers" lists the folders of src/ in order, and a file may include only
// its own folder and the folders of the rows above its own. Folders sharing a
// row know nothing of each other, and a folder named in a row's last cell
// ("knows nothing of") is forbidden to that row even when it is above it. The
// table is read from the document, so the rule and the check cannot drift apart.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace druid::test {
namespace {

namespace fs = std::filesystem;

const fs::path kSource = DRUID_SOURCE_DIR;

struct Layer {
  int row = 0;
  std::set<std::string> forbidden;  // folders named in "knows nothing of"
};

std::set<std::string> folders_in(const std::string& cell) {
  static const std::regex folder("`src/([a-z_]+)");
  std::set<std::string> folders;
  for (std::sregex_iterator it(cell.begin(), cell.end(), folder), end; it != end; ++it) {
    folders.insert((*it)[1].str());
  }
  return folders;
}

// Each src/ folder named in the Layers table with its row.
std::map<std::string, Layer> layer_rows() {
  std::ifstream in(kSource / "docs" / "architecture.md");
  std::map<std::string, Layer> rows;
  std::string line;
  bool in_layers = false;
  int row = 0;
  while (std::getline(in, line)) {
    if (line.rfind("## ", 0) == 0) {
      if (in_layers) break;
      in_layers = line == "## Layers";
      continue;
    }
    if (!in_layers || line.rfind("| ", 0) != 0) continue;
    // The second cell holds the folders: "| layer | `src/a`, `src/b` | ...".
    const auto first = line.find('|', 1);
    const auto second = line.find('|', first + 1);
    if (first == std::string::npos || second == std::string::npos) continue;
    const auto folders = folders_in(line.substr(first + 1, second - first - 1));
    if (folders.empty()) continue;
    const auto last = line.rfind('|', line.size() - 2);
    const auto forbidden = folders_in(line.substr(last == std::string::npos ? 0 : last));
    for (const auto& name : folders) rows.emplace(name, Layer{row, forbidden});
    ++row;
  }
  return rows;
}

struct Include {
  fs::path file;
  int line = 0;
  std::string folder;  // of the included header: "kube" for "kube/client.hpp"
};

std::vector<Include> project_includes(const fs::path& file) {
  std::ifstream in(file);
  std::vector<Include> includes;
  std::string text;
  int number = 0;
  const std::regex include(R"(^\s*#\s*include\s+"([a-z_]+)/)");
  std::smatch match;
  while (std::getline(in, text)) {
    ++number;
    if (std::regex_search(text, match, include)) includes.push_back({file, number, match[1].str()});
  }
  return includes;
}

TEST(Layering, TheDocumentNamesEveryFolderOfSrc) {
  const auto rows = layer_rows();
  ASSERT_FALSE(rows.empty()) << "no Layers table in docs/architecture.md";
  for (const auto& entry : fs::directory_iterator(kSource / "src")) {
    if (!entry.is_directory()) continue;
    const std::string folder = entry.path().filename().string();
    EXPECT_TRUE(rows.count(folder) == 1)
        << "src/" << folder << " is not in the Layers table of docs/architecture.md";
  }
}

TEST(Layering, NoFileIncludesALayerBelowItsOwnOrBesideIt) {
  const auto rows = layer_rows();
  ASSERT_FALSE(rows.empty());
  std::ostringstream violations;
  int checked = 0;
  for (const auto& entry : fs::recursive_directory_iterator(kSource / "src")) {
    const auto extension = entry.path().extension();
    if (!entry.is_regular_file() || (extension != ".cpp" && extension != ".hpp")) continue;
    const std::string own = fs::relative(entry.path(), kSource / "src").begin()->string();
    const auto own_row = rows.find(own);
    if (own_row == rows.end()) continue;  // reported by the test above
    for (const auto& include : project_includes(entry.path())) {
      ++checked;
      if (include.folder == own) continue;
      const auto row = rows.find(include.folder);
      if (row == rows.end()) continue;  // not one of ours (e.g. "nlohmann/...")
      const bool forbidden = own_row->second.forbidden.count(include.folder) == 1;
      if (row->second.row < own_row->second.row && !forbidden) continue;
      violations << fs::relative(include.file, kSource).string() << ":" << include.line << ": src/"
                 << own << " includes src/" << include.folder << "/, which is "
                 << (forbidden                                ? "what it knows nothing of"
                     : row->second.row == own_row->second.row ? "beside it"
                                                              : "below it")
                 << " in docs/architecture.md's Layers table\n";
    }
  }
  EXPECT_GT(checked, 100) << "too few includes found: is " << kSource << " the source tree?";
  EXPECT_EQ(violations.str(), "");
}

}  // namespace
}  // namespace druid::test
