#pragma once
// Installs the CustomResourceDefinitions of a directory into an ApiCore: the
// HTTPS test server and the unit tests' in-memory API install the repository's
// config/crd/ the same way.

#include <filesystem>

#include "apiserver/api_core.hpp"

namespace druid::testing {

// As shipped for a 1.32 server (files ending in "_without_cel" skipped), or,
// as on Kubernetes < 1.29, each CRD's variant without CEL rules where one exists.
enum class CrdRules { kCel, kWithoutCel };

// Every CustomResourceDefinition in the YAML files of `dir`, in file-name
// order; throws std::runtime_error naming the file when one cannot be read or stored.
void install_crds(ApiCore& core, const std::filesystem::path& dir, CrdRules rules);

}  // namespace druid::testing
