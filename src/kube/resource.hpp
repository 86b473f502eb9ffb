#pragma once
// Where a resource type lives in the API: group/version/plural, and whether
// its objects are namespaced. The client builds request paths from this; the
// informers key caches by it.

#include <string>
#include <string_view>

namespace druid::kube {

struct ResourceType {
  std::string group;     // "" for the core group
  std::string version;   // "v1"
  std::string resource;  // plural, lower case: "pods"
  std::string kind;      // "Pod"
  bool namespaced = true;

  // "v1" for the core group, "<group>/<version>" otherwise (an object's apiVersion).
  std::string api_version() const;

  // The REST path of a collection, an object or a subresource:
  //   /api/v1/namespaces/{ns}/pods[/{name}[/{subresource}]]
  //   /apis/{group}/{version}/...
  // An empty `ns` on a namespaced type addresses all namespaces (list/watch);
  // `ns` is ignored for cluster-scoped types. Segments are percent-encoded.
  std::string path(std::string_view ns, std::string_view name = {},
                   std::string_view subresource = {}) const;

  // "pods", "statefulsets.apps", "etcds.druid.gardener.cloud": how the API
  // server names the resource in messages (`pods "x" not found`).
  std::string qualified_resource() const;

  friend bool operator==(const ResourceType&, const ResourceType&) = default;
};

// The types the operator and its tests use.
namespace resources {

inline const ResourceType kNamespaces{"", "v1", "namespaces", "Namespace", false};
inline const ResourceType kPods{"", "v1", "pods", "Pod", true};
inline const ResourceType kServices{"", "v1", "services", "Service", true};
inline const ResourceType kConfigMaps{"", "v1", "configmaps", "ConfigMap", true};
inline const ResourceType kSecrets{"", "v1", "secrets", "Secret", true};
inline const ResourceType kServiceAccounts{"", "v1", "serviceaccounts", "ServiceAccount", true};
inline const ResourceType kPersistentVolumeClaims{"", "v1", "persistentvolumeclaims",
                                                  "PersistentVolumeClaim", true};
inline const ResourceType kEvents{"", "v1", "events", "Event", true};
inline const ResourceType kLeases{"coordination.k8s.io", "v1", "leases", "Lease", true};
inline const ResourceType kStatefulSets{"apps", "v1", "statefulsets", "StatefulSet", true};
inline const ResourceType kRoles{"rbac.authorization.k8s.io", "v1", "roles", "Role", true};
inline const ResourceType kRoleBindings{"rbac.authorization.k8s.io", "v1", "rolebindings",
                                        "RoleBinding", true};
inline const ResourceType kPodDisruptionBudgets{"policy", "v1", "poddisruptionbudgets",
                                                "PodDisruptionBudget", true};
inline const ResourceType kJobs{"batch", "v1", "jobs", "Job", true};
inline const ResourceType kEtcds{"druid.gardener.cloud", "v1alpha1", "etcds", "Etcd", true};
inline const ResourceType kEtcdCopyBackupsTasks{
    "druid.gardener.cloud", "v1alpha1", "etcdcopybackupstasks", "EtcdCopyBackupsTask", true};
inline const ResourceType kEtcdOpsTasks{"druid.gardener.cloud", "v1alpha1", "etcdopstasks",
                                        "EtcdOpsTask", true};
inline const ResourceType kCustomResourceDefinitions{
    "apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", false};
inline const ResourceType kValidatingWebhookConfigurations{"admissionregistration.k8s.io", "v1",
                                                           "validatingwebhookconfigurations",
                                                           "ValidatingWebhookConfiguration", false};

}  // namespace resources

}  // namespace druid::kube
