#pragma once
// The resource types the test API server serves: the built-in types of a
// Kubernetes 1.32 cluster that the operator and kubectl use, plus whatever
// CustomResourceDefinitions add. Discovery, routing, storage and the metadata
// rules all read their per-type facts from here.

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/field_error.hpp"
#include "apiserver/status.hpp"

namespace druid::testing {

// Where a scale subresource reads and writes its numbers (JSONPath-like dotted
// paths such as ".spec.replicas", as in a CRD's subresources.scale).
struct ScaleSubresource {
  std::string spec_replicas_path = ".spec.replicas";
  std::string status_replicas_path = ".status.replicas";
  // Built-in workloads derive the selector from spec.selector; CRDs name a
  // string field (".status.selector"); empty means none.
  std::string label_selector_path;
  bool selector_from_spec = false;
};

struct ResourceType {
  std::string group;    // "" for the core group
  std::string version;  // the served version this entry describes
  std::string plural;
  std::string singular;
  std::string kind;
  std::string list_kind;
  bool namespaced = true;
  std::vector<std::string> verbs;
  std::vector<std::string> short_names;
  std::vector<std::string> categories;
  bool status_subresource = false;
  std::optional<ScaleSubresource> scale;
  // Kubernetes sets metadata.generation on create and bumps it on spec changes
  // only for some types (workloads, CRs, CRDs, ...); ConfigMaps have none.
  bool has_generation = false;
  // rest.RESTUpdateStrategy: a PUT of a missing object creates it (leases, RBAC, ...).
  bool allow_create_on_update = false;
  // A PUT without metadata.resourceVersion is accepted (false for CRs, leases, CRDs).
  bool allow_unconditional_update = true;
  // DELETE answers with the deleted object instead of a Status (pods, services,
  // namespaces); the others answer a Status with the object's uid.
  bool return_deleted_object = false;
  // Field selectors the type supports beyond metadata.name and metadata.namespace.
  std::vector<std::string> selectable_fields;
  bool custom = false;                                       // served because of a CRD
  std::string crd_name;                                      // "etcds.druid.gardener.cloud"
  nlohmann::json printer_columns = nlohmann::json::array();  // additionalPrinterColumns
  nlohmann::json schema;  // openAPIV3Schema of a CRD version (null for built-ins)
  // The schema has x-kubernetes-validations: the server evaluates CEL rules (the CRDs without CEL
  // for Kubernetes < 1.29 have none).
  bool cel_rules = false;

  // "v1" or "apps/v1": the apiVersion of objects of this type.
  std::string api_version() const { return group.empty() ? version : group + "/" + version; }
  std::string group_version() const { return api_version(); }
  QualifiedResource qualified_resource() const { return {group, plural}; }
  QualifiedKind qualified_kind() const { return {group, kind}; }
  // Objects are stored once per group and plural, whatever version serves them.
  std::string storage_key() const { return group + "/" + plural; }
  bool has_verb(std::string_view verb) const;
};

// A group as /apis lists it: served versions, the preferred one first.
struct ApiGroupInfo {
  std::string name;
  std::vector<std::string> versions;
  std::string preferred_version;
};

class ResourceRegistry {
 public:
  // The built-in types of the issue (namespaces, pods, ..., CRDs, events.k8s.io events).
  static ResourceRegistry with_builtins();

  const ResourceType* find(std::string_view group, std::string_view version,
                           std::string_view plural) const;
  // By kind within a group/version (as in an object's apiVersion and kind).
  const ResourceType* find_kind(std::string_view api_version, std::string_view kind) const;
  // By storage key ("apps/statefulsets"), the preferred served version.
  const ResourceType* find_storage(std::string_view storage_key) const;
  // Every type of one group/version, in registration order.
  std::vector<const ResourceType*> resources_of(std::string_view group,
                                                std::string_view version) const;
  // Groups in discovery order (built-ins first, then CRD groups by name); the core
  // group ("") is not included.
  std::vector<ApiGroupInfo> groups() const;
  std::vector<const ResourceType*> all() const;

  // The types a CustomResourceDefinition serves, or the field errors a real server
  // answers for an invalid CRD.
  static api::FieldErrors validate_crd(const nlohmann::json& crd);
  static std::vector<ResourceType> types_of_crd(const nlohmann::json& crd);
  // Adds (or replaces, on update) the types of a CRD.
  void register_crd(const nlohmann::json& crd);
  void unregister_crd(const std::string& crd_name);

 private:
  void add(ResourceType type);
  std::vector<ResourceType> types_;
  std::vector<std::string> builtin_group_order_;
};

}  // namespace druid::testing
