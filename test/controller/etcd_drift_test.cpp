// What a user would otherwise not notice (issue 15): the status follows the
// members as they change rather than at the next status period, a managed
// object deleted by hand is named in lastErrors and a Warning Event until a
// reconcile recreates it, and a misspelt operation annotation gets one
// Warning Event. The status period here is long (1 min), so anything seen
// within the tests' bounds came from a watch, not from the periodic check.
#include <gtest/gtest.h>

#include <string>

#include "api/resources.hpp"
#include "support/cluster_simulator.hpp"
#include "support/eventually.hpp"
#include "support/fixtures.hpp"
#include "support/operator_env.hpp"

namespace druid::test {
namespace {

using kube::test::eventually;
using nlohmann::json;
using std::chrono::seconds;

controller::etcd::EtcdControllerConfig slow_status_config() {
  auto config = fast_etcd_controller_config();
  config.status_sync_period = std::chrono::minutes(1);
  return config;
}

json status_of(const json& etcd) {
  return etcd.value("status", json::object());
}

class EtcdDriftTest : public ::testing::Test {
 protected:
  std::vector<json> events_with_reason(const std::string& reason) {
    std::vector<json> found;
    for (const auto& event : env_.server().core().list_objects("events", kTestNamespace)) {
      if (event.value("reason", "") == reason) found.push_back(event);
    }
    return found;
  }

  bool ready() {
    const json status = status_of(env_.etcd());
    return status.value("ready", false) && status.value("readyReplicas", 0) == 3;
  }

  OperatorEnv env_{slow_status_config()};
};

TEST_F(EtcdDriftTest, StatusFollowsTheMembersWithoutWaitingForThePeriod) {
  env_.create_etcd(base_etcd_json(3));
  ASSERT_TRUE(env_.wait_for_last_operation("Reconcile", "Succeeded"));
  ClusterSimulator sim(env_.client());
  EXPECT_TRUE(eventually(
      [&] {
        sim.sync();
        return ready();
      },
      seconds(15)))
      << status_of(env_.etcd()).dump() << "\nsimulator: " << sim.last_error();
}

TEST_F(EtcdDriftTest, ADeletedObjectIsNamedUntilAReconcileRecreatesIt) {
  env_.create_etcd(base_etcd_json(1));
  ASSERT_TRUE(env_.wait_for_last_operation("Reconcile", "Succeeded"));
  const std::string service = std::string(kTestEtcdName) + "-client";
  // Until the operator's cache shows the reconciled generation, a reconcile
  // would still count as the first one and simply recreate the Service.
  ASSERT_TRUE(eventually([&] {
    const auto cached =
        env_.op().reader().get(api::resources::kEtcds, kTestNamespace, kTestEtcdName);
    const auto cached_service =
        env_.op().reader().get(kube::resources::kServices, kTestNamespace, service);
    return cached && *cached && status_of(**cached).value("observedGeneration", 0) == 1 &&
           cached_service && *cached_service;
  }));
  ASSERT_TRUE(env_.client().remove(kube::resources::kServices, kTestNamespace, service));

  const std::string expected = "ClientService " + std::string(kTestNamespace) + "/" + service +
                               " is missing; annotate the Etcd to recreate it: kubectl annotate "
                               "etcd " +
                               kTestEtcdName + " gardener.cloud/operation=reconcile";
  ASSERT_TRUE(eventually(
      [&] {
        const json errors = status_of(env_.etcd()).value("lastErrors", json::array());
        return errors.size() == 1 && errors[0].value("code", "") == "ERR_MANAGED_OBJECT_MISSING" &&
               errors[0].value("description", "") == expected;
      },
      seconds(15)))
      << status_of(env_.etcd()).dump();
  ASSERT_TRUE(eventually([&] { return !events_with_reason("ManagedObjectMissing").empty(); }));
  const json event = events_with_reason("ManagedObjectMissing").front();
  EXPECT_EQ(event.value("type", ""), "Warning");
  EXPECT_NE(
      event.value("message", "")
          .find("ClientService " + std::string(kTestNamespace) + "/" + service + " is missing"),
      std::string::npos)
      << event.dump();
  // lastOperation still tells of the last reconcile; it did succeed.
  EXPECT_EQ(status_of(env_.etcd())["lastOperation"].value("state", ""), "Succeeded");

  env_.patch_etcd({{"metadata", {{"annotations", {{"gardener.cloud/operation", "reconcile"}}}}}});
  EXPECT_TRUE(eventually([&] {
    return env_.get("services", service).has_value() &&
           !status_of(env_.etcd()).contains("lastErrors");
  }));
}

TEST_F(EtcdDriftTest, AMisspeltOperationAnnotationIsWarnedAboutOnce) {
  env_.config().status_sync_period = std::chrono::milliseconds(200);
  env_.stop_operator();
  env_.start_operator();
  env_.create_etcd(base_etcd_json(1));
  ASSERT_TRUE(env_.wait_for_last_operation("Reconcile", "Succeeded"));
  env_.patch_etcd({{"metadata", {{"annotations", {{"gardener.cloud/operation", "reconcle"}}}}}});
  ASSERT_TRUE(
      eventually([&] { return !events_with_reason("UnknownOperationAnnotation").empty(); }));
  const json event = events_with_reason("UnknownOperationAnnotation").front();
  EXPECT_EQ(event.value("type", ""), "Warning");
  EXPECT_NE(event.value("message", "").find("gardener.cloud/operation=\"reconcle\" is ignored"),
            std::string::npos)
      << event.dump();
  // Several periodic status checks later it is still one Event, seen once.
  const auto reconciles = env_.op().reconciles();
  ASSERT_TRUE(eventually([&] { return env_.op().reconciles() >= reconciles + 3; }));
  const auto events = events_with_reason("UnknownOperationAnnotation");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events.front().value("count", 0), 1) << events.front().dump();
  // The annotation is left for the user to fix; nothing was reconciled for it.
  EXPECT_EQ(env_.etcd()["metadata"]["annotations"].value("gardener.cloud/operation", ""),
            "reconcle");
}

}  // namespace
}  // namespace druid::test
