#include "apiserver/table.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "util/yaml.hpp"

namespace druid::testing {
namespace {

using nlohmann::json;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

util::Time at_time(const char* text) {
  return *util::parse_rfc3339(text);
}

const util::Time kNow = at_time("2024-05-01T10:05:00Z");

// The served version's additionalPrinterColumns of our Etcd CRD.
json etcd_printer_columns() {
  std::ifstream in(std::string(DRUID_SOURCE_DIR) + "/config/crd/druid.gardener.cloud_etcds.yaml");
  std::stringstream text;
  text << in.rdbuf();
  auto crd = util::parse_yaml(text.str());
  EXPECT_TRUE(crd.has_value());
  return crd ? (*crd)["spec"]["versions"][0]["additionalPrinterColumns"] : json::array();
}

TableSource etcd_source() {
  return {"druid.gardener.cloud", "etcds", true, etcd_printer_columns()};
}

json etcd(const char* name, json status) {
  return {{"apiVersion", "druid.gardener.cloud/v1alpha1"},
          {"kind", "Etcd"},
          {"metadata",
           {{"name", name},
            {"namespace", "default"},
            {"uid", std::string("uid-") + name},
            {"resourceVersion", "7"},
            {"labels", {{"app", "etcd"}}},
            {"creationTimestamp", "2024-05-01T10:00:00Z"}}},
          {"spec", {{"replicas", 3}}},
          {"status", std::move(status)}};
}

const json kReadyStatus = json::parse(R"({
  "ready": true, "currentReplicas": 3, "readyReplicas": 2,
  "conditions": [{"type": "Ready", "status": "True"},
                 {"type": "AllMembersReady", "status": "False"},
                 {"type": "BackupReady", "status": "Unknown"}]})");

json column_names(const json& table) {
  json names = json::array();
  for (const json& column : table["columnDefinitions"]) names.push_back(column["name"]);
  return names;
}

TEST(TableTest, EtcdTableHasTheCrdPrinterColumns) {
  json table = build_table(etcd_source(), {etcd("etcd-main", kReadyStatus)},
                           {{"resourceVersion", "42"}, {"continue", "token"}}, {}, kNow);
  EXPECT_EQ(table["kind"], "Table");
  EXPECT_EQ(table["apiVersion"], "meta.k8s.io/v1");
  EXPECT_EQ(table["metadata"], json::parse(R"({"resourceVersion":"42","continue":"token"})"));
  EXPECT_EQ(
      column_names(table),
      json::parse(
          R"(["Name","Ready","Quorate","All Members Ready","Backup Ready","Cluster ID Mismatch",
                            "Age","Cluster Size","Current Replicas","Ready Replicas"])"));

  const json& columns = table["columnDefinitions"];
  EXPECT_EQ(columns[0]["type"], "string");
  EXPECT_EQ(columns[0]["format"], "name");
  EXPECT_EQ(columns[0]["priority"], 0);
  EXPECT_TRUE(columns[0]["description"].get<std::string>().starts_with(
      "Name must be unique within a namespace."));
  EXPECT_EQ(columns[2], json::parse(R"({"name":"Quorate","type":"string","format":"",
      "description":"Custom resource definition column (in JSONPath format): .status.conditions[?(@.type==\"Ready\")].status",
      "priority":0})"));
  EXPECT_EQ(columns[6]["type"], "date");
  for (int i : {7, 8, 9}) {
    EXPECT_EQ(columns[i]["type"], "integer") << i;
    EXPECT_EQ(columns[i]["priority"], 1) << i;
  }

  ASSERT_EQ(table["rows"].size(), 1u);
  EXPECT_EQ(table["rows"][0]["cells"],
            json::parse(R"(["etcd-main","true","True","False","Unknown",null,"5m",3,3,2])"));
}

TEST(TableTest, EtcdCellsAreNullWhenTheStatusIsMissing) {
  json table = build_table(etcd_source(), {etcd("fresh", json::object())},
                           {{"resourceVersion", "1"}}, {}, kNow);
  EXPECT_EQ(table["rows"][0]["cells"],
            json::parse(R"(["fresh",null,null,null,null,null,"5m",3,null,null])"));
}

TEST(TableTest, RowsCarryPartialObjectMetadataByDefault) {
  json object = etcd("etcd-main", kReadyStatus);
  json table = build_table(etcd_source(), {object}, json::object(), {}, kNow);
  EXPECT_EQ(table["rows"][0]["object"], json({{"kind", "PartialObjectMetadata"},
                                              {"apiVersion", "meta.k8s.io/v1"},
                                              {"metadata", object["metadata"]}}));

  TableOptions whole;
  whole.include_object = IncludeObject::kObject;
  EXPECT_EQ(build_table(etcd_source(), {object}, json::object(), whole, kNow)["rows"][0]["object"],
            object);

  TableOptions none;
  none.include_object = IncludeObject::kNone;
  none.group_version = std::string(kTableV1beta1);
  json bare = build_table(etcd_source(), {object}, json::object(), none, kNow);
  EXPECT_TRUE(bare["rows"][0]["object"].is_null());
  EXPECT_EQ(bare["apiVersion"], "meta.k8s.io/v1beta1");
}

TEST(TableTest, SingleObjectTableTakesTheObjectResourceVersion) {
  json table = build_table_for_object(etcd_source(), etcd("etcd-main", kReadyStatus), {}, kNow);
  EXPECT_EQ(table["metadata"], json::parse(R"({"resourceVersion":"7"})"));
  EXPECT_EQ(table["rows"].size(), 1u);
}

TEST(TableTest, NoHeadersLeavesColumnDefinitionsNull) {
  TableOptions options;
  options.no_headers = true;
  json table = build_table(etcd_source(), {}, json::object(), options, kNow);
  EXPECT_TRUE(table["columnDefinitions"].is_null());
  EXPECT_EQ(table["rows"], json::array());
}

TEST(TableTest, CustomResourceColumnTypes) {
  TableSource source{"example.com", "things", true, json::parse(R"([
      {"name":"Count","type":"integer","jsonPath":".spec.count"},
      {"name":"Ratio","type":"number","jsonPath":".spec.ratio"},
      {"name":"On","type":"boolean","jsonPath":".spec.on"},
      {"name":"Map","type":"string","jsonPath":".spec.map"},
      {"name":"Nil","type":"string","jsonPath":".spec.nil"},
      {"name":"Wrong","type":"integer","jsonPath":".spec.map"},
      {"name":"Bad","type":"date","jsonPath":".spec.when"},
      {"name":"First","type":"string","jsonPath":".spec.list[*]"},
      {"name":"Described","type":"string","format":"byte","description":"mine","priority":2,"jsonPath":".x"}])")};
  json object = json::parse(
      R"({"metadata":{"name":"t"},"spec":{"count":2.7,"ratio":1,"on":true,"map":{"b":1,"a":"x"},
                                "nil":null,"when":"yesterday","list":["first","second"]}})");
  json table = build_table(source, {object}, json::object(), {}, kNow);
  EXPECT_EQ(
      table["rows"][0]["cells"],
      json::parse(
          R"(["t",2,1.0,true,"{\"a\":\"x\",\"b\":1}","<no value>",null,"<invalid>","first",null])"));
  EXPECT_EQ(
      table["columnDefinitions"][9],
      json::parse(
          R"({"name":"Described","type":"string","format":"byte","description":"mine","priority":2})"));
}

TEST(TableTest, CustomResourcesWithoutColumnsGetAge) {
  TableSource source{"example.com", "things", true, json::array()};
  json table = build_table(
      source,
      {json::parse(R"({"metadata":{"name":"t","creationTimestamp":"2024-05-01T08:00:00Z"}})")},
      json::object(), {}, kNow);
  EXPECT_EQ(column_names(table), json::parse(R"(["Name","Age"])"));
  EXPECT_EQ(table["columnDefinitions"][1]["type"], "date");
  EXPECT_EQ(table["rows"][0]["cells"], json::parse(R"(["t","125m"])"));
}

TEST(TableTest, AnUnparsableColumnEndsTheColumnsAsOnTheApiServer) {
  TableSource source{"example.com", "things", true, json::parse(R"([
      {"name":"A","type":"string","jsonPath":".a"},
      {"name":"Broken","type":"string","jsonPath":".b[?(@.x"},
      {"name":"C","type":"string","jsonPath":".c"}])")};
  EXPECT_EQ(column_names(build_table(source, {}, json::object(), {}, kNow)),
            json::parse(R"(["Name","A"])"));
}

json config_map(const char* name, json data) {
  return {
      {"apiVersion", "v1"},
      {"kind", "ConfigMap"},
      {"metadata",
       {{"name", name}, {"namespace", "default"}, {"creationTimestamp", "2024-04-29T09:00:00Z"}}},
      {"data", std::move(data)}};
}

TEST(TableTest, ConfigMapTableIsTheServerPrinter) {
  json table =
      build_table({"", "configmaps"},
                  {config_map("a", {{"k1", "v"}, {"k2", "v"}}), config_map("b", json::object())},
                  {{"resourceVersion", "9"}}, {}, kNow);
  EXPECT_EQ(column_names(table), json::parse(R"(["Name","Data","Age"])"));
  EXPECT_EQ(table["columnDefinitions"][2]["type"], "string");
  EXPECT_EQ(table["rows"][0]["cells"], json::parse(R"(["a",2,"2d1h"])"));
  EXPECT_EQ(table["rows"][1]["cells"], json::parse(R"(["b",0,"2d1h"])"));
  EXPECT_EQ(table["rows"][1]["object"]["metadata"]["name"], "b");
}

TEST(TableTest, TypesWithoutPrinterGetNameAndCreatedAt) {
  json role = json::parse(
      R"({"metadata":{"name":"druid","creationTimestamp":"2024-05-01T09:00:00Z"},"rules":[]})");
  json table =
      build_table({"rbac.authorization.k8s.io", "roles"}, {role}, json::object(), {}, kNow);
  EXPECT_EQ(column_names(table), json::parse(R"(["Name","Created At"])"));
  EXPECT_EQ(table["columnDefinitions"][1]["type"], "date");
  EXPECT_EQ(table["rows"][0]["cells"], json::parse(R"(["druid","2024-05-01T09:00:00Z"])"));
  // The default convertor leaves the rows of an empty list null.
  EXPECT_TRUE(
      build_table({"rbac.authorization.k8s.io", "roles"}, {}, json::object(), {}, kNow)["rows"]
          .is_null());
}

TEST(TableTest, PodTableComputesReadyStatusAndRestarts) {
  json pod = json::parse(R"({
    "metadata": {"name": "etcd-main-0", "creationTimestamp": "2024-05-01T09:00:00Z"},
    "spec": {"nodeName": "node-1", "containers": [{"name": "etcd"}, {"name": "backup-restore"}]},
    "status": {"phase": "Running", "podIPs": [{"ip": "10.0.0.5"}],
      "conditions": [{"type": "Ready", "status": "False"}],
      "containerStatuses": [
        {"name": "etcd", "ready": true, "restartCount": 2, "state": {"running": {}},
         "lastState": {"terminated": {"exitCode": 1, "finishedAt": "2024-05-01T10:00:00Z"}}},
        {"name": "backup-restore", "ready": false, "restartCount": 0,
         "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}})");
  json table = build_table({"", "pods"}, {pod}, json::object(), {}, kNow);
  EXPECT_EQ(column_names(table),
            json::parse(R"(["Name","Ready","Status","Restarts","Age","IP","Node",
                                                 "Nominated Node","Readiness Gates"])"));
  EXPECT_EQ(table["rows"][0]["cells"],
            json::parse(
                R"x(["etcd-main-0","1/2","CrashLoopBackOff","2 (5m ago)","65m","10.0.0.5","node-1",
                            "<none>","<none>"])x"));
  EXPECT_FALSE(table["rows"][0].contains("conditions"));

  json done = pod;
  done["status"] = json::parse(R"({"phase":"Succeeded"})");
  json finished = build_table({"", "pods"}, {done}, json::object(), {}, kNow);
  EXPECT_EQ(finished["rows"][0]["cells"][2], "Succeeded");
  EXPECT_EQ(finished["rows"][0]["conditions"],
            json::parse(R"([{"type":"Completed","status":"True","reason":"Succeeded",
                             "message":"The pod has completed successfully."}])"));
}

TEST(TableTest, WorkloadAndRbacPrinters) {
  json sts =
      json::parse(R"({"metadata":{"name":"etcd-main","creationTimestamp":"2024-05-01T10:04:30Z"},
    "spec":{"replicas":3,"template":{"spec":{"containers":[{"name":"etcd","image":"etcd:v3"},
                                                           {"name":"br","image":"br:v1"}]}}},
    "status":{"readyReplicas":1}})");
  EXPECT_EQ(
      build_table({"apps", "statefulsets"}, {sts}, json::object(), {}, kNow)["rows"][0]["cells"],
      json::parse(R"(["etcd-main","1/3","30s","etcd,br","etcd:v3,br:v1"])"));

  json binding =
      json::parse(R"({"metadata":{"name":"rb","creationTimestamp":"2024-05-01T10:00:00Z"},
    "roleRef":{"kind":"Role","name":"druid"},
    "subjects":[{"kind":"ServiceAccount","namespace":"default","name":"druid"},{"kind":"User","name":"alice"}]})");
  EXPECT_EQ(build_table({"rbac.authorization.k8s.io", "rolebindings"}, {binding}, json::object(),
                        {}, kNow)["rows"][0]["cells"],
            json::parse(R"(["rb","Role/druid","5m","alice","","default/druid"])"));

  json lease =
      json::parse(R"({"metadata":{"name":"etcd-main-0","creationTimestamp":"2024-05-01T10:00:00Z"},
    "spec":{"holderIdentity":"abc:Leader"}})");
  EXPECT_EQ(build_table({"coordination.k8s.io", "leases"}, {lease}, json::object(), {},
                        kNow)["rows"][0]["cells"],
            json::parse(R"(["etcd-main-0","abc:Leader","5m"])"));

  json service = json::parse(
      R"({"metadata":{"name":"etcd-main-client","creationTimestamp":"2024-05-01T10:00:00Z"},
    "spec":{"clusterIP":"None","ports":[{"port":2379},{"port":2380,"protocol":"TCP"}],"selector":{"app":"etcd"}}})");
  EXPECT_EQ(
      build_table({"", "services"}, {service}, json::object(), {}, kNow)["rows"][0]["cells"],
      json::parse(
          R"(["etcd-main-client","ClusterIP","None","<none>","2379/TCP,2380/TCP","5m","app=etcd"])"));

  json pdb =
      json::parse(R"({"metadata":{"name":"etcd-main","creationTimestamp":"2024-05-01T10:00:00Z"},
    "spec":{"minAvailable":2},"status":{"disruptionsAllowed":1}})");
  EXPECT_EQ(build_table({"policy", "poddisruptionbudgets"}, {pdb}, json::object(), {},
                        kNow)["rows"][0]["cells"],
            json::parse(R"(["etcd-main","2","N/A",1,"5m"])"));
}

TEST(TableTest, NegotiatesTablesAsTheServerDoes) {
  const char* kubectl =
      "application/json;as=Table;v=v1;g=meta.k8s.io,application/"
      "json;as=Table;v=v1beta1;g=meta.k8s.io,"
      "application/json";
  EXPECT_EQ(negotiate_table(kubectl), "meta.k8s.io/v1");
  EXPECT_EQ(negotiate_table("application/json; as=Table; v=v1beta1; g=meta.k8s.io"),
            "meta.k8s.io/v1beta1");
  EXPECT_EQ(negotiate_table("application/json;as=Table;v=v2;g=meta.k8s.io, "
                            "application/json;as=Table;v=v1;g=meta.k8s.io"),
            "meta.k8s.io/v1");
  EXPECT_EQ(negotiate_table("application/json"), std::nullopt);
  EXPECT_EQ(negotiate_table("application/json, application/json;as=Table;v=v1;g=meta.k8s.io"),
            std::nullopt);
  EXPECT_EQ(negotiate_table("application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io"),
            std::nullopt);
  EXPECT_EQ(negotiate_table(""), std::nullopt);
  EXPECT_EQ(table_content_type(kTableV1), "application/json;as=Table;v=v1;g=meta.k8s.io");
}

TEST(TableTest, ParsesIncludeObject) {
  EXPECT_EQ(*parse_include_object(""), IncludeObject::kMetadata);
  EXPECT_EQ(*parse_include_object("Metadata"), IncludeObject::kMetadata);
  EXPECT_EQ(*parse_include_object("Object"), IncludeObject::kObject);
  EXPECT_EQ(*parse_include_object("None"), IncludeObject::kNone);
  auto bad = parse_include_object("All");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(
      bad.error(),
      R"(includeObject: Invalid value: "All": must be 'Metadata', 'Object', 'None', or empty)");
}

}  // namespace
}  // namespace druid::testing
