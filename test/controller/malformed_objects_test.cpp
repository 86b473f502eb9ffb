// Malformed Etcds and tasks, end to end: a table of objects a cluster could be asked to hold, each
// applied with kubectl to an API server that has the Etcd CRD without CEL rules
// (config/crd/druid.gardener.cloud_etcds_without_cel.yaml, as installed on Kubernetes < 1.29), the
// operator running. Each one is either rejected by the server's schema (kubectl fails and names the
// field) or accepted and refused by the operator (lastOperation Error, lastErrors ERR_INVALID_SPEC
// naming the field, a Warning Event, nothing deployed or changed). Afterwards the work queue still
// works: a corrected Etcd and a fresh one both reach Succeeded.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "support/eventually.hpp"
#include "support/kubectl.hpp"
#include "support/operator_env.hpp"
#include "support/webhook_env.hpp"

namespace druid::test {
namespace {

using kube::test::eventually;
using nlohmann::json;

enum class Outcome {
  kRejected,  // the API server refuses it: kubectl exits non-zero, its output has `message`
  kRefused,   // stored, then refused by the operator: lastErrors has `message`
};

struct MalformedObject {
  std::string name;  // the object's name (unique per case)
  json patch;        // JSON merge patch onto the valid object of its kind
  Outcome outcome;
  std::string message;  // part of the kubectl output or of a lastErrors description
};

// A valid three-member Etcd named `name`.
json valid_etcd(const std::string& name) {
  json etcd = base_etcd_json(3);
  etcd["metadata"] = {{"name", name}, {"namespace", kTestNamespace}};
  return etcd;
}

json valid_ops_task(const std::string& name) {
  return {{"apiVersion", "druid.gardener.cloud/v1alpha1"},
          {"kind", "EtcdOpsTask"},
          {"metadata", {{"name", name}, {"namespace", kTestNamespace}}},
          {"spec",
           {{"etcdName", "etcd-main"},
            {"config", {{"onDemandSnapshot", {{"type", "full"}, {"timeoutSecondsFull", 900}}}}}}}};
}

json valid_copy_task(const std::string& name) {
  const json store = {{"provider", "Local"},
                      {"container", "default.bkp"},
                      {"prefix", "default--etcd-main"},
                      {"secretRef", {{"name", "etcd-backup"}}}};
  return {{"apiVersion", "druid.gardener.cloud/v1alpha1"},
          {"kind", "EtcdCopyBackupsTask"},
          {"metadata", {{"name", name}, {"namespace", kTestNamespace}}},
          {"spec", {{"sourceStore", store}, {"targetStore", store}, {"maxBackups", 10}}}};
}

json spec(json fields) {
  return {{"spec", std::move(fields)}};
}
json etcd_config(json fields) {
  return spec({{"etcd", std::move(fields)}});
}
json backup(json fields) {
  return spec({{"backup", std::move(fields)}});
}
json peer_urls(json entries) {
  return etcd_config({{"additionalAdvertisePeerURLs", std::move(entries)}});
}
json bootstrap(json members, json endpoints) {
  return etcd_config(
      {{"bootstrapWithExistingCluster",
        {{"members", std::move(members)}, {"clientEndpoints", std::move(endpoints)}}}});
}
json peer_tls() {
  return {{"tlsCASecretRef", {{"name", "peer-ca"}}},
          {"serverTLSSecretRef", {{"name", "peer-tls"}}}};
}

// Etcds created malformed.
std::vector<MalformedObject> malformed_etcds() {
  const auto R = Outcome::kRejected;
  const auto F = Outcome::kRefused;
  return {
      // The schema, which every server enforces.
      {"replicas-string", spec({{"replicas", "three"}}), R, "spec.replicas"},
      {"replicas-fraction", spec({{"replicas", 1.5}}), R, "spec.replicas"},
      {"no-etcd-section", spec({{"etcd", nullptr}}), R, "spec.etcd"},
      {"no-backup-section", spec({{"backup", nullptr}}), R, "spec.backup"},
      {"labels-not-a-map", spec({{"labels", "app"}}), R, "spec.labels"},
      {"storage-capacity-words", spec({{"storageCapacity", "ten gigs"}}), R,
       "spec.storageCapacity"},
      {"quota-not-a-quantity", etcd_config({{"quota", "huge"}}), R, "spec.etcd.quota"},
      {"metrics-level-unknown", etcd_config({{"metrics", "verbose"}}), R, "spec.etcd.metrics"},
      {"client-port-string", etcd_config({{"clientPort", "http"}}), R, "spec.etcd.clientPort"},
      {"cpu-request-words", etcd_config({{"resources", {{"requests", {{"cpu", "lots"}}}}}}), R,
       "spec.etcd.resources.requests"},
      {"defrag-timeout-words", etcd_config({{"etcdDefragTimeout", "soon"}}), R,
       "spec.etcd.etcdDefragTimeout"},
      {"defrag-schedule-words", etcd_config({{"defragmentationSchedule", "every night"}}), R,
       "spec.etcd.defragmentationSchedule"},
      {"peer-tls-without-ca",
       etcd_config({{"peerUrlTls", {{"serverTLSSecretRef", {{"name", "x"}}}}}}), R,
       "spec.etcd.peerUrlTls.tlsCASecretRef"},
      {"delta-period-words", backup({{"deltaSnapshotPeriod", "5 minutes"}}), R,
       "spec.backup.deltaSnapshotPeriod"},
      {"full-schedule-words", backup({{"fullSnapshotSchedule", "hourly-ish"}}), R,
       "spec.backup.fullSnapshotSchedule"},
      {"gc-policy-unknown", backup({{"garbageCollectionPolicy", "Forever"}}), R,
       "spec.backup.garbageCollectionPolicy"},
      {"compression-policy-unknown",
       backup({{"compression", {{"enabled", true}, {"policy", "zip"}}}}), R,
       "spec.backup.compression.policy"},
      {"store-without-prefix", backup({{"store", {{"provider", "aws"}, {"container", "b"}}}}), R,
       "spec.backup.store.prefix"},
      {"store-container-too-long",
       backup({{"store", {{"prefix", "p"}, {"container", std::string(64, 'c')}}}}), R,
       "spec.backup.store.container"},
      {"auto-compaction-mode-unknown",
       spec({{"sharedConfig", {{"autoCompactionMode", "sometimes"}}}}), R,
       "spec.sharedConfig.autoCompactionMode"},
      // kubectl asks for strict field validation: a misspelt field is an error, not dropped.
      {"field-misspelt", etcd_config({{"qouta", "8Gi"}}), R,
       "strict decoding error: unknown field \"spec.etcd.qouta\""},
      {"member-name-prefix-uppercase", spec({{"memberNamePrefix", "Main"}}), R,
       "spec.memberNamePrefix"},
      {"peer-urls-duplicate",
       peer_urls(json::array({{{"memberName", "peer-urls-duplicate-0"},
                               {"urls", json::array({"http://a:2380", "http://a:2380"})}}})),
       R, "spec.etcd.additionalAdvertisePeerURLs[0].urls[1]"},
      {"peer-urls-without-member",
       peer_urls(json::array({{{"urls", json::array({"http://a:2380"})}}})), R,
       "spec.etcd.additionalAdvertisePeerURLs[0].memberName"},
      {"priority-class-number", spec({{"priorityClassName", 5}}), R, "spec.priorityClassName"},
      {"Uppercase-Name", json::object(), R, "metadata.name"},

      // The CEL rules, which a server with the CRD without CEL does not run.
      {"gc-period-below-delta",
       backup({{"deltaSnapshotPeriod", "5m"}, {"garbageCollectionPeriod", "1m"}}), F,
       "spec.backup: Invalid value: \"object\": etcd.spec.backup.garbageCollectionPeriod must be "
       "greater than etcd.spec.backup.deltaSnapshotPeriod"},
      {"gc-period-equals-delta",
       backup({{"deltaSnapshotPeriod", "60s"}, {"garbageCollectionPeriod", "1m"}}), F,
       "etcd.spec.backup.garbageCollectionPeriod must be greater than"},
      {"endpoint-override-not-url",
       backup({{"store", {{"prefix", "p"}, {"endpointOverride", "not a url"}}}}), F,
       "spec.backup.store.endpointOverride: Invalid value: \"string\": endpoint override must be "
       "a valid URL."},
      {"peer-url-member-foreign",
       peer_urls(
           json::array({{{"memberName", "other-0"}, {"urls", json::array({"http://a:2380"})}}})),
       F, "additionalAdvertisePeerURLs member names must start with the Etcd resource name"},
      {"peer-url-member-index",
       peer_urls(json::array({{{"memberName", "peer-url-member-index-5"},
                               {"urls", json::array({"http://a:2380"})}}})),
       F, "additionalAdvertisePeerURLs member name index must be less than replicas"},
      {"peer-url-not-url",
       peer_urls(json::array({{{"memberName", "peer-url-not-url-0"},
                               {"urls", json::array({"http://exa mple:2380"})}}})),
       F,
       "spec.etcd.additionalAdvertisePeerURLs[0].urls[0]: Invalid value: \"string\": must be a "
       "valid http:// or https:// URL"},
      {"peer-url-ftp",
       peer_urls(json::array(
           {{{"memberName", "peer-url-ftp-0"}, {"urls", json::array({"ftp://a:2380"})}}})),
       F, "when peerUrlTls is not enabled, all additional advertise peer URLs must use http://"},
      {"peer-url-http-with-tls",
       etcd_config({{"peerUrlTls", peer_tls()},
                    {"additionalAdvertisePeerURLs",
                     json::array({{{"memberName", "peer-url-http-with-tls-0"},
                                   {"urls", json::array({"http://a:2380"})}}})}}),
       F, "when peerUrlTls is enabled, all additional advertise peer URLs must use https://"},
      {"bootstrap-https-members",
       bootstrap(json::array({{{"name", "old-0"}, {"peerUrls", json::array({"https://o:2380"})}}}),
                 json::array({"http://o:2379"})),
       F,
       "when peerUrlTls is not enabled, all bootstrapWithExistingCluster member peer URLs must "
       "use http://"},
      {"bootstrap-https-endpoints",
       bootstrap(json::array({{{"name", "old-0"}, {"peerUrls", json::array({"http://o:2380"})}}}),
                 json::array({"https://o:2379"})),
       F,
       "when clientUrlTls is not enabled, all bootstrapWithExistingCluster clientEndpoints must "
       "use http://"},
      {"bootstrap-duplicate-members",
       bootstrap(json::array({{{"name", "old-0"}, {"peerUrls", json::array({"http://o:2380"})}},
                              {{"name", "old-0"}, {"peerUrls", json::array({"http://p:2380"})}}}),
                 json::array({"http://o:2379"})),
       F, "bootstrapWithExistingCluster.members[*].name must be unique"},
      {"bootstrap-member-collides",
       bootstrap(json::array({{{"name", "bootstrap-member-collides-0"},
                               {"peerUrls", json::array({"http://o:2380"})}}}),
                 json::array({"http://o:2379"})),
       F, "must not collide with a target member"},
      {"bootstrap-url-not-url",
       bootstrap(json::array({{{"name", "old-0"}, {"peerUrls", json::array({"http://o o:2380"})}}}),
                 json::array({"http://o:2379"})),
       F,
       "spec.etcd.bootstrapWithExistingCluster.members[0].peerUrls[0]: Invalid value: "
       "\"string\": must be a valid http:// or https:// URL"},
      {"prefix-peer-url-member",
       json{{"spec",
             {{"memberNamePrefix", "main"},
              {"etcd",
               {{"additionalAdvertisePeerURLs",
                 json::array({{{"memberName", "prefix-peer-url-member-0"},
                               {"urls", json::array({"http://a:2380"})}}})}}}}}},
       F, "additionalAdvertisePeerURLs member names must start with the Etcd resource name"},
  };
}

// Changes to a deployed three-member Etcd that CEL's transition rules forbid.
std::vector<MalformedObject> forbidden_changes() {
  const auto F = Outcome::kRefused;
  return {
      {"scaled-to-one", spec({{"replicas", 1}}), F,
       "spec.replicas: Invalid value: \"integer\": Replicas can either be increased or be "
       "downscaled to 0."},
      {"scaled-to-two", spec({{"replicas", 2}}), F, "Replicas can either be increased"},
      {"storage-class-set", spec({{"storageClass", "fast"}}), F,
       "spec.storageClass: Invalid value: \"string\": etcd.spec.storageClass is an immutable "
       "field"},
      {"claim-template-renamed", spec({{"volumeClaimTemplate", "data"}}), F,
       "etcd.spec.VolumeClaimTemplate is an immutable field"},
      {"member-prefix-set", spec({{"memberNamePrefix", "main"}}), F,
       "spec.memberNamePrefix: Invalid value: \"string\": etcd.spec.memberNamePrefix is an "
       "immutable field"},
  };
}

// Tasks (their CRDs have no variant without CEL; the server runs their rules).
std::vector<std::pair<json, MalformedObject>> malformed_tasks() {
  const auto R = Outcome::kRejected;
  auto ops = [](const std::string& name, json patch, std::string message) {
    return std::pair{valid_ops_task(name), MalformedObject{name, std::move(patch), R, message}};
  };
  auto copy = [](const std::string& name, json patch, std::string message) {
    return std::pair{valid_copy_task(name), MalformedObject{name, std::move(patch), R, message}};
  };
  return {
      ops("ops-type-unknown", spec({{"config", {{"onDemandSnapshot", {{"type", "incremental"}}}}}}),
          "spec.config.onDemandSnapshot.type"),
      ops("ops-timeout-short",
          spec({{"config", {{"onDemandSnapshot", {{"timeoutSecondsFull", 5}}}}}}),
          "spec.config.onDemandSnapshot.timeoutSecondsFull"),
      ops("ops-final-delta",
          spec({{"config", {{"onDemandSnapshot", {{"type", "delta"}, {"isFinal", true}}}}}}),
          "isFinal must be false (or omitted) when type is 'delta'"),
      ops("ops-without-config", spec({{"config", nullptr}}), "spec.config"),
      ops("ops-ttl-string", spec({{"ttlSecondsAfterFinished", "an hour"}}),
          "spec.ttlSecondsAfterFinished"),
      copy("copy-max-backups-words", spec({{"maxBackups", "ten"}}), "spec.maxBackups"),
      copy("copy-wait-timeout-words",
           spec({{"waitForFinalSnapshot", {{"enabled", true}, {"timeout", "10 minutes"}}}}),
           "spec.waitForFinalSnapshot.timeout"),
      copy("copy-source-without-prefix", spec({{"sourceStore", {{"prefix", nullptr}}}}),
           "spec.sourceStore.prefix"),
      copy("copy-target-container-too-long",
           spec({{"targetStore", {{"container", std::string(64, 'c')}}}}),
           "spec.targetStore.container"),
  };
}

class MalformedObjectsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!kubectl_available()) GTEST_SKIP() << "kubectl is not installed";
    kubectl_ = std::make_unique<Kubectl>(env_.server());
  }

  // `kubectl apply` of `object` (written to a file, as a user's manifest).
  CommandResult apply(const json& object) {
    const auto path = dir_ / (object["metadata"].value("name", "object") + ".json");
    std::ofstream(path) << object.dump(2);
    return (*kubectl_)("apply -f '" + path.string() + "'");
  }

  // The lastErrors descriptions of Etcd `name`, one per line.
  std::string last_errors(const std::string& name) {
    std::string text;
    const auto etcd = env_.etcd(name);
    for (const auto& error :
         etcd.value("status", json::object()).value("lastErrors", json::array())) {
      text += error.value("code", "") + " " + error.value("description", "") + "\n";
    }
    return text;
  }
  bool refused(const std::string& name) {
    const auto etcd = env_.etcd(name);
    const auto operation =
        etcd.value("status", json::object()).value("lastOperation", json::object());
    return operation.value("state", "") == "Error" &&
           contains(last_errors(name), "ERR_INVALID_SPEC [Operation: ValidateSpec");
  }

  OperatorEnv env_{fast_etcd_controller_config(), true,
                   druid::testing::TestApiServer::CrdRules::kWithoutCel};
  std::unique_ptr<Kubectl> kubectl_;
  webhook::test::TempDir dir_{"malformed"};
};

TEST_F(MalformedObjectsTest, EveryMalformedObjectGetsAClearOutcomeAndTheQueueKeepsWorking) {
  const auto etcds = malformed_etcds();
  const auto changes = forbidden_changes();
  const auto tasks = malformed_tasks();
  ASSERT_GE(etcds.size() + changes.size() + tasks.size(), 50u);

  // Deployed Etcds for the forbidden changes.
  for (const auto& change : changes) {
    const auto applied = apply(valid_etcd(change.name));
    ASSERT_EQ(applied.exit_code, 0) << change.name << ": " << applied.output;
  }
  for (const auto& change : changes) {
    ASSERT_TRUE(env_.wait_for_last_operation("Reconcile", "Succeeded", std::chrono::seconds(30),
                                             change.name))
        << change.name;
  }

  for (const auto& malformed : etcds) {
    json etcd = valid_etcd(malformed.name);
    etcd.merge_patch(malformed.patch);
    const auto applied = apply(etcd);
    if (malformed.outcome == Outcome::kRejected) {
      EXPECT_NE(applied.exit_code, 0) << malformed.name << " was accepted";
      EXPECT_TRUE(contains(applied.output, malformed.message))
          << malformed.name << ": " << applied.output;
      EXPECT_FALSE(env_.get("etcds.druid.gardener.cloud", malformed.name)) << malformed.name;
    } else {
      EXPECT_EQ(applied.exit_code, 0) << malformed.name << ": " << applied.output;
    }
  }
  for (const auto& change : changes) {
    json etcd = valid_etcd(change.name);
    etcd.merge_patch(change.patch);
    etcd["metadata"]["annotations"] = {{"gardener.cloud/operation", "reconcile"}};
    const auto applied = apply(etcd);
    EXPECT_EQ(applied.exit_code, 0) << change.name << ": " << applied.output;
  }
  for (const auto& [valid, malformed] : tasks) {
    json task = valid;
    task.merge_patch(malformed.patch);
    const auto applied = apply(task);
    EXPECT_NE(applied.exit_code, 0) << malformed.name << " was accepted";
    EXPECT_TRUE(contains(applied.output, malformed.message))
        << malformed.name << ": " << applied.output;
  }

  // What the operator did with what the server stored.
  std::vector<MalformedObject> stored;
  for (const auto& malformed : etcds) {
    if (malformed.outcome == Outcome::kRefused) stored.push_back(malformed);
  }
  stored.insert(stored.end(), changes.begin(), changes.end());
  for (const auto& malformed : stored) {
    EXPECT_TRUE(eventually([&] { return refused(malformed.name); }, std::chrono::seconds(30)))
        << malformed.name << ": " << env_.etcd(malformed.name).dump();
    EXPECT_TRUE(contains(last_errors(malformed.name), malformed.message))
        << malformed.name << ":\n"
        << last_errors(malformed.name);
    EXPECT_TRUE(env_.has_event_eventually(
        "Warning InvalidSpec: Etcd " + std::string(kTestNamespace) + "/" + malformed.name,
        malformed.name))
        << malformed.name;
  }
  for (const auto& malformed : etcds) {
    if (malformed.outcome != Outcome::kRefused) continue;
    EXPECT_FALSE(env_.get("statefulsets.apps", malformed.name)) << malformed.name;
    EXPECT_FALSE(env_.get("configmaps", malformed.name + "-config")) << malformed.name;
  }
  // The deployed clusters are as they were: three replicas, the first claim template.
  for (const auto& change : changes) {
    const auto statefulset = env_.get("statefulsets.apps", change.name);
    ASSERT_TRUE(statefulset) << change.name;
    EXPECT_EQ((*statefulset)["spec"]["replicas"], 3) << change.name;
    const auto& claim = (*statefulset)["spec"]["volumeClaimTemplates"][0];
    EXPECT_EQ(claim["metadata"]["name"], change.name) << change.name;
    EXPECT_FALSE(claim["spec"].contains("storageClassName")) << change.name;
    const auto etcd = env_.etcd(change.name);
    EXPECT_EQ(etcd["status"]["observedGeneration"], 1) << change.name;
  }

  // A refused finding is recorded once: status checks that find it again write nothing.
  const auto version = env_.etcd("scaled-to-one")["metadata"]["resourceVersion"];
  const auto reconciles = env_.op().reconciles();
  ASSERT_TRUE(eventually([&] { return env_.op().reconciles() >= reconciles + 10; }));
  EXPECT_EQ(env_.etcd("scaled-to-one")["metadata"]["resourceVersion"], version);

  // Corrected, it is applied; a new valid Etcd is reconciled as always.
  json corrected = valid_etcd("gc-period-below-delta");
  corrected["spec"]["backup"] = {{"deltaSnapshotPeriod", "1m"}, {"garbageCollectionPeriod", "5m"}};
  ASSERT_EQ(apply(corrected).exit_code, 0);
  EXPECT_TRUE(env_.wait_for_last_operation("Reconcile", "Succeeded", std::chrono::seconds(30),
                                           "gc-period-below-delta"));
  EXPECT_TRUE(last_errors("gc-period-below-delta").empty());
  ASSERT_EQ(apply(valid_etcd("after-the-table")).exit_code, 0);
  EXPECT_TRUE(env_.wait_for_last_operation("Reconcile", "Succeeded", std::chrono::seconds(30),
                                           "after-the-table"));
}

}  // namespace
}  // namespace druid::test
