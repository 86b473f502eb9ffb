#include "api/validation/etcd_validation.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "api/cron.hpp"
#include "api/duration.hpp"
#include "api/validation/schema_rules.hpp"
#include "util/yaml.hpp"

namespace druid::api::validation {
namespace {

using nlohmann::json;
using Messages = std::vector<std::string>;

const std::string kNotChecked =
    "<nil>: Invalid value: \"null\": some validation rules were not checked because the object "
    "was invalid; correct the existing errors to complete validation";

json minimal_etcd() {
  return json::parse(R"({
    "apiVersion": "druid.gardener.cloud/v1alpha1", "kind": "Etcd",
    "metadata": {"name": "etcd-main", "namespace": "default"},
    "spec": {"replicas": 3, "labels": {"app": "etcd"}, "etcd": {}, "backup": {}}
  })");
}

json with(json object, const char* pointer, json value) {
  object[json::json_pointer(pointer)] = std::move(value);
  return object;
}

json without(json object, const char* pointer) {
  const json::json_pointer p(pointer);
  object[p.parent_pointer()].erase(p.back());
  return object;
}

Messages messages(const FieldErrors& errors) {
  Messages out;
  for (const auto& e : errors) out.push_back(e.message());
  return out;
}

Messages create(const json& etcd) {
  return messages(validate_etcd(etcd));
}
Messages update(const json& new_etcd, const json& old_etcd) {
  return messages(validate_etcd_update(new_etcd, old_etcd));
}

std::string pattern_message(const std::string& path, const std::string& value,
                            const std::string& pattern) {
  return path + ": Invalid value: \"" + value + "\": " + path + " in body should match '" +
         pattern + "'";
}

json peer_urls(const std::string& member, std::vector<std::string> urls) {
  return json::array({{{"memberName", member}, {"urls", urls}}});
}

json bootstrap(std::vector<std::pair<std::string, std::vector<std::string>>> members,
               std::vector<std::string> client_endpoints) {
  json list = json::array();
  for (auto& [name, urls] : members) list.push_back({{"name", name}, {"peerUrls", urls}});
  return {{"members", list}, {"clientEndpoints", client_endpoints}};
}

json tls(const char* name) {
  return {{"tlsCASecretRef", {{"name", std::string("ca-") + name}}},
          {"serverTLSSecretRef", {{"name", std::string("server-") + name}}}};
}

// ---------------------------------------------------------------------------
// Valid objects

TEST(EtcdValidation, MinimalEtcdIsValid) {
  EXPECT_EQ(create(minimal_etcd()), Messages{});
}

TEST(EtcdValidation, MultiNodeTlsExampleIsValid) {
  std::ifstream in(std::string(DRUID_SOURCE_DIR) + "/examples/etcd-multinode-tls.yaml");
  ASSERT_TRUE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  auto etcd = util::parse_yaml(text.str());
  ASSERT_TRUE(etcd.has_value()) << etcd.error().message();
  EXPECT_EQ(create(*etcd), Messages{});
  EXPECT_EQ(update(*etcd, *etcd), Messages{});
}

TEST(EtcdValidation, FullEtcdWithEveryRuleSatisfiedIsValid) {
  auto etcd = json::parse(R"({
    "apiVersion": "druid.gardener.cloud/v1alpha1", "kind": "Etcd",
    "metadata": {"name": "etcd-main", "namespace": "shoot--a--b"},
    "spec": {
      "replicas": 3, "labels": {"app": "etcd"}, "memberNamePrefix": "main",
      "storageClass": "gp3", "storageCapacity": 26843545600, "volumeClaimTemplate": "main-etcd",
      "etcd": {
        "quota": "8Gi", "metrics": "extensive", "defragmentationSchedule": "0 */12 * * *",
        "etcdDefragTimeout": "15m", "heartbeatDuration": "10s",
        "backendBboltFreelistType": "map",
        "clientService": {"trafficDistribution": "PreferSameZone"},
        "resources": {"requests": {"cpu": "50m", "memory": 134217728}},
        "clientUrlTls": {"tlsCASecretRef": {"name": "ca", "dataKey": "bundle.crt"},
                         "serverTLSSecretRef": {"name": "server"},
                         "clientTLSSecretRef": {"name": "client"}},
        "peerUrlTls": {"tlsCASecretRef": {"name": "ca-peer"}, "serverTLSSecretRef": {"name": "p"}},
        "additionalAdvertisePeerURLs": [
          {"memberName": "main-etcd-main-0", "urls": ["https://10.0.0.1:2380"]},
          {"memberName": "main-etcd-main-2", "urls": ["https://10.0.0.3:2380", "https://[::1]:2380"]}
        ],
        "bootstrapWithExistingCluster": {
          "members": [{"name": "src-0", "peerUrls": ["https://10.1.0.1:2380"]},
                      {"name": "etcd-main-0", "peerUrls": ["https://10.1.0.2:2380"]}],
          "clientEndpoints": ["https://etcd-source-client.source-ns.svc:2379"]
        }
      },
      "backup": {
        "port": 8080, "tls": {"tlsCASecretRef": {"name": "ca"}, "serverTLSSecretRef": {"name": "s"}},
        "store": {"provider": "S3", "prefix": "shoot--a--b/etcd-main", "container": "bucket-1",
                  "endpointOverride": "https://s3.example.com:9000", "secretRef": {"name": "b"}},
        "fullSnapshotSchedule": "0 0 * * *", "garbageCollectionPolicy": "LimitBased",
        "maxBackupsLimitBasedGC": 7, "garbageCollectionPeriod": "12h",
        "deltaSnapshotPeriod": "5m", "deltaSnapshotMemoryLimit": "100Mi",
        "deltaSnapshotRetentionPeriod": "24h", "etcdSnapshotTimeout": "15m",
        "compression": {"enabled": true, "policy": "zlib"},
        "leaderElection": {"reelectionPeriod": "5s", "etcdConnectionTimeout": "5s"},
        "snapshotCompaction": {"eventsThreshold": 1000000,
                               "resources": {"limits": {"memory": "1Gi"}}}
      },
      "sharedConfig": {"autoCompactionMode": "revision", "autoCompactionRetention": "1000"}
    }
  })");
  EXPECT_EQ(create(etcd), Messages{});
  EXPECT_EQ(update(etcd, etcd), Messages{});
}

TEST(EtcdValidation, UnknownFieldsAndNullsAreIgnoredLikeOnTheServer) {
  auto etcd = with(minimal_etcd(), "/spec/futureField", json{{"x", 1}});
  etcd = with(etcd, "/spec/storageClass", nullptr);
  etcd = with(etcd, "/spec/etcd/metrics", nullptr);
  EXPECT_EQ(create(etcd), Messages{});
}

TEST(EtcdValidation, StatusIsNotValidatedOnCreate) {
  // The main resource endpoint drops the status of a new object.
  auto etcd = with(minimal_etcd(), "/status",
                   json{{"conditions", json{{{"type", "Ready"}}}}, {"replicas", -1}});
  EXPECT_EQ(create(etcd), Messages{});
}

TEST(EtcdValidation, MalformedInputIsReportedNeverThrown) {
  const std::vector<json> inputs{
      json::array(),
      json("etcd"),
      json::object(),
      with(minimal_etcd(), "/spec", json::array()),
      with(minimal_etcd(), "/spec/etcd", "x"),
      with(minimal_etcd(), "/spec/etcd/additionalAdvertisePeerURLs", json{1, "a", nullptr}),
      with(minimal_etcd(), "/spec/etcd/additionalAdvertisePeerURLs",
           json::array({{{"memberName", 7}, {"urls", "http://a"}}})),
      with(minimal_etcd(), "/spec/etcd/bootstrapWithExistingCluster", json{{"members", {{1}}}}),
      with(minimal_etcd(), "/spec/etcd/resources", json{{"limits", json::array()}}),
      with(minimal_etcd(), "/spec/replicas", 1e300),
      with(minimal_etcd(), "/metadata", 5),
  };
  for (const auto& input : inputs) {
    FieldErrors errors;
    EXPECT_NO_THROW(errors = validate_etcd(input)) << input.dump();
    EXPECT_FALSE(errors.empty()) << input.dump();
    EXPECT_NO_THROW(validate_etcd_update(input, minimal_etcd())) << input.dump();
    EXPECT_NO_THROW(validate_etcd_update(minimal_etcd(), input)) << input.dump();
  }
}

// ---------------------------------------------------------------------------
// Type meta and metadata

TEST(EtcdValidation, WrongKindIsTheOnlyError) {
  auto etcd = without(with(minimal_etcd(), "/kind", "EtcdCluster"), "/spec/replicas");
  EXPECT_EQ(create(etcd), Messages{"kind: Invalid value: \"EtcdCluster\": must be Etcd"});
}

TEST(EtcdValidation, NameMustBeADnsSubdomain) {
  EXPECT_EQ(create(with(minimal_etcd(), "/metadata/name", "etcd-main.v2")), Messages{});
  EXPECT_EQ(
      create(with(minimal_etcd(), "/metadata/name", "Bad_Name")),
      Messages{"metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must "
               "consist of lower case alphanumeric characters, '-' or '.', and must start and end "
               "with an alphanumeric character (e.g. 'example.com', regex used for validation is "
               "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"});
}

TEST(EtcdValidation, NameOrGenerateNameIsRequired) {
  EXPECT_EQ(
      create(without(minimal_etcd(), "/metadata/name")),
      (Messages{"metadata.name: Required value: name or generateName is required", kNotChecked}));
  auto generated =
      with(without(minimal_etcd(), "/metadata/name"), "/metadata/generateName", "etcd-");
  EXPECT_EQ(create(generated), Messages{});
}

TEST(EtcdValidation, NameIsImmutable) {
  auto before = minimal_etcd();
  EXPECT_EQ(update(with(before, "/metadata/name", "etcd-other"), before),
            Messages{"metadata.name: Invalid value: \"etcd-other\": field is immutable"});
}

// ---------------------------------------------------------------------------
// Types and required fields

TEST(EtcdValidation, RequiredSpecFields) {
  EXPECT_EQ(create(without(minimal_etcd(), "/spec/replicas")),
            (Messages{"spec.replicas: Required value", kNotChecked}));
  EXPECT_EQ(create(with(minimal_etcd(), "/spec/labels", nullptr)),
            (Messages{"spec.labels: Required value", kNotChecked}));
}

TEST(EtcdValidation, TlsConfigNeedsCaAndServerSecrets) {
  EXPECT_EQ(create(with(minimal_etcd(), "/spec/etcd/clientUrlTls", tls("client"))), Messages{});
  auto etcd =
      with(minimal_etcd(), "/spec/etcd/clientUrlTls", json{{"tlsCASecretRef", {{"name", "ca"}}}});
  etcd = with(etcd, "/spec/backup/tls", json{{"serverTLSSecretRef", {{"name", "s"}}}});
  EXPECT_EQ(create(etcd),
            (Messages{"spec.etcd.clientUrlTls.serverTLSSecretRef: Required value",
                      "spec.backup.tls.tlsCASecretRef: Required value", kNotChecked}));
}

TEST(EtcdValidation, StorePrefixIsRequired) {
  EXPECT_EQ(create(with(minimal_etcd(), "/spec/backup/store", json{{"prefix", "p"}})), Messages{});
  EXPECT_EQ(create(with(minimal_etcd(), "/spec/backup/store", json{{"provider", "S3"}})),
            (Messages{"spec.backup.store.prefix: Required value", kNotChecked}));
}

TEST(EtcdValidation, TypeErrorsBlockTheRulesAndTheScaleSubresourceReadsReplicas) {
  EXPECT_EQ(
      create(with(minimal_etcd(), "/spec/replicas", "3")),
      (Messages{"spec.replicas: Invalid value: \"string\": spec.replicas in body must be of "
                "type integer: \"string\"",
                ".spec.replicas: Invalid value: 0: .spec.replicas accessor error: 3 is of the "
                "type string, expected int64",
                kNotChecked}));
}

TEST(EtcdValidation, ReplicasMustNotBeNegative) {
  EXPECT_EQ(create(with(minimal_etcd(), "/spec/replicas", 0)), Messages{});
  EXPECT_EQ(create(with(minimal_etcd(), "/spec/replicas", -1)),
            Messages{".spec.replicas: Invalid value: -1: should be a non-negative integer"});
}

TEST(EtcdValidation, WithoutSpecTheRootRulesCannotBeEvaluated) {
  // The CRD does not require spec, but every rule on the object reads it.
  const std::string prefix =
      "<nil>: Invalid value: \"object\": no such key: spec evaluating rule: ";
  EXPECT_EQ(
      create(without(minimal_etcd(), "/spec")),
      (Messages{prefix + "additionalAdvertisePeerURLs member names must start with the Etcd "
                         "resource name followed by a dash",
                prefix + "additionalAdvertisePeerURLs member name index must be less than replicas",
                prefix + "bootstrapWithExistingCluster.members[*].name must be unique",
                prefix + "bootstrapWithExistingCluster.members[*].name must not collide with a "
                         "target member (must not start with the target Etcd's member-name "
                         "prefix)"}));
  // On update only the root rules are about spec; spec's own rules have no node.
  EXPECT_EQ(update(without(minimal_etcd(), "/spec"), minimal_etcd()).size(), 4u);
}

// ---------------------------------------------------------------------------
// Patterns, enums, lengths

TEST(EtcdValidation, MemberNamePrefixPatternAndLength) {
  EXPECT_EQ(create(with(minimal_etcd(), "/spec/memberNamePrefix", "main-1")), Messages{});
  EXPECT_EQ(create(with(minimal_etcd(), "/spec/memberNamePrefix", "Main")),
            Messages{pattern_message("spec.memberNamePrefix", "Main", kDns1123LabelPattern)});
  EXPECT_EQ(create(with(minimal_etcd(), "/spec/memberNamePrefix", std::string(64, 'a'))),
            (Messages{"spec.memberNamePrefix: Too long: may not be longer than 63", kNotChecked}));
}

TEST(EtcdValidation, CronSchedules) {
  auto etcd = with(minimal_etcd(), "/spec/etcd/defragmentationSchedule", "0 */24 * * *");
  etcd = with(etcd, "/spec/backup/fullSnapshotSchedule", "*/30 * * * *");
  EXPECT_EQ(create(etcd), Messages{});
  etcd = with(etcd, "/spec/etcd/defragmentationSchedule", "@daily");
  etcd = with(etcd, "/spec/backup/fullSnapshotSchedule", "61 * * * *");
  EXPECT_EQ(
      create(etcd),
      (Messages{
          pattern_message("spec.etcd.defragmentationSchedule", "@daily", kCrdCronPattern),
          pattern_message("spec.backup.fullSnapshotSchedule", "61 * * * *", kCrdCronPattern)}));
}

TEST(EtcdValidation, DurationsFollowTheCrdPattern) {
  const std::vector<std::pair<const char*, const char*>> fields{
      {"/spec/etcd/etcdDefragTimeout", "spec.etcd.etcdDefragTimeout"},
      {"/spec/etcd/heartbeatDuration", "spec.etcd.heartbeatDuration"},
      {"/spec/backup/garbageCollectionPeriod", "spec.backup.garbageCollectionPeriod"},
      {"/spec/backup/deltaSnapshotPeriod", "spec.backup.deltaSnapshotPeriod"},
      {"/spec/backup/deltaSnapshotRetentionPeriod", "spec.backup.deltaSnapshotRetentionPeriod"},
      {"/spec/backup/etcdSnapshotTimeout", "spec.backup.etcdSnapshotTimeout"},
      {"/spec/backup/leaderElection/reelectionPeriod",
       "spec.backup.leaderElection.reelectionPeriod"},
      {"/spec/backup/leaderElection/etcdConnectionTimeout",
       "spec.backup.leaderElection.etcdConnectionTimeout"},
  };
  for (const auto& [pointer, path] : fields) {
    EXPECT_EQ(create(with(minimal_etcd(), pointer, "1h30m0.5s")), Messages{}) << path;
    EXPECT_EQ(create(with(minimal_etcd(), pointer, "10d")),
              Messages{pattern_message(path, "10d", kCrdDurationPattern)});
  }
}

TEST(EtcdValidation, QuantitiesFollowThePatternWhenStrings) {
  const std::vector<std::pair<const char*, const char*>> fields{
      {"/spec/storageCapacity", "spec.storageCapacity"},
      {"/spec/etcd/quota", "spec.etcd.quota"},
      {"/spec/backup/deltaSnapshotMemoryLimit", "spec.backup.deltaSnapshotMemoryLimit"},
      {"/spec/etcd/resources/limits/memory", "spec.etcd.resources.limits.memory"},
      {"/spec/backup/resources/requests/cpu", "spec.backup.resources.requests.cpu"},
      {"/spec/backup/snapshotCompaction/resources/limits/cpu",
       "spec.backup.snapshotCompaction.resources.limits.cpu"},
  };
  for (const auto& [pointer, path] : fields) {
    EXPECT_EQ(create(with(minimal_etcd(), pointer, "16Gi")), Messages{}) << path;
    EXPECT_EQ(create(with(minimal_etcd(), pointer, 1024)), Messages{}) << path;
    EXPECT_EQ(create(with(minimal_etcd(), pointer, "16GB")),
              Messages{pattern_message(path, "16GB", kQuantityPattern)});
  }
}

TEST(EtcdValidation, ResourceQuantitiesMustBeIntegersOrStrings) {
  EXPECT_EQ(create(with(minimal_etcd(), "/spec/etcd/resources/requests/cpu", 0.5)),
            (Messages{"spec.etcd.resources.requests.cpu: Invalid value: \"number\": "
                      "spec.etcd.resources.requests.cpu in body must be of type integer or "
                      "string: \"number\"",
                      kNotChecked}));
}

TEST(EtcdValidation, ResourceClaimsNeedAName) {
  EXPECT_EQ(create(with(minimal_etcd(), "/spec/etcd/resources/claims", json{{{"name", "gpu"}}})),
            Messages{});
  EXPECT_EQ(create(with(minimal_etcd(), "/spec/etcd/resources/claims", json{{{"request", "r"}}})),
            (Messages{"spec.etcd.resources.claims[0].name: Required value", kNotChecked}));
}

TEST(EtcdValidation, TopologySpreadConstraintsNeedTheirRequiredFields) {
  const json valid = {{"maxSkew", 1},
                      {"topologyKey", "topology.kubernetes.io/zone"},
                      {"whenUnsatisfiable", "DoNotSchedule"}};
  EXPECT_EQ(create(with(minimal_etcd(), "/spec/schedulingConstraints/topologySpreadConstraints",
                        json::array({valid}))),
            Messages{});
  EXPECT_EQ(create(with(minimal_etcd(), "/spec/schedulingConstraints/topologySpreadConstraints",
                        json::array({without(valid, "/topologyKey")}))),
            (Messages{"spec.schedulingConstraints.topologySpreadConstraints[0].topologyKey: "
                      "Required value",
                      kNotChecked}));
  EXPECT_EQ(create(with(minimal_etcd(), "/spec/schedulingConstraints/affinity", "zone-a")),
            (Messages{"spec.schedulingConstraints.affinity: Invalid value: \"string\": "
                      "spec.schedulingConstraints.affinity in body must be of type object: "
                      "\"string\"",
                      kNotChecked}));
}

struct EnumCase {
  const char* pointer;
  const char* path;
  const char* valid;
  const char* supported;
};

TEST(EtcdValidation, Enums) {
  const std::vector<EnumCase> cases{
      {"/spec/etcd/metrics", "spec.etcd.metrics", "basic", R"("basic", "extensive")"},
      {"/spec/etcd/backendBboltFreelistType", "spec.etcd.backendBboltFreelistType", "array",
       R"("array", "map")"},
      {"/spec/etcd/clientService/trafficDistribution",
       "spec.etcd.clientService.trafficDistribution", "PreferSameNode",
       R"("PreferSameZone", "PreferSameNode", "PreferClose")"},
      {"/spec/backup/garbageCollectionPolicy", "spec.backup.garbageCollectionPolicy", "Exponential",
       R"("Exponential", "LimitBased")"},
      {"/spec/backup/compression/policy", "spec.backup.compression.policy", "lzw",
       R"("gzip", "lzw", "zlib")"},
      {"/spec/sharedConfig/autoCompactionMode", "spec.sharedConfig.autoCompactionMode", "periodic",
       R"("periodic", "revision")"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(create(with(minimal_etcd(), c.pointer, c.valid)), Messages{}) << c.path;
    EXPECT_EQ(create(with(minimal_etcd(), c.pointer, "other")),
              (Messages{std::string(c.path) +
                            ": Unsupported value: \"other\": supported values: " + c.supported,
                        kNotChecked}));
  }
}

TEST(EtcdValidation, StoreContainerPatternAndLength) {
  auto store = [](json container) {
    return with(minimal_etcd(), "/spec/backup/store",
                json{{"prefix", "p"}, {"container", container}});
  };
  EXPECT_EQ(create(store("my-bucket.v1")), Messages{});
  EXPECT_EQ(create(store("b; rm -rf /")),
            Messages{pattern_message("spec.backup.store.container", "b; rm -rf /",
                                     kStoreContainerPattern)});
  EXPECT_EQ(create(store("ab")),
            Messages{pattern_message("spec.backup.store.container", "ab", kStoreContainerPattern)});
  EXPECT_EQ(create(store(std::string(64, 'a'))),
            (Messages{"spec.backup.store.container: Too long: may not be longer than 63",
                      pattern_message("spec.backup.store.container", std::string(64, 'a'),
                                      kStoreContainerPattern),
                      kNotChecked}));
}

// ---------------------------------------------------------------------------
// additionalAdvertisePeerURLs

TEST(EtcdValidation, PeerUrlMemberNamePattern) {
  EXPECT_EQ(create(with(minimal_etcd(), "/spec/etcd/additionalAdvertisePeerURLs",
                        peer_urls("etcd-main-1", {"http://10.0.0.2:2380"}))),
            Messages{});
  // Without an ordinal the pattern fails, and the index rule cannot read one.
  EXPECT_EQ(
      create(with(minimal_etcd(), "/spec/etcd/additionalAdvertisePeerURLs",
                  peer_urls("etcd-main-x", {"http://10.0.0.2:2380"}))),
      (Messages{pattern_message("spec.etcd.additionalAdvertisePeerURLs[0].memberName",
                                "etcd-main-x", "^[a-z0-9]([-a-z0-9]*[a-z0-9])?-[0-9]+$"),
                "<nil>: Invalid value: \"object\": type conversion error from 'string' to "
                "'int' evaluating rule: additionalAdvertisePeerURLs member name index must be "
                "less than replicas"}));
  EXPECT_EQ(create(with(minimal_etcd(), "/spec/etcd/additionalAdvertisePeerURLs",
                        peer_urls("etcd-main-" + std::string(245, '0'), {"http://a:2380"}))),
            (Messages{"spec.etcd.additionalAdvertisePeerURLs[0].memberName: Too long: may not be "
                      "longer than 253",
                      kNotChecked}));
}

TEST(EtcdValidation, PeerUrlListLimits) {
  json members = json::array();
  for (int i = 0; i < 10; ++i) {
    members.push_back({{"memberName", "etcd-main-0"}, {"urls", {"http://10.0.0.1:2380"}}});
  }
  EXPECT_EQ(create(with(minimal_etcd(), "/spec/etcd/additionalAdvertisePeerURLs", members)),
            Messages{});
  members.push_back(members[0]);
  EXPECT_EQ(create(with(minimal_etcd(), "/spec/etcd/additionalAdvertisePeerURLs", members)),
            (Messages{"spec.etcd.additionalAdvertisePeerURLs: Too many: 11: must have at most 10 "
                      "items",
                      kNotChecked}));

  EXPECT_EQ(create(with(minimal_etcd(), "/spec/etcd/additionalAdvertisePeerURLs",
                        peer_urls("etcd-main-0", {}))),
            Messages{"spec.etcd.additionalAdvertisePeerURLs[0].urls: Invalid value: 0: "
                     "spec.etcd.additionalAdvertisePeerURLs[0].urls in body should have at least 1 "
                     "items"});
  EXPECT_EQ(create(with(minimal_etcd(), "/spec/etcd/additionalAdvertisePeerURLs",
                        peer_urls("etcd-main-0", {"http://a:1", "http://a:2", "http://a:3",
                                                  "http://a:4", "http://a:5", "http://a:6"}))),
            (Messages{"spec.etcd.additionalAdvertisePeerURLs[0].urls: Too many: 6: must have at "
                      "most 5 items",
                      kNotChecked}));
  EXPECT_EQ(create(with(minimal_etcd(), "/spec/etcd/additionalAdvertisePeerURLs",
                        peer_urls("etcd-main-0", {"http://a/" + std::string(2040, 'p')}))),
            (Messages{"spec.etcd.additionalAdvertisePeerURLs[0].urls[0]: Too long: may not be "
                      "longer than 2048",
                      kNotChecked}));
  EXPECT_EQ(create(with(minimal_etcd(), "/spec/etcd/additionalAdvertisePeerURLs",
                        peer_urls("etcd-main-0", {"http://a:1", "http://a:2", "http://a:1"}))),
            Messages{"spec.etcd.additionalAdvertisePeerURLs[0].urls[2]: Duplicate value: "
                     "\"http://a:1\""});
}

TEST(EtcdValidation, PeerUrlsMustBeHttpUrls) {
  EXPECT_EQ(create(with(minimal_etcd(), "/spec/etcd/additionalAdvertisePeerURLs",
                        peer_urls("etcd-main-0", {"http://a b:2380"}))),
            Messages{"spec.etcd.additionalAdvertisePeerURLs[0].urls[0]: Invalid value: \"string\": "
                     "must be a valid http:// or https:// URL (e.g., https://10.0.0.1:2380)"});
  EXPECT_EQ(create(with(minimal_etcd(), "/spec/etcd/additionalAdvertisePeerURLs",
                        peer_urls("etcd-main-0", {"ftp://10.0.0.1:2380"}))),
            (Messages{"spec.etcd: Invalid value: \"object\": when peerUrlTls is not enabled, all "
                      "additional advertise peer URLs must use http://",
                      "spec.etcd.additionalAdvertisePeerURLs[0].urls[0]: Invalid value: "
                      "\"string\": must be a valid http:// or https:// URL (e.g., "
                      "https://10.0.0.1:2380)"}));
}

TEST(EtcdValidation, PeerUrlSchemeFollowsPeerTls) {
  auto with_tls = with(minimal_etcd(), "/spec/etcd/peerUrlTls", tls("peer"));
  EXPECT_EQ(create(with(with_tls, "/spec/etcd/additionalAdvertisePeerURLs",
                        peer_urls("etcd-main-0", {"https://10.0.0.1:2380"}))),
            Messages{});
  EXPECT_EQ(create(with(with_tls, "/spec/etcd/additionalAdvertisePeerURLs",
                        peer_urls("etcd-main-0", {"http://10.0.0.1:2380"}))),
            Messages{"spec.etcd: Invalid value: \"object\": when peerUrlTls is enabled, all "
                     "additional advertise peer URLs must use https://"});
  EXPECT_EQ(create(with(minimal_etcd(), "/spec/etcd/additionalAdvertisePeerURLs",
                        peer_urls("etcd-main-0", {"https://10.0.0.1:2380"}))),
            Messages{"spec.etcd: Invalid value: \"object\": when peerUrlTls is not enabled, all "
                     "additional advertise peer URLs must use http://"});
}

TEST(EtcdValidation, PeerUrlMemberNamesStartWithTheEtcdName) {
  EXPECT_EQ(create(with(minimal_etcd(), "/spec/etcd/additionalAdvertisePeerURLs",
                        peer_urls("other-0", {"http://10.0.0.1:2380"}))),
            Messages{"<nil>: Invalid value: \"object\": additionalAdvertisePeerURLs member names "
                     "must start with the Etcd resource name followed by a dash"});
  auto prefixed = with(minimal_etcd(), "/spec/memberNamePrefix", "main");
  EXPECT_EQ(create(with(prefixed, "/spec/etcd/additionalAdvertisePeerURLs",
                        peer_urls("main-etcd-main-0", {"http://10.0.0.1:2380"}))),
            Messages{});
  EXPECT_EQ(create(with(prefixed, "/spec/etcd/additionalAdvertisePeerURLs",
                        peer_urls("etcd-main-0", {"http://10.0.0.1:2380"}))),
            Messages{"<nil>: Invalid value: \"object\": additionalAdvertisePeerURLs member names "
                     "must start with the Etcd resource name followed by a dash"});
}

TEST(EtcdValidation, PeerUrlMemberIndexIsBelowReplicas) {
  EXPECT_EQ(create(with(minimal_etcd(), "/spec/etcd/additionalAdvertisePeerURLs",
                        peer_urls("etcd-main-2", {"http://10.0.0.1:2380"}))),
            Messages{});
  EXPECT_EQ(create(with(minimal_etcd(), "/spec/etcd/additionalAdvertisePeerURLs",
                        peer_urls("etcd-main-3", {"http://10.0.0.1:2380"}))),
            Messages{"<nil>: Invalid value: \"object\": additionalAdvertisePeerURLs member name "
                     "index must be less than replicas"});
}

// ---------------------------------------------------------------------------
// bootstrapWithExistingCluster

json with_bootstrap(const json& value) {
  return with(minimal_etcd(), "/spec/etcd/bootstrapWithExistingCluster", value);
}

TEST(EtcdValidation, BootstrapSchema) {
  EXPECT_EQ(create(with_bootstrap(
                bootstrap({{"src-0", {"http://10.0.0.1:2380"}}}, {"http://10.0.0.1:2379"}))),
            Messages{});
  EXPECT_EQ(
      create(with_bootstrap(json{{"members", json::array()}, {"clientEndpoints", json::array()}})),
      (Messages{"spec.etcd.bootstrapWithExistingCluster.members: Invalid value: 0: "
                "spec.etcd.bootstrapWithExistingCluster.members in body should have at least "
                "1 items",
                "spec.etcd.bootstrapWithExistingCluster.clientEndpoints: Invalid value: 0: "
                "spec.etcd.bootstrapWithExistingCluster.clientEndpoints in body should have "
                "at least 1 items"}));
  EXPECT_EQ(create(with_bootstrap(json{{"members", json::array()}})),
            (Messages{"spec.etcd.bootstrapWithExistingCluster.clientEndpoints: Required value",
                      "spec.etcd.bootstrapWithExistingCluster.members: Invalid value: 0: "
                      "spec.etcd.bootstrapWithExistingCluster.members in body should have at least "
                      "1 items",
                      kNotChecked}));
  EXPECT_EQ(
      create(with_bootstrap(bootstrap({{"", {"http://10.0.0.1:2380"}}}, {"http://10.0.0.1:2379"}))),
      (Messages{"spec.etcd.bootstrapWithExistingCluster.members[0].name: Invalid value: "
                "\"\": spec.etcd.bootstrapWithExistingCluster.members[0].name in body should "
                "be at least 1 chars long",
                pattern_message("spec.etcd.bootstrapWithExistingCluster.members[0].name", "",
                                kDns1123LabelPattern)}));
  std::vector<std::pair<std::string, std::vector<std::string>>> eleven;
  for (int i = 0; i < 11; ++i) eleven.push_back({"src-" + std::to_string(i), {"http://a:2380"}});
  EXPECT_EQ(create(with_bootstrap(bootstrap(eleven, {"http://a:2379"}))),
            (Messages{"spec.etcd.bootstrapWithExistingCluster.members: Too many: 11: must have at "
                      "most 10 items",
                      kNotChecked}));
  EXPECT_EQ(create(with_bootstrap(bootstrap({{"src-0", {"http://a:2380", "http://a:2380"}}},
                                            {"http://a:2379", "http://b:2379", "http://a:2379"}))),
            (Messages{"spec.etcd.bootstrapWithExistingCluster.members[0].peerUrls[1]: Duplicate "
                      "value: \"http://a:2380\"",
                      "spec.etcd.bootstrapWithExistingCluster.clientEndpoints[2]: Duplicate value: "
                      "\"http://a:2379\""}));
}

TEST(EtcdValidation, BootstrapUrlsMustBeHttpUrls) {
  EXPECT_EQ(create(with_bootstrap(bootstrap({{"src-0", {"http://10.0.0.1:2380/%zz"}}},
                                            {"http://source client:2379"}))),
            (Messages{"spec.etcd.bootstrapWithExistingCluster.members[0].peerUrls[0]: Invalid "
                      "value: \"string\": must be a valid http:// or https:// URL (e.g., "
                      "https://10.0.0.1:2380)",
                      "spec.etcd.bootstrapWithExistingCluster.clientEndpoints[0]: Invalid value: "
                      "\"string\": must be a valid http:// or https:// URL (e.g., "
                      "https://etcd-source-client.source-ns.svc:2379)"}));
}

TEST(EtcdValidation, BootstrapSchemesFollowTls) {
  auto plain = bootstrap({{"src-0", {"http://10.0.0.1:2380"}}}, {"http://10.0.0.1:2379"});
  auto secure = bootstrap({{"src-0", {"https://10.0.0.1:2380"}}}, {"https://10.0.0.1:2379"});
  auto tls_etcd = with(with(minimal_etcd(), "/spec/etcd/peerUrlTls", tls("peer")),
                       "/spec/etcd/clientUrlTls", tls("client"));
  EXPECT_EQ(create(with(tls_etcd, "/spec/etcd/bootstrapWithExistingCluster", secure)), Messages{});
  EXPECT_EQ(create(with(tls_etcd, "/spec/etcd/bootstrapWithExistingCluster", plain)),
            (Messages{"spec.etcd: Invalid value: \"object\": when peerUrlTls is enabled, all "
                      "bootstrapWithExistingCluster member peer URLs must use https://",
                      "spec.etcd: Invalid value: \"object\": when clientUrlTls is enabled, all "
                      "bootstrapWithExistingCluster clientEndpoints must use https://"}));
  EXPECT_EQ(create(with_bootstrap(secure)),
            (Messages{"spec.etcd: Invalid value: \"object\": when peerUrlTls is not enabled, all "
                      "bootstrapWithExistingCluster member peer URLs must use http://",
                      "spec.etcd: Invalid value: \"object\": when clientUrlTls is not enabled, all "
                      "bootstrapWithExistingCluster clientEndpoints must use http://"}));
}

TEST(EtcdValidation, BootstrapMemberNamesAreUniqueAndDoNotCollideWithTargets) {
  EXPECT_EQ(
      create(with_bootstrap(
          bootstrap({{"src-0", {"http://10.0.0.1:2380"}}, {"src-0", {"http://10.0.0.2:2380"}}},
                    {"http://10.0.0.1:2379"}))),
      Messages{"<nil>: Invalid value: \"object\": bootstrapWithExistingCluster.members[*].name "
               "must be unique"});
  const std::string collide =
      "<nil>: Invalid value: \"object\": bootstrapWithExistingCluster.members[*].name must not "
      "collide with a target member (must not start with the target Etcd's member-name prefix)";
  EXPECT_EQ(create(with_bootstrap(
                bootstrap({{"etcd-main-0", {"http://10.0.0.1:2380"}}}, {"http://10.0.0.1:2379"}))),
            Messages{collide});
  auto prefixed = with(minimal_etcd(), "/spec/memberNamePrefix", "main");
  EXPECT_EQ(create(with(
                prefixed, "/spec/etcd/bootstrapWithExistingCluster",
                bootstrap({{"etcd-main-0", {"http://10.0.0.1:2380"}}}, {"http://10.0.0.1:2379"}))),
            Messages{});
  EXPECT_EQ(create(with(prefixed, "/spec/etcd/bootstrapWithExistingCluster",
                        bootstrap({{"main-etcd-main-0", {"http://10.0.0.1:2380"}}},
                                  {"http://10.0.0.1:2379"}))),
            Messages{collide});
}

// ---------------------------------------------------------------------------
// backup

TEST(EtcdValidation, GarbageCollectionPeriodExceedsDeltaSnapshotPeriod) {
  const std::string message =
      "spec.backup: Invalid value: \"object\": etcd.spec.backup.garbageCollectionPeriod must be "
      "greater than etcd.spec.backup.deltaSnapshotPeriod";
  auto periods = [](const char* delta, const char* gc) {
    return with(with(minimal_etcd(), "/spec/backup/deltaSnapshotPeriod", delta),
                "/spec/backup/garbageCollectionPeriod", gc);
  };
  EXPECT_EQ(create(periods("5m", "12h")), Messages{});
  EXPECT_EQ(create(with(minimal_etcd(), "/spec/backup/deltaSnapshotPeriod", "1h")), Messages{});
  EXPECT_EQ(create(periods("5m", "1m")), Messages{message});
  EXPECT_EQ(create(periods("5m", "5m")), Messages{message});
  // Whole seconds are compared: 1.5s counts as 1s.
  EXPECT_EQ(create(periods("1500ms", "1s")), Messages{message});
}

TEST(EtcdValidation, UnparsableDurationFailsTheGarbageCollectionRuleEvaluation) {
  auto etcd = with(with(minimal_etcd(), "/spec/backup/deltaSnapshotPeriod", "5x"),
                   "/spec/backup/garbageCollectionPeriod", "12h");
  EXPECT_EQ(create(etcd),
            (Messages{pattern_message("spec.backup.deltaSnapshotPeriod", "5x", kCrdDurationPattern),
                      "spec.backup: Invalid value: \"object\": type conversion error from 'string' "
                      "to 'google.protobuf.Duration' evaluating rule: "
                      "etcd.spec.backup.garbageCollectionPeriod must be greater than "
                      "etcd.spec.backup.deltaSnapshotPeriod"}));
}

TEST(EtcdValidation, EndpointOverrideMustBeAUrl) {
  auto store = [](const char* endpoint) {
    return with(minimal_etcd(), "/spec/backup/store",
                json{{"prefix", "p"}, {"endpointOverride", endpoint}});
  };
  EXPECT_EQ(create(store("https://s3.example.com")), Messages{});
  EXPECT_EQ(create(store("s3.example.com")),
            Messages{"spec.backup.store.endpointOverride: Invalid value: \"string\": endpoint "
                     "override must be a valid URL."});
}

// ---------------------------------------------------------------------------
// Updates

json with_replicas(int replicas) {
  return with(minimal_etcd(), "/spec/replicas", replicas);
}

TEST(EtcdValidationUpdate, ReplicasIncreaseOrGoToZero) {
  const Messages rejected{
      "spec.replicas: Invalid value: \"integer\": Replicas can either be increased or be "
      "downscaled to 0."};
  EXPECT_EQ(update(with_replicas(1), with_replicas(3)), rejected);
  EXPECT_EQ(update(with_replicas(0), with_replicas(3)), Messages{});
  EXPECT_EQ(update(with_replicas(5), with_replicas(3)), Messages{});
  EXPECT_EQ(update(with_replicas(1), with_replicas(0)), Messages{});
  EXPECT_EQ(update(with_replicas(3), with_replicas(3)), Messages{});
}

struct ImmutableField {
  const char* pointer;
  const char* field_message;  // `self == oldSelf` on the field
  const char* spec_message;   // `has(oldSelf.x) == has(self.x)` on spec
};

TEST(EtcdValidationUpdate, ImmutableFields) {
  const std::vector<ImmutableField> fields{
      {"/spec/storageClass",
       "spec.storageClass: Invalid value: \"string\": etcd.spec.storageClass is an immutable field",
       "spec: Invalid value: \"object\": etcd.spec.storageClass is an immutable field."},
      {"/spec/volumeClaimTemplate",
       "spec.volumeClaimTemplate: Invalid value: \"string\": etcd.spec.VolumeClaimTemplate is an "
       "immutable field",
       "spec: Invalid value: \"object\": etcd.spec.volumeClaimTemplate is an immutable field."},
      {"/spec/memberNamePrefix",
       "spec.memberNamePrefix: Invalid value: \"string\": etcd.spec.memberNamePrefix is an "
       "immutable field",
       "spec: Invalid value: \"object\": etcd.spec.memberNamePrefix is an immutable field."},
  };
  for (const auto& f : fields) {
    const auto absent = minimal_etcd();
    const auto a = with(absent, f.pointer, "a");
    const auto b = with(absent, f.pointer, "b");
    EXPECT_EQ(update(a, a), Messages{}) << f.pointer;
    EXPECT_EQ(update(b, a), Messages{f.field_message}) << "change " << f.pointer;
    EXPECT_EQ(update(a, absent), Messages{f.spec_message}) << "add " << f.pointer;
    EXPECT_EQ(update(absent, a), Messages{f.spec_message}) << "remove " << f.pointer;
    // Create has no old object: no transition rule applies.
    EXPECT_EQ(create(a), Messages{}) << f.pointer;
  }
}

TEST(EtcdValidationUpdate, BootstrapCannotBeAddedLater) {
  const auto b = bootstrap({{"src-0", {"http://10.0.0.1:2380"}}}, {"http://10.0.0.1:2379"});
  const auto without_bootstrap = minimal_etcd();
  const auto with_b = with_bootstrap(b);
  EXPECT_EQ(update(with_b, without_bootstrap),
            Messages{"spec.etcd: Invalid value: \"object\": "
                     "etcd.spec.etcd.bootstrapWithExistingCluster cannot be added after the Etcd "
                     "resource has been created"});
  EXPECT_EQ(update(without_bootstrap, with_b), Messages{});
  EXPECT_EQ(update(with_b, with_b), Messages{});
}

json bootstrap_status(const char* status) {
  return json{{"conditions",
               {{{"type", "BootstrappedWithExistingCluster"},
                 {"status", status},
                 {"lastTransitionTime", "2025-01-01T00:00:00Z"},
                 {"lastUpdateTime", "2025-01-01T00:00:00Z"},
                 {"reason", "BootstrapInProgress"},
                 {"message", "Not all members have joined the cluster yet"}}}}};
}

TEST(EtcdValidationUpdate, BootstrapIsFrozenWhileInProgress) {
  const auto b = bootstrap({{"src-0", {"http://10.0.0.1:2380", "http://10.0.0.9:2380"}}},
                           {"http://10.0.0.1:2379", "http://10.0.0.2:2379"});
  const auto old_in_progress = with(with_bootstrap(b), "/status", bootstrap_status("False"));
  auto changed_members = old_in_progress;
  changed_members["spec"]["etcd"]["bootstrapWithExistingCluster"]["members"].push_back(
      {{"name", "src-1"}, {"peerUrls", {"http://10.0.0.2:2380"}}});
  auto changed_endpoints = old_in_progress;
  changed_endpoints["spec"]["etcd"]["bootstrapWithExistingCluster"]["clientEndpoints"].push_back(
      "http://10.0.0.3:2379");
  const std::string members_frozen =
      "<nil>: Invalid value: \"object\": etcd.spec.etcd.bootstrapWithExistingCluster.members "
      "cannot be modified while the bootstrap is in progress";
  const std::string endpoints_frozen =
      "<nil>: Invalid value: \"object\": "
      "etcd.spec.etcd.bootstrapWithExistingCluster.clientEndpoints cannot be modified while the "
      "bootstrap is in progress";

  EXPECT_EQ(update(old_in_progress, old_in_progress), Messages{});
  EXPECT_EQ(update(changed_members, old_in_progress), Messages{members_frozen});
  EXPECT_EQ(update(changed_endpoints, old_in_progress), Messages{endpoints_frozen});

  // Sets compare without order.
  auto reordered = old_in_progress;
  auto& bootstrap_json = reordered["spec"]["etcd"]["bootstrapWithExistingCluster"];
  std::swap(bootstrap_json["clientEndpoints"][0], bootstrap_json["clientEndpoints"][1]);
  std::swap(bootstrap_json["members"][0]["peerUrls"][0],
            bootstrap_json["members"][0]["peerUrls"][1]);
  EXPECT_EQ(update(reordered, old_in_progress), Messages{});

  // Allowed once the condition is True, or before any condition exists.
  const auto done = with(changed_members, "/status", bootstrap_status("True"));
  EXPECT_EQ(update(done, with(old_in_progress, "/status", bootstrap_status("True"))), Messages{});
  EXPECT_EQ(update(without(changed_members, "/status"), without(old_in_progress, "/status")),
            Messages{});
}

TEST(EtcdValidationUpdate, UnchangedValuesAreNotRecheckedRatcheting) {
  // Stored before the rules existed: an invalid duration and a non-http peer URL.
  auto stored = with(minimal_etcd(), "/spec/etcd/heartbeatDuration", "10d");
  stored = with(stored, "/spec/etcd/additionalAdvertisePeerURLs",
                peer_urls("etcd-main-0", {"ftp://10.0.0.1:2380"}));
  EXPECT_EQ(create(stored).size(), 3u);

  // Scaling up leaves both values untouched: no error.
  EXPECT_EQ(update(with(stored, "/spec/replicas", 5), stored), Messages{});
  // A changed value is checked again, and so is every rule on an object that
  // now differs (spec.etcd); the unchanged URL list keeps its item ratcheted.
  EXPECT_EQ(update(with(stored, "/spec/etcd/heartbeatDuration", "20d"), stored),
            (Messages{pattern_message("spec.etcd.heartbeatDuration", "20d", kCrdDurationPattern),
                      "spec.etcd: Invalid value: \"object\": when peerUrlTls is not enabled, all "
                      "additional advertise peer URLs must use http://"}));
  // Rules on the whole object see a changed object.
  auto foreign = with(minimal_etcd(), "/spec/etcd/additionalAdvertisePeerURLs",
                      peer_urls("other-0", {"http://10.0.0.1:2380"}));
  EXPECT_EQ(update(foreign, foreign), Messages{});
  EXPECT_EQ(update(with(foreign, "/spec/replicas", 5), foreign),
            Messages{"<nil>: Invalid value: \"object\": additionalAdvertisePeerURLs member names "
                     "must start with the Etcd resource name followed by a dash"});
}

TEST(EtcdValidationUpdate, DuplicatesAreCheckedOnlyIfTheOldObjectHadNone) {
  auto clean = with(minimal_etcd(), "/spec/etcd/additionalAdvertisePeerURLs",
                    peer_urls("etcd-main-0", {"http://a:1"}));
  auto duplicated = with(minimal_etcd(), "/spec/etcd/additionalAdvertisePeerURLs",
                         peer_urls("etcd-main-0", {"http://a:1", "http://a:1"}));
  EXPECT_EQ(update(duplicated, clean),
            Messages{"spec.etcd.additionalAdvertisePeerURLs[0].urls[1]: Duplicate value: "
                     "\"http://a:1\""});
  EXPECT_EQ(update(with(duplicated, "/spec/replicas", 4), duplicated), Messages{});
}

TEST(EtcdValidationUpdate, StatusTimesAreDateTimes) {
  const auto before = with(minimal_etcd(), "/status", bootstrap_status("True"));
  auto after = before;
  after["status"]["lastOperation"] = {{"type", "Reconcile"},
                                      {"state", "Succeeded"},
                                      {"description", "d"},
                                      {"runID", "r"},
                                      {"lastUpdateTime", "2025-01-01T10:00:00.5+02:00"}};
  EXPECT_EQ(update(after, before), Messages{});
  after["status"]["conditions"][0]["lastUpdateTime"] = "yesterday";
  EXPECT_EQ(update(after, before),
            (Messages{"status.conditions[0].lastUpdateTime: Invalid value: \"yesterday\": "
                      "status.conditions[0].lastUpdateTime in body must be of type date-time: "
                      "\"yesterday\"",
                      kNotChecked}));
}

TEST(EtcdValidationUpdate, StatusReplicasAndSelectorAreReadByTheScaleSubresource) {
  const auto before = minimal_etcd();
  EXPECT_EQ(update(with(before, "/status", json{{"replicas", 3}, {"selector", "a=b"}}), before),
            Messages{});
  EXPECT_EQ(update(with(before, "/status", json{{"replicas", -3}}), before),
            (Messages{".status.replicas: Invalid value: -3: should be a non-negative integer"}));
}

TEST(EtcdValidationUpdate, BlockingErrorsSkipTransitionRules) {
  auto broken = with(with_replicas(1), "/spec/etcd/metrics", "full");
  EXPECT_EQ(update(broken, with_replicas(3)),
            (Messages{"spec.etcd.metrics: Unsupported value: \"full\": supported values: "
                      "\"basic\", \"extensive\"",
                      kNotChecked}));
}

}  // namespace
}  // namespace druid::api::validation
