#pragma once
// Annotation keys and finalizers of the druid API (upstream's api/core/v1alpha1/constants.go
// and api/common/constants.go), and
// the questions the controllers ask of an Etcd's annotations.

#include <optional>
#include <string>
#include <utility>

#include "api/object_meta.hpp"

namespace druid::api {

// Requests a spec reconcile; druid removes both keys once it succeeded.
inline constexpr const char* kDruidOperationAnnotation = "druid.gardener.cloud/operation";
// Deprecated alias of kDruidOperationAnnotation.
inline constexpr const char* kGardenerOperationAnnotation = "gardener.cloud/operation";
inline constexpr const char* kOperationReconcile = "reconcile";

// The following take effect whatever their value.
inline constexpr const char* kSuspendEtcdSpecReconcileAnnotation =
    "druid.gardener.cloud/suspend-etcd-spec-reconcile";
inline constexpr const char* kDisableEtcdComponentProtectionAnnotation =
    "druid.gardener.cloud/disable-etcd-component-protection";
inline constexpr const char* kDisableEtcdRuntimeComponentCreationAnnotation =
    "druid.gardener.cloud/disable-etcd-runtime-component-creation";
inline constexpr const char* kAllowUnhealthyPodEvictionAnnotation =
    "resources.druid.gardener.cloud/allow-unhealthy-pod-eviction";

// On member leases, written by etcd-backup-restore: "true" or "false".
inline constexpr const char* kTlsEnabledAnnotation = "member.etcd.gardener.cloud/tls-enabled";
// On the StatefulSet pod template: SHA-256 of the ConfigMap data, so a config
// change rolls the pods.
inline constexpr const char* kConfigMapChecksumAnnotation = "checksum/etcd-configmap";
// Not copied to compaction-job pods when its value is "false": the job must
// not block node scale-down.
inline constexpr const char* kSafeToEvictAnnotation =
    "cluster-autoscaler.kubernetes.io/safe-to-evict";

// On Etcds, EtcdCopyBackupsTasks and the Secrets Etcds reference.
inline constexpr const char* kEtcdDruidFinalizer = "druid.gardener.cloud/etcd-druid";
// On EtcdOpsTasks.
inline constexpr const char* kEtcdOpsTaskFinalizer = "druid.gardener.cloud/etcd-ops-task";

namespace annotation_detail {
inline bool has_value(const ObjectMeta& meta, const char* key, const char* value) {
  const auto it = meta.annotations.find(key);
  return it != meta.annotations.end() && it->second == value;
}
}  // namespace annotation_detail

// Either operation key with value `reconcile`.
inline bool has_reconcile_operation_annotation(const ObjectMeta& meta) {
  return annotation_detail::has_value(meta, kDruidOperationAnnotation, kOperationReconcile) ||
         annotation_detail::has_value(meta, kGardenerOperationAnnotation, kOperationReconcile);
}

// The first operation annotation (druid's key, then the deprecated alias) whose
// value etcd-druid does not act on ("reconcle", "RECONCILE", ""), as key and value.
inline std::optional<std::pair<std::string, std::string>> unknown_operation_annotation(
    const ObjectMeta& meta) {
  for (const char* key : {kDruidOperationAnnotation, kGardenerOperationAnnotation}) {
    const auto it = meta.annotations.find(key);
    if (it != meta.annotations.end() && it->second != kOperationReconcile) {
      return std::make_pair(std::string(key), it->second);
    }
  }
  return std::nullopt;
}

inline bool is_spec_reconcile_suspended(const ObjectMeta& meta) {
  return meta.has_annotation(kSuspendEtcdSpecReconcileAnnotation);
}

inline bool is_component_protection_disabled(const ObjectMeta& meta) {
  return meta.has_annotation(kDisableEtcdComponentProtectionAnnotation);
}

inline bool is_runtime_component_creation_disabled(const ObjectMeta& meta) {
  return meta.has_annotation(kDisableEtcdRuntimeComponentCreationAnnotation);
}

inline bool is_unhealthy_pod_eviction_allowed(const ObjectMeta& meta) {
  return meta.has_annotation(kAllowUnhealthyPodEvictionAnnotation);
}

}  // namespace druid::api
