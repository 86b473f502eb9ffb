// YAML as Kubernetes reads it (util/yaml.hpp: manifests, the operator's
// configuration, kubeconfigs, image vectors) and Go's YAML writer
// (api/go_yaml.hpp, the etcd configuration's bytes). What parses must print
// (both ways) to YAML that parses back to the same JSON.

#include <nlohmann/json.hpp>

#include "api/go_yaml.hpp"
#include "fuzz_support.hpp"
#include "util/yaml.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto documents = druid::util::parse_yaml_documents(druid::fuzz::as_text(data, size));
  if (!documents) return 0;
  for (const auto& document : *documents) {
    auto reread = druid::util::parse_yaml(druid::util::to_yaml(document));
    FUZZ_CHECK(reread.has_value());
    FUZZ_CHECK(*reread == document);
    auto go = druid::api::go_yaml_marshal(document);
    if (!go) continue;  // values Go's writer refuses (NaN, control characters)
    auto go_reread = druid::util::parse_yaml(*go);
    FUZZ_CHECK(go_reread.has_value());
  }
  return 0;
}
