#include "health/statefulset_status.hpp"

#include <gtest/gtest.h>

#include "health/health_support.hpp"
#include "util/json_access.hpp"

namespace druid::health {
namespace {

using namespace testing;  // NOLINT: test builders
using nlohmann::json;

// An Etcd whose spec has (or has not) been reconciled at generation 1.
api::Etcd reconciled_etcd(int replicas, bool reconciled = true) {
  api::Etcd e = etcd(replicas);
  e.status = api::EtcdStatus{};
  e.status->observed_generation = reconciled ? 1 : 0;
  return e;
}

TEST(StatefulSetReadiness, ReadyWhenSteady) {
  EXPECT_TRUE(is_statefulset_ready(reconciled_etcd(3), read_statefulset(statefulset_json(3))));
}

TEST(StatefulSetReadiness, EachRuleCanMakeItUnready) {
  struct Case {
    const char* name;
    const char* pointer;
    json value;
  };
  const Case cases[] = {
      {"generation not observed", "/status/observedGeneration", 1},
      {"not enough ready replicas", "/status/readyReplicas", 2},
      {"revision rolling", "/status/updateRevision", "etcd-main-def"},
      {"current != updated replicas", "/status/updatedReplicas", 2},
  };
  for (const auto& c : cases) {
    json sts = statefulset_json(3);
    sts[json::json_pointer(c.pointer)] = c.value;
    EXPECT_FALSE(is_statefulset_ready(reconciled_etcd(3), read_statefulset(sts))) << c.name;
  }
}

TEST(StatefulSetReadiness, NewerObservedGenerationIsFine) {
  json sts = statefulset_json(3);
  sts["status"]["observedGeneration"] = 3;
  EXPECT_TRUE(is_statefulset_ready(reconciled_etcd(3), read_statefulset(sts)));
}

TEST(StatefulSetReadiness, ExpectedReplicasFollowTheReconciledSpec) {
  // Scaled out to 5 in the Etcd: once reconciled, 3 ready replicas are not enough.
  const json sts = statefulset_json(3);
  EXPECT_FALSE(is_statefulset_ready(reconciled_etcd(5, true), read_statefulset(sts)));
  // Not yet reconciled: the StatefulSet's own replicas count.
  EXPECT_TRUE(is_statefulset_ready(reconciled_etcd(5, false), read_statefulset(sts)));
  api::Etcd never_reconciled = etcd(5);
  EXPECT_TRUE(is_statefulset_ready(never_reconciled, read_statefulset(sts)));
}

TEST(StatefulSetReadiness, HibernatedStatefulSetIsReady) {
  json sts = statefulset_json(0);
  EXPECT_TRUE(is_statefulset_ready(reconciled_etcd(0), read_statefulset(sts)));
}

TEST(StatefulSetFacts, MissingFieldsReadAsDefaults) {
  const StatefulSetFacts facts = read_statefulset(json{{"spec", "x"}, {"status", 3}});
  EXPECT_EQ(facts.spec_replicas, 1);
  EXPECT_EQ(facts.ready_replicas, 0);
  EXPECT_TRUE(facts.volume_claim_template_names.empty());
  EXPECT_EQ(read_statefulset(json::array()).name, "");
}

TEST(StatefulSetControl, OnlyTheEtcdsControllerReferenceCounts) {
  const api::Etcd e = etcd(3);
  json sts = statefulset_json(3);
  EXPECT_TRUE(util::is_controlled_by(sts, e.metadata.uid));
  EXPECT_EQ(controlled_statefulset(&sts, e), &sts);
  sts["metadata"]["ownerReferences"][0]["uid"] = "someone-else";
  EXPECT_FALSE(util::is_controlled_by(sts, e.metadata.uid));
  EXPECT_EQ(controlled_statefulset(&sts, e), nullptr);
  sts = statefulset_json(3);
  sts["metadata"]["ownerReferences"][0]["controller"] = false;
  EXPECT_FALSE(util::is_controlled_by(sts, e.metadata.uid));
  sts["metadata"].erase("ownerReferences");
  EXPECT_FALSE(util::is_controlled_by(sts, e.metadata.uid));
  EXPECT_EQ(controlled_statefulset(nullptr, e), nullptr);
}

TEST(StatefulSetStatus, MirrorsTheControlledStatefulSet) {
  const api::Etcd e = reconciled_etcd(3);
  json sts = statefulset_json(3);
  sts["status"]["currentReplicas"] = 3;
  sts["status"]["readyReplicas"] = 2;
  sts["status"]["replicas"] = 4;
  api::EtcdStatus status;
  apply_statefulset_status(status, e, &sts);
  EXPECT_EQ(status.ready, false);
  EXPECT_EQ(status.replicas, 3);  // currentReplicas, not status.replicas
  EXPECT_EQ(status.current_replicas, 3);
  EXPECT_EQ(status.ready_replicas, 2);
  ASSERT_TRUE(status.etcd);
  EXPECT_EQ(status.etcd->api_version, "apps/v1");
  EXPECT_EQ(status.etcd->kind, "StatefulSet");
  EXPECT_EQ(status.etcd->name, "etcd-main");
}

TEST(StatefulSetStatus, ReadyStatefulSet) {
  api::EtcdStatus status;
  const json sts = statefulset_json(3);
  apply_statefulset_status(status, reconciled_etcd(3), &sts);
  EXPECT_EQ(status.ready, true);
  EXPECT_EQ(status.ready_replicas, 3);
}

TEST(StatefulSetStatus, MissingStatefulSetZeroesCountsButKeepsReplicasAndReference) {
  api::EtcdStatus status;
  status.ready = true;
  status.replicas = 3;
  status.current_replicas = 3;
  status.ready_replicas = 3;
  status.etcd = api::CrossVersionObjectReference{"StatefulSet", "etcd-main", "apps/v1", {}};
  apply_statefulset_status(status, etcd(3), nullptr);
  EXPECT_EQ(status.ready, false);
  EXPECT_EQ(status.current_replicas, 0);
  EXPECT_EQ(status.ready_replicas, 0);
  EXPECT_EQ(status.replicas, 3);
  ASSERT_TRUE(status.etcd);
  EXPECT_EQ(status.etcd->name, "etcd-main");
}

}  // namespace
}  // namespace druid::health
