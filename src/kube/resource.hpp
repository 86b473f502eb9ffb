#pragma once
// The built-in resource types the operator and its tests use. Druid's own
// kinds are the API's (api/resources.hpp).

#include "util/resource_type.hpp"

namespace druid::kube {

namespace resources {

inline const util::ResourceType kNamespaces{"", "v1", "namespaces", "Namespace", false};
inline const util::ResourceType kPods{"", "v1", "pods", "Pod", true};
inline const util::ResourceType kServices{"", "v1", "services", "Service", true};
inline const util::ResourceType kConfigMaps{"", "v1", "configmaps", "ConfigMap", true};
inline const util::ResourceType kSecrets{"", "v1", "secrets", "Secret", true};
inline const util::ResourceType kServiceAccounts{"", "v1", "serviceaccounts", "ServiceAccount",
                                                 true};
inline const util::ResourceType kPersistentVolumeClaims{"", "v1", "persistentvolumeclaims",
                                                        "PersistentVolumeClaim", true};
inline const util::ResourceType kEvents{"", "v1", "events", "Event", true};
inline const util::ResourceType kLeases{"coordination.k8s.io", "v1", "leases", "Lease", true};
inline const util::ResourceType kStatefulSets{"apps", "v1", "statefulsets", "StatefulSet", true};
inline const util::ResourceType kRoles{"rbac.authorization.k8s.io", "v1", "roles", "Role", true};
inline const util::ResourceType kRoleBindings{"rbac.authorization.k8s.io", "v1", "rolebindings",
                                              "RoleBinding", true};
inline const util::ResourceType kPodDisruptionBudgets{"policy", "v1", "poddisruptionbudgets",
                                                      "PodDisruptionBudget", true};
inline const util::ResourceType kJobs{"batch", "v1", "jobs", "Job", true};
inline const util::ResourceType kCustomResourceDefinitions{
    "apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", false};
inline const util::ResourceType kValidatingWebhookConfigurations{
    "admissionregistration.k8s.io", "v1", "validatingwebhookconfigurations",
    "ValidatingWebhookConfiguration", false};

}  // namespace resources

}  // namespace druid::kube
