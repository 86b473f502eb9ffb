#include "api/annotations.hpp"

#include <gtest/gtest.h>

namespace druid::api {
namespace {

ObjectMeta with_annotation(const std::string& key, const std::string& value) {
  ObjectMeta meta;
  meta.annotations[key] = value;
  return meta;
}

TEST(Annotations, Keys) {
  EXPECT_STREQ(kDruidOperationAnnotation, "druid.gardener.cloud/operation");
  EXPECT_STREQ(kGardenerOperationAnnotation, "gardener.cloud/operation");
  EXPECT_STREQ(kOperationReconcile, "reconcile");
  EXPECT_STREQ(kSuspendEtcdSpecReconcileAnnotation,
               "druid.gardener.cloud/suspend-etcd-spec-reconcile");
  EXPECT_STREQ(kDisableEtcdComponentProtectionAnnotation,
               "druid.gardener.cloud/disable-etcd-component-protection");
  EXPECT_STREQ(kDisableEtcdRuntimeComponentCreationAnnotation,
               "druid.gardener.cloud/disable-etcd-runtime-component-creation");
  EXPECT_STREQ(kAllowUnhealthyPodEvictionAnnotation,
               "resources.druid.gardener.cloud/allow-unhealthy-pod-eviction");
  EXPECT_STREQ(kTlsEnabledAnnotation, "member.etcd.gardener.cloud/tls-enabled");
  EXPECT_STREQ(kConfigMapChecksumAnnotation, "checksum/etcd-configmap");
  EXPECT_STREQ(kSafeToEvictAnnotation, "cluster-autoscaler.kubernetes.io/safe-to-evict");
  EXPECT_STREQ(kEtcdDruidFinalizer, "druid.gardener.cloud/etcd-druid");
  EXPECT_STREQ(kEtcdOpsTaskFinalizer, "druid.gardener.cloud/etcd-ops-task");
}

TEST(Annotations, ReconcileOperationOnEitherKey) {
  EXPECT_TRUE(has_reconcile_operation_annotation(
      with_annotation("druid.gardener.cloud/operation", "reconcile")));
  EXPECT_TRUE(
      has_reconcile_operation_annotation(with_annotation("gardener.cloud/operation", "reconcile")));
}

TEST(Annotations, ReconcileOperationNeedsTheReconcileValue) {
  EXPECT_FALSE(has_reconcile_operation_annotation(ObjectMeta{}));
  EXPECT_FALSE(has_reconcile_operation_annotation(
      with_annotation("druid.gardener.cloud/operation", "Reconcile")));
  EXPECT_FALSE(has_reconcile_operation_annotation(with_annotation("gardener.cloud/operation", "")));
  ObjectMeta meta = with_annotation("druid.gardener.cloud/operation", "other");
  meta.annotations["gardener.cloud/operation"] = "reconcile";
  EXPECT_TRUE(has_reconcile_operation_annotation(meta));
}

TEST(Annotations, PresenceAnnotationsTakeEffectWhateverTheirValue) {
  for (const char* value : {"", "true", "false"}) {
    EXPECT_TRUE(is_spec_reconcile_suspended(
        with_annotation("druid.gardener.cloud/suspend-etcd-spec-reconcile", value)));
    EXPECT_TRUE(is_component_protection_disabled(
        with_annotation("druid.gardener.cloud/disable-etcd-component-protection", value)));
    EXPECT_TRUE(is_runtime_component_creation_disabled(
        with_annotation("druid.gardener.cloud/disable-etcd-runtime-component-creation", value)));
    EXPECT_TRUE(is_unhealthy_pod_eviction_allowed(
        with_annotation("resources.druid.gardener.cloud/allow-unhealthy-pod-eviction", value)));
  }
}

TEST(Annotations, PresenceAnnotationsAbsent) {
  const ObjectMeta meta = with_annotation("druid.gardener.cloud/operation", "reconcile");
  EXPECT_FALSE(is_spec_reconcile_suspended(meta));
  EXPECT_FALSE(is_component_protection_disabled(meta));
  EXPECT_FALSE(is_runtime_component_creation_disabled(meta));
  EXPECT_FALSE(is_unhealthy_pod_eviction_allowed(meta));
}

}  // namespace
}  // namespace druid::api
