// Unknown fields as an API server's structural pruning finds them, against
// synthetic schemas (every rule of the walk) and the embedded CRDs (the paths
// users typo).
#include "api/validation/unknown_fields.hpp"

#include <gtest/gtest.h>

#include "api/embedded_crds.hpp"
#include "util/yaml.hpp"

namespace druid::api::validation {
namespace {

using nlohmann::json;
using Paths = std::vector<std::string>;

json yaml(const char* text) {
  auto parsed = util::parse_yaml(text);
  EXPECT_TRUE(parsed.has_value()) << text;
  return parsed ? *parsed : json();
}

const json& etcd_schema() {
  const json* schema = embedded_crd_schema("druid.gardener.cloud/v1alpha1", "Etcd");
  EXPECT_NE(schema, nullptr);
  static const json kEmpty = json::object();
  return schema ? *schema : kEmpty;
}

const json kSchema = yaml(R"(
type: object
properties:
  spec:
    type: object
    properties:
      name: {type: string}
      nested:
        type: object
        properties:
          a: {type: integer}
      list:
        type: array
        items:
          type: object
          properties:
            x: {type: string}
      labels:
        type: object
        additionalProperties: {type: string}
      limits:
        type: object
        additionalProperties:
          type: object
          properties:
            value: {type: string}
      free:
        type: object
        x-kubernetes-preserve-unknown-fields: true
        properties:
          declared:
            type: object
            properties:
              b: {type: string}
      template:
        type: object
        x-kubernetes-embedded-resource: true
        properties:
          spec:
            type: object
            properties:
              c: {type: string}
)");

TEST(UnknownFieldPaths, NoneWhenEveryFieldIsDeclared) {
  const json object = yaml(R"(
apiVersion: example.com/v1
kind: Thing
metadata: {name: t, whatever: kept}
spec:
  name: n
  nested: {a: 1}
  list: [{x: "1"}, {x: "2"}]
)");
  EXPECT_EQ(unknown_field_paths(object, kSchema), Paths{});
}

TEST(UnknownFieldPaths, TopLevelAndNestedInServerFormSorted) {
  const json object = yaml(R"(
apiVersion: example.com/v1
kind: Thing
status: {}
spec:
  nested: {a: 1, b: 2}
  zz: 1
  list: [{x: "1"}, {x: "2", y: 3}]
)");
  EXPECT_EQ(unknown_field_paths(object, kSchema),
            (Paths{"spec.list[1].y", "spec.nested.b", "spec.zz", "status"}));
}

// What the server stores: the same walk, with the unknown fields removed and
// everything else (metadata, map keys) as it was.
TEST(PruneUnknownFields, RemovesExactlyTheReportedFields) {
  json object = yaml(R"(
apiVersion: example.com/v1
kind: Thing
metadata: {name: t, whatever: kept}
status: {}
spec:
  nested: {a: 1, b: 2}
  labels: {any: thing}
  list: [{x: "1"}, {x: "2", y: 3}]
)");
  const Paths expected_paths = unknown_field_paths(object, kSchema);
  EXPECT_EQ(prune_unknown_fields(object, kSchema), expected_paths);
  EXPECT_EQ(object, yaml(R"(
apiVersion: example.com/v1
kind: Thing
metadata: {name: t, whatever: kept}
spec:
  nested: {a: 1}
  labels: {any: thing}
  list: [{x: "1"}, {x: "2"}]
)"));
  EXPECT_EQ(unknown_field_paths(object, kSchema), Paths{});
}

TEST(UnknownFieldPaths, UnknownObjectReportedOnceNotItsContents) {
  const json object = yaml("spec: {extra: {deep: {deeper: 1}}}");
  EXPECT_EQ(unknown_field_paths(object, kSchema), Paths{"spec.extra"});
}

TEST(UnknownFieldPaths, MapKeysAreNeverUnknownButMapValuesAreChecked) {
  const json object = yaml(R"(
spec:
  labels: {any: thing, app.kubernetes.io/name: x}
  limits:
    cpu: {value: "1"}
    memory: {value: "1", unit: Gi}
)");
  EXPECT_EQ(unknown_field_paths(object, kSchema), Paths{"spec.limits.memory.unit"});
}

TEST(UnknownFieldPaths, PreservedUnknownFieldsAreNotReportedButDeclaredOnesAreChecked) {
  const json object = yaml(R"(
spec:
  free:
    anything: {goes: here}
    more: [1, 2]
    declared: {b: ok, typo: 1}
)");
  EXPECT_EQ(unknown_field_paths(object, kSchema), Paths{"spec.free.declared.typo"});
}

TEST(UnknownFieldPaths, PreserveUnknownFieldsAtTheRootKeepsEverything) {
  const json schema = yaml("type: object\nx-kubernetes-preserve-unknown-fields: true");
  EXPECT_EQ(unknown_field_paths(yaml("spec: {a: 1}\nother: 2"), schema), Paths{});
}

TEST(UnknownFieldPaths, EmbeddedResourcesKeepTheirTypeAndMetadata) {
  const json object = yaml(R"(
spec:
  template:
    apiVersion: v1
    kind: Pod
    metadata: {name: p}
    spec: {c: x, d: y}
)");
  EXPECT_EQ(unknown_field_paths(object, kSchema), Paths{"spec.template.spec.d"});
}

TEST(UnknownFieldPaths, MetaFieldsBelowTheRootAreOrdinaryFields) {
  EXPECT_EQ(unknown_field_paths(yaml("spec: {kind: x, metadata: {}}"), kSchema),
            (Paths{"spec.kind", "spec.metadata"}));
}

TEST(UnknownFieldPaths, NoSchemaMeansEverythingButTypeAndMetadataIsUnknown) {
  EXPECT_EQ(
      unknown_field_paths(yaml("apiVersion: v1\nkind: X\nmetadata: {}\nspec: {a: 1}"), json()),
      Paths{"spec"});
}

TEST(UnknownFieldPaths, EtcdTyposAsTheServerReportsThem) {
  const json object = yaml(R"(
apiVersion: druid.gardener.cloud/v1alpha1
kind: Etcd
metadata: {name: etcd-main, labels: {app: etcd}}
spec:
  replica: 3
  labels: {app: etcd, any-key: any-value}
  annotations: {example.com/note: x}
  etcd:
    qouta: 8Gi
    resources:
      requests: {cpu: 50m, example.com/gpu: "1"}
      limits: {memory: 1Gi}
  backup: {}
  schedulingConstraints:
    topologySpreadConstraints:
    - {maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule, skew: 2}
status:
  conditions:
  - {type: Ready, status: "True", reson: typo}
)");
  EXPECT_EQ(unknown_field_paths(object, etcd_schema()),
            (Paths{"spec.etcd.qouta", "spec.replica",
                   "spec.schedulingConstraints.topologySpreadConstraints[0].skew",
                   "status.conditions[0].reson"}));
}

TEST(UnknownFieldPaths, TasksAreCheckedAgainstTheirOwnCrds) {
  const json* copy = embedded_crd_schema("druid.gardener.cloud/v1alpha1", "EtcdCopyBackupsTask");
  const json* ops = embedded_crd_schema("druid.gardener.cloud/v1alpha1", "EtcdOpsTask");
  ASSERT_NE(copy, nullptr);
  ASSERT_NE(ops, nullptr);
  EXPECT_EQ(
      unknown_field_paths(yaml("spec: {podLabels: {a: b}, maxBackupAge: 7, maxAge: 7}"), *copy),
      Paths{"spec.maxAge"});
  EXPECT_EQ(
      unknown_field_paths(
          yaml("spec: {etcdName: e, config: {onDemandSnapshot: {type: full, kind: x}}}"), *ops),
      Paths{"spec.config.onDemandSnapshot.kind"});
}

TEST(StrictDecodingError, ListsEveryFieldAsTheServerDoes) {
  EXPECT_EQ(strict_decoding_error("Etcd", "v1alpha1", {"spec.etcd.qouta"}),
            "Etcd in version \"v1alpha1\" cannot be handled as a Etcd: strict decoding error: "
            "unknown field \"spec.etcd.qouta\"");
  EXPECT_EQ(strict_decoding_error("Etcd", "v1alpha1", {"spec.a", "spec.b"}),
            "Etcd in version \"v1alpha1\" cannot be handled as a Etcd: strict decoding error: "
            "unknown field \"spec.a\", unknown field \"spec.b\"");
}

}  // namespace
}  // namespace druid::api::validation
