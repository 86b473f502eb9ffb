#include "apiserver/crd_install.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "util/yaml.hpp"

namespace druid::testing {

void install_crds(ApiCore& core, const std::filesystem::path& dir, CrdRules rules) {
  constexpr std::string_view kWithoutCel = "_without_cel";
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const auto& p = entry.path();
    if (p.extension() != ".yaml" && p.extension() != ".yml") continue;
    const std::string stem = p.stem().string();
    const bool without_cel = stem.ends_with(kWithoutCel);
    if (rules == CrdRules::kCel && without_cel) continue;
    if (rules == CrdRules::kWithoutCel && !without_cel &&
        std::filesystem::exists(dir / (stem + std::string(kWithoutCel) + p.extension().string()))) {
      continue;  // its variant without CEL is installed instead
    }
    files.push_back(p);
  }
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    auto docs = util::parse_yaml_documents(text.str());
    if (!docs) throw std::runtime_error(file.string() + ": " + docs.error().message());
    for (auto& doc : *docs) {
      if (doc.value("kind", "") != "CustomResourceDefinition") continue;
      auto stored = core.put_object(std::move(doc));
      if (!stored) throw std::runtime_error(file.string() + ": " + stored.error().message);
    }
  }
}

}  // namespace druid::testing
