// The contract every SingleObjectComponent keeps (create owned by the Etcd,
// no write when in sync, drift repaired by one patch, error codes per
// operation, existing_names only for an object the Etcd controls, delete
// tolerating NotFound), run against each of the six components. They share
// one implementation, so one suite states the contract once; what is specific
// to a component (its goldens, special behaviour) stays in its own file.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "component/clientservice.hpp"
#include "component/create_or_patch.hpp"
#include "component/error_codes.hpp"
#include "component/peerservice.hpp"
#include "component/poddisruptionbudget.hpp"
#include "component/registry.hpp"
#include "component/role.hpp"
#include "component/rolebinding.hpp"
#include "component/serviceaccount.hpp"
#include "support/component_env.hpp"
#include "support/fixtures.hpp"
#include "util/json_access.hpp"

namespace druid::component {
namespace {

using nlohmann::json;
using test::base_etcd_json;
using test::kTestNamespace;

constexpr const char* kScrapeAnnotation =
    "networking.resources.gardener.cloud/from-all-scrape-targets-allowed-ports";

struct Contract {
  const char* name;  // the test name suffix
  ComponentPtr (*make)();
  const char* kind;
  const util::ResourceType* type;
  const char* plural;       // the resource in the server's error injection
  const char* object_name;  // literal, so a wrong name function shows
  json (*etcd)();           // the Etcd the checks run against
  json (*build)(const api::Etcd& etcd, const OperatorSettings& settings);
  const char* get_code;
  const char* sync_code;
  const char* delete_code;
  // A merge patch that changes managed fields of the synced object (a foreign
  // label is added to it by the test).
  json (*drift)(const json& desired);
  // The managed fields `drift` changes have their desired values; checked
  // after the create as well, so that it cannot pass on an object lacking them.
  ::testing::AssertionResult (*managed_fields_hold)(const json& object, const json& desired);
};

// Failure messages name the component instead of dumping the struct's bytes.
void PrintTo(const Contract& contract, std::ostream* os) {
  *os << contract.name;
}

::testing::AssertionResult holds(bool condition, const json& object, const char* what) {
  if (condition) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << what << " in " << object.dump(2);
}

const Contract kServiceAccount{
    "ServiceAccount",
    make_service_account_component,
    "ServiceAccount",
    &kube::resources::kServiceAccounts,
    "serviceaccounts",
    "etcd-main",
    [] { return base_etcd_json(); },
    build_service_account,
    error_code::kGetServiceAccount,
    error_code::kSyncServiceAccount,
    error_code::kDeleteServiceAccount,
    [](const json&) {
      return json{{"automountServiceAccountToken", false}};
    },
    [](const json& object, const json&) {
      return holds(object.value("automountServiceAccountToken", false), object,
                   "automountServiceAccountToken is not true");
    },
};

const Contract kRole{
    "Role",
    make_role_component,
    "Role",
    &kube::resources::kRoles,
    "roles",
    "druid.gardener.cloud:etcd:etcd-main",
    [] { return base_etcd_json(); },
    [](const api::Etcd& etcd, const OperatorSettings&) { return build_role(etcd); },
    error_code::kGetRole,
    error_code::kSyncRole,
    error_code::kDeleteRole,
    // Someone widens the role.
    [](const json& desired) {
      json rules = desired["rules"];
      rules[2]["verbs"].push_back("delete");
      return json{{"rules", rules}};
    },
    [](const json& object, const json& desired) {
      return holds(object["rules"] == desired["rules"] && object["rules"].size() == 3u, object,
                   "rules are not the three desired ones");
    },
};

const Contract kRoleBinding{
    "RoleBinding",
    make_role_binding_component,
    "RoleBinding",
    &kube::resources::kRoleBindings,
    "rolebindings",
    "druid.gardener.cloud:etcd:etcd-main",
    [] { return base_etcd_json(); },
    [](const api::Etcd& etcd, const OperatorSettings&) { return build_role_binding(etcd); },
    error_code::kGetRoleBinding,
    error_code::kSyncRoleBinding,
    error_code::kDeleteRoleBinding,
    // A second subject.
    [](const json& desired) {
      json subjects = desired["subjects"];
      subjects.push_back(
          {{"kind", "ServiceAccount"}, {"name", "intruder"}, {"namespace", "other"}});
      return json{{"subjects", subjects}};
    },
    [](const json& object, const json& desired) {
      return holds(object["subjects"] == desired["subjects"] &&
                       object["roleRef"]["name"] == "druid.gardener.cloud:etcd:etcd-main" &&
                       object["subjects"][0]["name"] == "etcd-main",
                   object, "roleRef/subjects are not the service account's");
    },
};

const Contract kPodDisruptionBudget{
    "PodDisruptionBudget",
    make_pod_disruption_budget_component,
    "PodDisruptionBudget",
    &kube::resources::kPodDisruptionBudgets,
    "poddisruptionbudgets",
    "etcd-main",
    [] { return base_etcd_json(3); },
    [](const api::Etcd& etcd, const OperatorSettings&) {
      return build_pod_disruption_budget(etcd);
    },
    error_code::kGetPodDisruptionBudget,
    error_code::kSyncPodDisruptionBudget,
    error_code::kDeletePodDisruptionBudget,
    // Losing the quorum and gaining a policy the Etcd did not ask for.
    [](const json&) {
      return json{{"spec", {{"minAvailable", 1}, {"unhealthyPodEvictionPolicy", "AlwaysAllow"}}}};
    },
    [](const json& object, const json&) {
      return holds(object["spec"]["minAvailable"] == 2 &&
                       !object["spec"].contains("unhealthyPodEvictionPolicy"),
                   object, "not minAvailable 2 without unhealthyPodEvictionPolicy");
    },
};

const Contract kClientService{
    "ClientService",
    make_client_service_component,
    "ClientService",
    &kube::resources::kServices,
    "services",
    "etcd-main-client",
    [] {
      json etcd = base_etcd_json();
      etcd["spec"]["etcd"]["clientService"]["annotations"] = {
          {kScrapeAnnotation, R"([{"port":2379,"protocol":"TCP"}])"},
          {"service.kubernetes.io/topology-mode", "auto"}};
      return etcd;
    },
    [](const api::Etcd& etcd, const OperatorSettings&) { return build_client_service(etcd); },
    error_code::kGetClientService,
    error_code::kSyncClientService,
    error_code::kDeleteClientService,
    // A foreign and a changed annotation, a dropped port, a traffic
    // distribution the Etcd does not ask for.
    [](const json& desired) {
      json ports = desired["spec"]["ports"];
      ports.erase(2);
      return json{
          {"metadata", {{"annotations", {{"foreign", "annotation"}, {kScrapeAnnotation, "[]"}}}}},
          {"spec", {{"ports", ports}, {"trafficDistribution", "PreferClose"}}}};
    },
    [](const json& object, const json& desired) {
      return holds(
          object["metadata"]["annotations"] == desired["metadata"]["annotations"] &&
              object["spec"]["ports"].size() == 3u &&
              !object["spec"].contains("trafficDistribution") &&
              object["spec"]["selector"]["app.kubernetes.io/component"] == "etcd-statefulset",
          object, "annotations, ports, trafficDistribution or selector not as desired");
    },
};

const Contract kPeerService{
    "PeerService",
    make_peer_service_component,
    "PeerService",
    &kube::resources::kServices,
    "services",
    "etcd-main-peer",
    [] { return base_etcd_json(); },
    [](const api::Etcd& etcd, const OperatorSettings&) { return build_peer_service(etcd); },
    error_code::kGetPeerService,
    error_code::kSyncPeerService,
    error_code::kDeletePeerService,
    [](const json&) {
      return json{{"spec",
                   {{"publishNotReadyAddresses", false},
                    {"selector", {{"app.kubernetes.io/component", nullptr}}}}}};
    },
    [](const json& object, const json&) {
      return holds(
          object["spec"]["clusterIP"] == "None" &&
              object["spec"]["publishNotReadyAddresses"] == true &&
              object["spec"]["selector"]["app.kubernetes.io/component"] == "etcd-statefulset",
          object, "not a headless Service publishing unready statefulset pods");
    },
};

class SingleObjectComponentContract : public ::testing::TestWithParam<Contract> {
 protected:
  const Contract& c() const { return GetParam(); }

  json get_object() {
    auto object = env_.cluster().get(*c().type, kTestNamespace, c().object_name);
    if (!object) ADD_FAILURE() << object.error().what();
    return object ? *object : json();
  }

  json desired(const api::Etcd& etcd) { return c().build(etcd, env_.settings()); }

  test::ComponentEnv env_;
  ComponentPtr component_ = c().make();
};

TEST_P(SingleObjectComponentContract, Kind) {
  EXPECT_EQ(component_->kind(), c().kind);
}

TEST_P(SingleObjectComponentContract, SyncCreatesTheObjectOwnedByTheEtcd) {
  const auto etcd = env_.create_etcd(c().etcd());
  auto ctx = env_.context(etcd);
  ASSERT_TRUE(component_->sync(ctx));
  const json object = get_object();
  EXPECT_TRUE(is_satisfied_by(desired(etcd), object)) << object.dump(2);
  EXPECT_TRUE(util::is_controlled_by(object, etcd.metadata.uid));
  EXPECT_TRUE(c().managed_fields_hold(object, desired(etcd)));
}

TEST_P(SingleObjectComponentContract, SecondSyncWritesNothing) {
  const auto etcd = env_.create_etcd(c().etcd());
  auto ctx = env_.context(etcd);
  ASSERT_TRUE(component_->sync(ctx));
  env_.cluster().controls().reset_counts();
  ASSERT_TRUE(component_->sync(ctx));
  EXPECT_EQ(env_.cluster().controls().write_count(), 0);
}

TEST_P(SingleObjectComponentContract, DriftIsRepairedByOnePatch) {
  const auto etcd = env_.create_etcd(c().etcd());
  auto ctx = env_.context(etcd);
  ASSERT_TRUE(component_->sync(ctx));
  json drift = c().drift(desired(etcd));
  drift["metadata"]["labels"]["foreign"] = "label";
  ASSERT_TRUE(env_.cluster().patch(*c().type, kTestNamespace, c().object_name,
                                   kube::PatchType::kMerge, drift));
  // The drift must really change a managed field, or the repair proves nothing.
  ASSERT_FALSE(c().managed_fields_hold(get_object(), desired(etcd)));

  env_.cluster().controls().reset_counts();
  ASSERT_TRUE(component_->sync(ctx));
  EXPECT_EQ(env_.cluster().controls().write_count(), 1);
  EXPECT_EQ(env_.cluster().controls().request_count("patch", c().plural), 1);
  const json object = get_object();
  EXPECT_FALSE(object["metadata"]["labels"].contains("foreign"));
  EXPECT_TRUE(c().managed_fields_hold(object, desired(etcd)));
  EXPECT_TRUE(is_satisfied_by(desired(etcd), object)) << object.dump(2);
}

TEST_P(SingleObjectComponentContract, FailedCreateIsTheSyncCode) {
  const auto etcd = env_.create_etcd(c().etcd());
  auto ctx = env_.context(etcd);
  env_.cluster().controls().fail_next("create", c().plural, 500);
  const auto result = component_->sync(ctx);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, c().sync_code);
  EXPECT_EQ(result.error().operation, Operation::kSync);
  ASSERT_TRUE(result.error().cause.has_value());
  EXPECT_EQ(result.error().cause->http_code, 500);
  EXPECT_NE(result.error().message.find(std::string(kTestNamespace) + "/" + c().object_name),
            std::string::npos)
      << result.error().message;
}

TEST_P(SingleObjectComponentContract, FailedPatchIsTheSyncCode) {
  const auto etcd = env_.create_etcd(c().etcd());
  auto ctx = env_.context(etcd);
  ASSERT_TRUE(component_->sync(ctx));
  ASSERT_TRUE(env_.cluster().patch(*c().type, kTestNamespace, c().object_name,
                                   kube::PatchType::kMerge, c().drift(desired(etcd))));
  env_.cluster().controls().fail_next("patch", c().plural, 409);
  const auto result = component_->sync(ctx);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, c().sync_code);
  EXPECT_EQ(result.error().operation, Operation::kSync);
  ASSERT_TRUE(result.error().cause.has_value());
  EXPECT_EQ(result.error().cause->http_code, 409);
  EXPECT_NE(result.error().message.find(std::string(kTestNamespace) + "/" + c().object_name),
            std::string::npos)
      << result.error().message;
}

TEST_P(SingleObjectComponentContract, ExistingNamesListsOnlyAnObjectControlledByTheEtcd) {
  const auto etcd = env_.create_etcd(c().etcd());
  auto ctx = env_.context(etcd);
  auto none = component_->existing_names(ctx);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());

  // Same name, another controller: not ours.
  json foreign = without_nulls(desired(etcd));
  foreign["metadata"]["ownerReferences"][0]["uid"] = "00000000-0000-0000-0000-000000000000";
  ASSERT_TRUE(env_.cluster().create(*c().type, kTestNamespace, foreign));
  auto still_none = component_->existing_names(ctx);
  ASSERT_TRUE(still_none);
  EXPECT_TRUE(still_none->empty());

  ASSERT_TRUE(component_->sync(ctx));  // takes it over (owner references are druid's)
  auto names = component_->existing_names(ctx);
  ASSERT_TRUE(names);
  EXPECT_EQ(*names, std::vector<std::string>{c().object_name});
}

TEST_P(SingleObjectComponentContract, FailedGetIsTheGetCode) {
  const auto etcd = env_.create_etcd(c().etcd());
  auto ctx = env_.context(etcd);
  env_.cluster().controls().fail_next("get", c().plural, 503);
  const auto names = component_->existing_names(ctx);
  ASSERT_FALSE(names);
  EXPECT_EQ(names.error().code, c().get_code);
  EXPECT_EQ(names.error().operation, Operation::kGetExistingResourceNames);
}

TEST_P(SingleObjectComponentContract, TriggerDeleteRemovesItAndToleratesNotFound) {
  const auto etcd = env_.create_etcd(c().etcd());
  auto ctx = env_.context(etcd);
  ASSERT_TRUE(component_->sync(ctx));
  ASSERT_TRUE(component_->trigger_delete(ctx));
  const auto gone = env_.cluster().get(*c().type, kTestNamespace, c().object_name);
  ASSERT_FALSE(gone);
  EXPECT_TRUE(kube::is_not_found(gone.error()));
  EXPECT_TRUE(component_->trigger_delete(ctx));
}

TEST_P(SingleObjectComponentContract, FailedDeleteIsTheDeleteCode) {
  const auto etcd = env_.create_etcd(c().etcd());
  auto ctx = env_.context(etcd);
  ASSERT_TRUE(component_->sync(ctx));
  env_.cluster().controls().fail_next("delete", c().plural, 500);
  const auto result = component_->trigger_delete(ctx);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, c().delete_code);
  EXPECT_EQ(result.error().operation, Operation::kTriggerDelete);
}

INSTANTIATE_TEST_SUITE_P(AllSingleObjectComponents, SingleObjectComponentContract,
                         ::testing::Values(kServiceAccount, kRole, kRoleBinding,
                                           kPodDisruptionBudget, kClientService, kPeerService),
                         [](const ::testing::TestParamInfo<Contract>& info) {
                           return std::string(info.param.name);
                         });

}  // namespace
}  // namespace druid::component
