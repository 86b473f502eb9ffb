#pragma once
// StatefulSet revisions as the StatefulSet controller names them: the update
// revision is "<statefulset>-<hash of spec.template>", and every pod carries
// the full revision name in its `controller-revision-hash` label. Any stable
// hash does; this one is FNV-1a over the template's canonical JSON (keys are
// sorted by nlohmann::json), spelled with Kubernetes' "safe" alphabet so it
// never forms words.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace druid::localenv {

inline std::string template_hash(const nlohmann::json& pod_template) {
  std::uint64_t hash = 14695981039346656037ull;
  for (const unsigned char c : pod_template.dump()) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  static constexpr char kAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  constexpr std::uint64_t kBase = sizeof(kAlphabet) - 1;
  std::string out;
  for (int i = 0; i < 10; ++i) {
    out.push_back(kAlphabet[hash % kBase]);
    hash /= kBase;
  }
  return out;
}

// "<sts>-<hash>" of the StatefulSet's current spec.template.
inline std::string update_revision(const nlohmann::json& statefulset) {
  const auto& meta = statefulset.at("metadata");
  const auto tmpl =
      statefulset.value(nlohmann::json::json_pointer("/spec/template"), nlohmann::json::object());
  return meta.value("name", std::string()) + "-" + template_hash(tmpl);
}

}  // namespace druid::localenv
