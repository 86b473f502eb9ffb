// The seed workflow of the user guide, with kubectl against the test API
// server and the operator running in-process: apply, track, list what it
// owns, edit + annotate, suspend.
#include <gtest/gtest.h>

#include <string>

#include "support/eventually.hpp"
#include "support/kubectl.hpp"
#include "support/operator_env.hpp"

namespace druid::test {
namespace {

using kube::test::eventually;
using nlohmann::json;

class KubectlWorkflowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!kubectl_available()) GTEST_SKIP() << "kubectl is not installed";
    kubectl_ = std::make_unique<Kubectl>(env_.server());
  }
  CommandResult kubectl(const std::string& args, const std::string& env = {}) {
    return (*kubectl_)(args, env);
  }
  // `kubectl get etcd etcd-test -o jsonpath=...`
  std::string jsonpath(const std::string& path) {
    return kubectl("get etcd etcd-test -n default -o jsonpath='" + path + "'").output;
  }

  OperatorEnv env_;
  std::unique_ptr<Kubectl> kubectl_;
};

TEST_F(KubectlWorkflowTest, ApplyTrackListEditAnnotateSuspend) {
  auto applied = kubectl("apply -f examples/etcd-minimal.yaml");
  ASSERT_EQ(applied.exit_code, 0) << applied.output;
  // No annotation is needed for the first reconcile.
  ASSERT_TRUE(eventually([&] { return jsonpath("{.status.lastOperation.state}") == "Succeeded"; },
                         std::chrono::seconds(30)));
  ASSERT_TRUE(eventually([&] { return jsonpath("{.status.observedGeneration}") == "1"; }));

  auto owned = kubectl(
      "get all,cm,role,rolebinding,lease,sa -n default "
      "--selector=app.kubernetes.io/managed-by=etcd-druid,app.kubernetes.io/part-of=etcd-test");
  ASSERT_EQ(owned.exit_code, 0) << owned.output;
  for (const char* name :
       {"service/etcd-test-client", "service/etcd-test-peer", "statefulset.apps/etcd-test",
        "configmap/etcd-test-config",
        "role.rbac.authorization.k8s.io/druid.gardener.cloud:etcd:etcd-test",
        "rolebinding.rbac.authorization.k8s.io/druid.gardener.cloud:etcd:etcd-test",
        "lease.coordination.k8s.io/etcd-test-0", "serviceaccount/etcd-test"}) {
    EXPECT_TRUE(contains(owned.output, name)) << name << "\n" << owned.output;
  }

  // Edit the spec: nothing happens until the reconcile annotation.
  auto edited = kubectl(
      "edit etcd etcd-test -n default",
      kubectl_->editor("metrics.sh", "sed -i 's/metrics: basic/metrics: extensive/' \"$1\""));
  ASSERT_EQ(edited.exit_code, 0) << edited.output;
  const auto reconciles = env_.op().reconciles();
  ASSERT_TRUE(eventually([&] { return env_.op().reconciles() >= reconciles + 2; }));
  EXPECT_EQ(jsonpath("{.status.observedGeneration}"), "1");

  auto annotated = kubectl("annotate etcd etcd-test -n default gardener.cloud/operation=reconcile");
  ASSERT_EQ(annotated.exit_code, 0) << annotated.output;
  EXPECT_TRUE(eventually([&] { return jsonpath("{.status.observedGeneration}") == "2"; },
                         std::chrono::seconds(30)));
  EXPECT_TRUE(eventually(
      [&] { return jsonpath("{.metadata.annotations.gardener\\.cloud/operation}").empty(); }));
  const auto config = env_.get("configmaps", "etcd-test-config", "default");
  ASSERT_TRUE(config);
  EXPECT_TRUE(contains((*config)["data"]["etcd.conf.yaml"], "metrics: extensive"));

  // Suspended: an annotated spec change is not applied; a warning says why.
  ASSERT_EQ(kubectl("annotate etcd etcd-test -n default "
                    "druid.gardener.cloud/suspend-etcd-spec-reconcile=true")
                .exit_code,
            0);
  const json sts_before = *env_.get("statefulsets.apps", "etcd-test", "default");
  ASSERT_EQ(kubectl("edit etcd etcd-test -n default",
                    kubectl_->editor("quota.sh", "sed -i 's/quota: 8Gi/quota: 16Gi/' \"$1\""))
                .exit_code,
            0);
  ASSERT_EQ(
      kubectl("annotate etcd etcd-test -n default gardener.cloud/operation=reconcile").exit_code,
      0);
  EXPECT_TRUE(eventually(
      [&] {
        return contains(kubectl("get events -n default").output, "SpecReconciliationSkipped");
      },
      std::chrono::seconds(20)));
  EXPECT_EQ(jsonpath("{.status.observedGeneration}"), "2");
  EXPECT_EQ(*env_.get("statefulsets.apps", "etcd-test", "default"), sts_before);
  EXPECT_EQ(jsonpath("{.metadata.annotations.gardener\\.cloud/operation}"), "reconcile");
}

}  // namespace
}  // namespace druid::test
