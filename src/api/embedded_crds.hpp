#pragma once
// druid's CustomResourceDefinitions (config/crd: Etcd with its CEL rules,
// EtcdCopyBackupsTask, EtcdOpsTask), compiled into the library by CMake
// (src/api/embedded_crds_text.cpp.in), so a tool checks manifests against the
// very schemas an API server would use, without the files at run time.

#include <nlohmann/json.hpp>
#include <span>
#include <string_view>
#include <vector>

namespace druid::api {

// The manifests as written in config/crd.
std::span<const std::string_view> embedded_crd_manifests();

// The same, parsed (once); a manifest that does not parse is left out, which
// test/api/embedded_crds_test.cpp rules out.
const std::vector<nlohmann::json>& embedded_crds();

// The openAPIV3Schema a server with these CRDs decodes `kind` in `api_version`
// ("druid.gardener.cloud/v1alpha1") with; null when no CRD serves that kind in
// that version.
const nlohmann::json* embedded_crd_schema(std::string_view api_version, std::string_view kind);

}  // namespace druid::api
