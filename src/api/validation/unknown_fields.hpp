#pragma once
// The fields of a custom resource that its CRD's structural schema does not
// declare, found the way an API server's pruning finds them
// (apiextensions-apiserver's structural pruning), and the server's answer when
// it decodes such an object strictly (kubectl's default since 1.27).

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace druid::api::validation {

// Paths as the server prints them ("spec.etcd.qouta", "spec.list[0].x"),
// sorted. apiVersion, kind and metadata of the object and of embedded
// resources are not the schema's to judge; fields under
// x-kubernetes-preserve-unknown-fields and the keys of maps
// (additionalProperties: labels, annotations, resources) are never unknown.
std::vector<std::string> unknown_field_paths(const nlohmann::json& object,
                                             const nlohmann::json& schema);

// Removes those fields from `object`, as the server does before it stores a
// custom resource, and returns their paths.
std::vector<std::string> prune_unknown_fields(nlohmann::json& object, const nlohmann::json& schema);

// `Etcd in version "v1alpha1" cannot be handled as a Etcd: strict decoding
// error: unknown field "spec.a", unknown field "spec.b"`.
std::string strict_decoding_error(std::string_view kind, std::string_view version,
                                  const std::vector<std::string>& unknown_paths);

}  // namespace druid::api::validation
