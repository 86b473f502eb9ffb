#include "apiserver/resource_registry.hpp"

#include <algorithm>
#include <set>

namespace druid::testing {
namespace {

using nlohmann::json;

const std::vector<std::string> kAllVerbs = {"create", "delete", "deletecollection", "get",
                                            "list",   "patch",  "update",           "watch"};

struct Builtin {
  std::string group = "";
  std::string plural = "";
  std::string singular = "";
  std::string kind = "";
  bool namespaced = true;
  std::vector<std::string> short_names = {};
  bool in_all = false;  // category "all", as kubectl get all shows it
  bool status = false;
  bool scale = false;
  bool generation = false;
  bool create_on_update = false;
  bool unconditional_update = true;
  bool return_deleted = false;
  std::vector<std::string> selectable_fields = {};
};

// The built-in types with the facts a 1.32 API server publishes for them.
const std::vector<Builtin>& builtins() {
  static const std::vector<Builtin> kBuiltins = {
      {.plural = "namespaces",
       .singular = "namespace",
       .kind = "Namespace",
       .namespaced = false,
       .short_names = {"ns"},
       .status = true,
       .return_deleted = true,
       .selectable_fields = {"status.phase"}},
      {.plural = "pods",
       .singular = "pod",
       .kind = "Pod",
       .short_names = {"po"},
       .in_all = true,
       .status = true,
       .return_deleted = true,
       .selectable_fields = {"spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
                             "spec.serviceAccountName", "spec.hostNetwork", "status.phase",
                             "status.podIP", "status.nominatedNodeName"}},
      {.plural = "services",
       .singular = "service",
       .kind = "Service",
       .short_names = {"svc"},
       .in_all = true,
       .status = true,
       .return_deleted = true},
      {.plural = "endpoints",
       .singular = "endpoints",
       .kind = "Endpoints",
       .short_names = {"ep"},
       .create_on_update = true},
      {.plural = "configmaps", .singular = "configmap", .kind = "ConfigMap", .short_names = {"cm"}},
      {.plural = "secrets", .singular = "secret", .kind = "Secret", .selectable_fields = {"type"}},
      {.plural = "serviceaccounts",
       .singular = "serviceaccount",
       .kind = "ServiceAccount",
       .short_names = {"sa"}},
      {.plural = "persistentvolumeclaims",
       .singular = "persistentvolumeclaim",
       .kind = "PersistentVolumeClaim",
       .short_names = {"pvc"},
       .status = true},
      {.plural = "events",
       .singular = "event",
       .kind = "Event",
       .short_names = {"ev"},
       .create_on_update = true,
       .selectable_fields = {"involvedObject.kind", "involvedObject.namespace",
                             "involvedObject.name", "involvedObject.uid",
                             "involvedObject.apiVersion", "involvedObject.resourceVersion",
                             "involvedObject.fieldPath", "reason", "reportingComponent", "source",
                             "type"}},
      {.group = "apps",
       .plural = "statefulsets",
       .singular = "statefulset",
       .kind = "StatefulSet",
       .short_names = {"sts"},
       .in_all = true,
       .status = true,
       .scale = true,
       .generation = true},
      {.group = "apps",
       .plural = "deployments",
       .singular = "deployment",
       .kind = "Deployment",
       .short_names = {"deploy"},
       .in_all = true,
       .status = true,
       .scale = true,
       .generation = true},
      {.group = "apps",
       .plural = "replicasets",
       .singular = "replicaset",
       .kind = "ReplicaSet",
       .short_names = {"rs"},
       .in_all = true,
       .status = true,
       .scale = true,
       .generation = true,
       .selectable_fields = {"status.replicas"}},
      {.group = "apps",
       .plural = "daemonsets",
       .singular = "daemonset",
       .kind = "DaemonSet",
       .short_names = {"ds"},
       .in_all = true,
       .status = true,
       .generation = true},
      {.group = "events.k8s.io",
       .plural = "events",
       .singular = "event",
       .kind = "Event",
       .short_names = {"ev"},
       .create_on_update = true},
      {.group = "batch",
       .plural = "jobs",
       .singular = "job",
       .kind = "Job",
       .in_all = true,
       .status = true,
       .generation = true,
       .selectable_fields = {"status.successful"}},
      {.group = "batch",
       .plural = "cronjobs",
       .singular = "cronjob",
       .kind = "CronJob",
       .short_names = {"cj"},
       .in_all = true,
       .status = true,
       .generation = true},
      {.group = "policy",
       .plural = "poddisruptionbudgets",
       .singular = "poddisruptionbudget",
       .kind = "PodDisruptionBudget",
       .short_names = {"pdb"},
       .status = true,
       .generation = true,
       .create_on_update = true},
      {.group = "rbac.authorization.k8s.io",
       .plural = "clusterrolebindings",
       .singular = "clusterrolebinding",
       .kind = "ClusterRoleBinding",
       .namespaced = false,
       .create_on_update = true},
      {.group = "rbac.authorization.k8s.io",
       .plural = "clusterroles",
       .singular = "clusterrole",
       .kind = "ClusterRole",
       .namespaced = false,
       .create_on_update = true},
      {.group = "rbac.authorization.k8s.io",
       .plural = "rolebindings",
       .singular = "rolebinding",
       .kind = "RoleBinding",
       .create_on_update = true},
      {.group = "rbac.authorization.k8s.io",
       .plural = "roles",
       .singular = "role",
       .kind = "Role",
       .create_on_update = true},
      {.group = "admissionregistration.k8s.io",
       .plural = "validatingwebhookconfigurations",
       .singular = "validatingwebhookconfiguration",
       .kind = "ValidatingWebhookConfiguration",
       .namespaced = false,
       .generation = true},
      {.group = "apiextensions.k8s.io",
       .plural = "customresourcedefinitions",
       .singular = "customresourcedefinition",
       .kind = "CustomResourceDefinition",
       .namespaced = false,
       .short_names = {"crd", "crds"},
       .status = true,
       .generation = true,
       .unconditional_update = false},
      {.group = "coordination.k8s.io",
       .plural = "leases",
       .singular = "lease",
       .kind = "Lease",
       .create_on_update = true,
       .unconditional_update = false},
  };
  return kBuiltins;
}

ResourceType from_builtin(const Builtin& b) {
  ResourceType t;
  t.group = b.group;
  t.version = "v1";
  t.plural = b.plural;
  t.singular = b.singular;
  t.kind = b.kind;
  t.list_kind = b.kind + "List";
  t.namespaced = b.namespaced;
  t.verbs = kAllVerbs;
  if (b.plural == "namespaces") {
    // Namespaces are deleted one by one (their content goes with them).
    t.verbs.erase(std::find(t.verbs.begin(), t.verbs.end(), "deletecollection"));
  }
  t.short_names = b.short_names;
  if (b.in_all) t.categories = {"all"};
  if (b.plural == "customresourcedefinitions") t.categories = {"api-extensions"};
  t.status_subresource = b.status;
  if (b.scale) {
    ScaleSubresource s;
    s.selector_from_spec = true;
    t.scale = s;
  }
  t.has_generation = b.generation;
  t.allow_create_on_update = b.create_on_update;
  t.allow_unconditional_update = b.unconditional_update;
  t.return_deleted_object = b.return_deleted;
  t.selectable_fields = b.selectable_fields;
  return t;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::vector<std::string> string_list(const json& value) {
  std::vector<std::string> out;
  if (!value.is_array()) return out;
  for (const auto& v : value) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

std::string string_at(const json& obj, const json::json_pointer& ptr) {
  if (!obj.contains(ptr)) return {};
  const json& v = obj.at(ptr);
  return v.is_string() ? v.get<std::string>() : std::string{};
}

bool is_dns_subdomain(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(s.front()) || !alnum(s.back())) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (alnum(c) || c == '-') continue;
    if (c == '.' && alnum(s[i - 1]) && i + 1 < s.size() && alnum(s[i + 1])) continue;
    return false;
  }
  return true;
}

// Whether a CRD version's schema carries any x-kubernetes-validations (CEL) rule: a
// server evaluates the rules its CRD has, so the without-CEL CRD gets none.
bool has_cel_rules(const json& schema) {
  if (schema.is_object()) {
    if (schema.contains("x-kubernetes-validations")) return true;
    return std::any_of(schema.begin(), schema.end(),
                       [](const json& child) { return has_cel_rules(child); });
  }
  if (schema.is_array()) {
    return std::any_of(schema.begin(), schema.end(),
                       [](const json& child) { return has_cel_rules(child); });
  }
  return false;
}

}  // namespace

bool ResourceType::has_verb(std::string_view verb) const {
  return std::find(verbs.begin(), verbs.end(), verb) != verbs.end();
}

ResourceRegistry ResourceRegistry::with_builtins() {
  ResourceRegistry r;
  for (const auto& b : builtins()) {
    r.add(from_builtin(b));
    if (!b.group.empty() && std::find(r.builtin_group_order_.begin(), r.builtin_group_order_.end(),
                                      b.group) == r.builtin_group_order_.end()) {
      r.builtin_group_order_.push_back(b.group);
    }
  }
  return r;
}

void ResourceRegistry::add(ResourceType type) {
  types_.push_back(std::move(type));
}

const ResourceType* ResourceRegistry::find(std::string_view group, std::string_view version,
                                           std::string_view plural) const {
  for (const auto& t : types_) {
    if (t.group == group && t.version == version && t.plural == plural) return &t;
  }
  return nullptr;
}

const ResourceType* ResourceRegistry::find_kind(std::string_view api_version,
                                                std::string_view kind) const {
  for (const auto& t : types_) {
    if (t.api_version() == api_version && t.kind == kind) return &t;
  }
  return nullptr;
}

const ResourceType* ResourceRegistry::find_storage(std::string_view storage_key) const {
  for (const auto& g : groups()) {
    for (const auto& t : types_) {
      if (t.storage_key() == storage_key && t.group == g.name && t.version == g.preferred_version) {
        return &t;
      }
    }
  }
  for (const auto& t : types_) {
    if (t.storage_key() == storage_key) return &t;
  }
  return nullptr;
}

std::vector<const ResourceType*> ResourceRegistry::resources_of(std::string_view group,
                                                                std::string_view version) const {
  std::vector<const ResourceType*> out;
  for (const auto& t : types_) {
    if (t.group == group && t.version == version) out.push_back(&t);
  }
  return out;
}

std::vector<const ResourceType*> ResourceRegistry::all() const {
  std::vector<const ResourceType*> out;
  for (const auto& t : types_) out.push_back(&t);
  return out;
}

std::vector<ApiGroupInfo> ResourceRegistry::groups() const {
  std::vector<std::string> order = builtin_group_order_;
  std::set<std::string> custom;
  for (const auto& t : types_) {
    if (t.custom) custom.insert(t.group);
  }
  for (const auto& g : custom) {
    if (std::find(order.begin(), order.end(), g) == order.end()) order.push_back(g);
  }
  std::vector<ApiGroupInfo> out;
  for (const auto& name : order) {
    ApiGroupInfo info;
    info.name = name;
    for (const auto& t : types_) {
      if (t.group == name &&
          std::find(info.versions.begin(), info.versions.end(), t.version) == info.versions.end()) {
        info.versions.push_back(t.version);
      }
    }
    if (info.versions.empty()) continue;
    info.preferred_version = info.versions.front();
    out.push_back(std::move(info));
  }
  return out;
}

api::FieldErrors ResourceRegistry::validate_crd(const json& crd) {
  api::FieldErrors errors;
  const std::string name = string_at(crd, "/metadata/name"_json_pointer);
  const std::string group = string_at(crd, "/spec/group"_json_pointer);
  const std::string plural = string_at(crd, "/spec/names/plural"_json_pointer);
  const std::string kind = string_at(crd, "/spec/names/kind"_json_pointer);
  const std::string scope = string_at(crd, "/spec/scope"_json_pointer);
  api::FieldPath spec("spec");
  if (name != plural + "." + group) {
    errors.push_back(api::invalid_error(api::FieldPath("metadata").child("name"), name,
                                        "must be spec.names.plural+\".\"+spec.group"));
  }
  if (group.empty()) {
    errors.push_back(api::required_error(spec.child("group")));
  } else if (group.find('.') == std::string::npos) {
    errors.push_back(
        api::invalid_error(spec.child("group"), group, "should be a domain with at least one dot"));
  }
  if (plural.empty()) errors.push_back(api::required_error(spec.child("names").child("plural")));
  if (kind.empty()) errors.push_back(api::required_error(spec.child("names").child("kind")));
  if (scope != "Namespaced" && scope != "Cluster") {
    errors.push_back(
        api::not_supported_error(spec.child("scope"), scope, {"Cluster", "Namespaced"}));
  }
  const json* versions =
      crd.contains("spec") && crd["spec"].contains("versions") ? &crd["spec"]["versions"] : nullptr;
  if (versions == nullptr || !versions->is_array() || versions->empty()) {
    errors.push_back(api::invalid_error(spec.child("versions"), json::array(),
                                        "must have exactly one version marked as storage version"));
  } else {
    int storage = 0;
    for (const auto& v : *versions) {
      if (v.value("storage", false)) ++storage;
    }
    if (storage != 1) {
      errors.push_back(api::invalid_error(spec.child("versions"), *versions,
                                          "must have exactly one version marked as storage "
                                          "version"));
    }
  }
  if (!name.empty() && !is_dns_subdomain(name) && errors.empty()) {
    errors.push_back(api::invalid_error(api::FieldPath("metadata").child("name"), name,
                                        "a lowercase RFC 1123 subdomain must consist of lower case "
                                        "alphanumeric characters, '-' or '.', and must start and "
                                        "end with an alphanumeric character (e.g. 'example.com', "
                                        "regex used for validation is "
                                        "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-"
                                        "z0-9])?)*')"));
  }
  return errors;
}

std::vector<ResourceType> ResourceRegistry::types_of_crd(const json& crd) {
  std::vector<ResourceType> out;
  const json& spec = crd.at("spec");
  const json& names = spec.at("names");
  for (const auto& v : spec.value("versions", json::array())) {
    if (!v.value("served", true)) continue;
    ResourceType t;
    t.group = spec.value("group", "");
    t.version = v.value("name", "");
    t.plural = names.value("plural", "");
    t.kind = names.value("kind", "");
    t.singular = names.value("singular", lower(t.kind));
    t.list_kind = names.value("listKind", t.kind + "List");
    t.namespaced = spec.value("scope", "Namespaced") == "Namespaced";
    t.verbs = kAllVerbs;
    t.short_names = string_list(names.value("shortNames", json::array()));
    t.categories = string_list(names.value("categories", json::array()));
    // Subresources and printer columns are per version (v1 CRDs).
    const json sub = v.value("subresources", json::object());
    t.status_subresource = sub.contains("status");
    if (sub.contains("scale") && sub["scale"].is_object()) {
      ScaleSubresource s;
      s.spec_replicas_path = sub["scale"].value("specReplicasPath", ".spec.replicas");
      s.status_replicas_path = sub["scale"].value("statusReplicasPath", ".status.replicas");
      s.label_selector_path = sub["scale"].value("labelSelectorPath", "");
      t.scale = s;
    }
    t.has_generation = true;
    t.allow_unconditional_update = false;
    t.return_deleted_object = false;  // the CR store answers a Status
    for (const auto& f : v.value("selectableFields", json::array())) {
      std::string path = f.value("jsonPath", "");
      if (!path.empty() && path.front() == '.') path.erase(0, 1);
      if (!path.empty()) t.selectable_fields.push_back(path);
    }
    t.custom = true;
    t.crd_name = crd.at("metadata").value("name", "");
    t.printer_columns = v.value("additionalPrinterColumns", json::array());
    if (v.contains("schema") && v["schema"].contains("openAPIV3Schema")) {
      t.schema = v["schema"]["openAPIV3Schema"];
    }
    t.cel_rules = has_cel_rules(t.schema);
    out.push_back(std::move(t));
  }
  return out;
}

void ResourceRegistry::register_crd(const json& crd) {
  const std::string name = crd.at("metadata").value("name", "");
  unregister_crd(name);
  for (auto& t : types_of_crd(crd)) add(std::move(t));
}

void ResourceRegistry::unregister_crd(const std::string& crd_name) {
  std::erase_if(types_, [&](const ResourceType& t) { return t.custom && t.crd_name == crd_name; });
}

}  // namespace druid::testing
