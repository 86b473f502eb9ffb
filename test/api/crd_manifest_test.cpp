// Checks of the shipped CRD manifests (config/crd) and examples (examples/) against the API
// description: parsing, the derived without-CEL variant, printer columns, subresources, short
// names, the set of CEL rules and where they sit, and that every example satisfies the schema.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace {

const std::string kSourceDir = DRUID_SOURCE_DIR;
const std::string kCrdDir = kSourceDir + "/config/crd/";
const std::string kExampleDir = kSourceDir + "/examples/";

const char* const kEtcdCrd = "druid.gardener.cloud_etcds.yaml";
const char* const kEtcdCrdWithoutCel = "druid.gardener.cloud_etcds_without_cel.yaml";
const char* const kCopyCrd = "druid.gardener.cloud_etcdcopybackupstasks.yaml";
const char* const kOpsCrd = "druid.gardener.cloud_etcdopstasks.yaml";

const char* const kValidations = "x-kubernetes-validations";

// yaml-cpp throws when a missing (zombie) node is asked for its type; these ask safely.
bool is_map(const YAML::Node& n) {
  return n.IsDefined() && n.IsMap();
}
bool is_seq(const YAML::Node& n) {
  return n.IsDefined() && n.IsSequence();
}
bool is_scalar(const YAML::Node& n) {
  return n.IsDefined() && n.IsScalar();
}

YAML::Node load_crd(const std::string& file) {
  return YAML::LoadFile(kCrdDir + file);
}

const YAML::Node version_of(const YAML::Node& crd) {
  return crd["spec"]["versions"][0];
}

const YAML::Node schema_of(const YAML::Node& crd) {
  return version_of(crd)["schema"]["openAPIV3Schema"];
}

// Deep copy of `node` with every `x-kubernetes-validations` key removed, at any depth.
YAML::Node strip_validations(const YAML::Node& node) {
  if (node.IsMap()) {
    YAML::Node out(YAML::NodeType::Map);
    for (const auto& kv : node) {
      const auto key = kv.first.as<std::string>();
      if (key == kValidations) continue;
      out[key] = strip_validations(kv.second);
    }
    return out;
  }
  if (node.IsSequence()) {
    YAML::Node out(YAML::NodeType::Sequence);
    for (const auto& item : node) out.push_back(strip_validations(item));
    return out;
  }
  return YAML::Clone(node);
}

// Deep comparison; returns the path of the first difference, or "" when equal.
std::string first_difference(const YAML::Node& a, const YAML::Node& b, const std::string& path) {
  if (a.Type() != b.Type()) return path + " (node type)";
  switch (a.Type()) {
    case YAML::NodeType::Scalar:
      return a.Scalar() == b.Scalar() ? "" : path + " (" + a.Scalar() + " != " + b.Scalar() + ")";
    case YAML::NodeType::Sequence: {
      if (a.size() != b.size()) return path + " (sequence length)";
      for (std::size_t i = 0; i < a.size(); ++i) {
        auto d = first_difference(a[i], b[i], path + "[" + std::to_string(i) + "]");
        if (!d.empty()) return d;
      }
      return "";
    }
    case YAML::NodeType::Map: {
      if (a.size() != b.size()) return path + " (map size)";
      for (const auto& kv : a) {
        const auto key = kv.first.as<std::string>();
        const YAML::Node& cb = b;
        const YAML::Node other = cb[key];
        if (!other.IsDefined()) return path + "." + key + " (missing)";
        auto d = first_difference(kv.second, other, path + "." + key);
        if (!d.empty()) return d;
      }
      return "";
    }
    default:
      return "";
  }
}

// Number of CEL rules per schema path ("" = root, "spec.etcd", "spec.replicas",
// "spec.etcd.additionalAdvertisePeerURLs[].urls[]", ...).
void collect_rules(const YAML::Node& schema, const std::string& path,
                   std::map<std::string, int>& out) {
  if (!schema.IsMap()) return;
  const YAML::Node rules = schema[kValidations];
  if (rules.IsDefined()) {
    EXPECT_TRUE(is_seq(rules)) << path;
    for (const auto& rule : rules) {
      EXPECT_TRUE(is_scalar(rule["rule"]) && !rule["rule"].Scalar().empty()) << path;
      EXPECT_TRUE(is_scalar(rule["message"]) && !rule["message"].Scalar().empty()) << path;
    }
    out[path] += static_cast<int>(rules.size());
  }
  const YAML::Node props = schema["properties"];
  if (is_map(props)) {
    for (const auto& kv : props) {
      const auto name = kv.first.as<std::string>();
      collect_rules(kv.second, path.empty() ? name : path + "." + name, out);
    }
  }
  const YAML::Node items = schema["items"];
  if (is_map(items)) collect_rules(items, path + "[]", out);
  const YAML::Node additional = schema["additionalProperties"];
  if (is_map(additional)) collect_rules(additional, path + "{}", out);
}

std::map<std::string, int> rules_by_path(const YAML::Node& crd) {
  std::map<std::string, int> out;
  collect_rules(schema_of(crd), "", out);
  return out;
}

int total_rules(const std::map<std::string, int>& by_path) {
  int n = 0;
  for (const auto& [path, count] : by_path) n += count;
  return n;
}

int count_key(const YAML::Node& node, const std::string& key) {
  int n = 0;
  if (node.IsMap()) {
    for (const auto& kv : node) {
      if (kv.first.as<std::string>() == key) ++n;
      n += count_key(kv.second, key);
    }
  } else if (node.IsSequence()) {
    for (const auto& item : node) n += count_key(item, key);
  }
  return n;
}

// The schema node at a dotted property path such as "spec.etcd" ("" = root).
const YAML::Node schema_at(const YAML::Node& crd, const std::string& dotted) {
  YAML::Node node = schema_of(crd);
  std::size_t pos = 0;
  while (pos < dotted.size()) {
    auto next = dotted.find('.', pos);
    if (next == std::string::npos) next = dotted.size();
    const YAML::Node current = node;
    // reset(), not operator=: assigning a yaml-cpp node would overwrite the tree it points into.
    node.reset(current["properties"][dotted.substr(pos, next - pos)]);
    pos = next + 1;
  }
  return node;
}

std::set<std::string> messages_at(const YAML::Node& crd, const std::string& dotted) {
  std::set<std::string> out;
  const YAML::Node rules = schema_at(crd, dotted)[kValidations];
  if (is_seq(rules)) {
    for (const auto& r : rules) out.insert(r["message"].as<std::string>());
  }
  return out;
}

struct Column {
  std::string name;
  std::string json_path;
  std::string type;
  int priority;
  bool operator==(const Column&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Column& c) {
  return os << "{" << c.name << ", " << c.json_path << ", " << c.type << ", " << c.priority << "}";
}

std::vector<Column> columns_of(const YAML::Node& crd) {
  std::vector<Column> out;
  for (const auto& c : version_of(crd)["additionalPrinterColumns"]) {
    out.push_back({c["name"].as<std::string>(), c["jsonPath"].as<std::string>(),
                   c["type"].as<std::string>(), c["priority"] ? c["priority"].as<int>() : 0});
  }
  return out;
}

std::vector<std::string> string_list(const YAML::Node& node) {
  std::vector<std::string> out;
  if (is_seq(node)) {
    for (const auto& v : node) out.push_back(v.as<std::string>());
  }
  return out;
}

// --- a small structural validator (types, required, enum, pattern, bounds, unknown fields) ---

bool is_int(const YAML::Node& v) {
  if (!v.IsScalar() || v.Tag() == "!") return false;  // quoted scalars carry the "!" tag
  return std::regex_match(v.Scalar(), std::regex(R"([-+]?[0-9]+)"));
}

bool is_bool(const YAML::Node& v) {
  if (!v.IsScalar() || v.Tag() == "!") return false;
  return v.Scalar() == "true" || v.Scalar() == "false";
}

void validate(const YAML::Node& schema, const YAML::Node& value, const std::string& path,
              std::vector<std::string>& errors) {
  auto fail = [&](const std::string& what) { errors.push_back(path + ": " + what); };
  if (schema["x-kubernetes-int-or-string"] && schema["x-kubernetes-int-or-string"].as<bool>()) {
    if (!value.IsScalar()) return fail("must be an int or a string");
    if (!is_int(value) && schema["pattern"] &&
        !std::regex_search(value.Scalar(), std::regex(schema["pattern"].as<std::string>()))) {
      fail("does not match the quantity pattern");
    }
    return;
  }
  const auto type = schema["type"] ? schema["type"].as<std::string>() : std::string();
  if (type == "object") {
    if (!value.IsMap()) return fail("must be an object");
    for (const auto& r : schema["required"]) {
      if (!value[r.as<std::string>()]) fail("missing required field " + r.as<std::string>());
    }
    const YAML::Node props = schema["properties"];
    const YAML::Node additional = schema["additionalProperties"];
    for (const auto& kv : value) {
      const auto key = kv.first.as<std::string>();
      if (props && props[key]) {
        validate(props[key], kv.second, path + "." + key, errors);
      } else if (additional) {
        validate(additional, kv.second, path + "." + key, errors);
      } else if (props) {
        fail("unknown field " + key);
      }
    }
    if (schema["minProperties"] && value.size() < schema["minProperties"].as<std::size_t>()) {
      fail("too few properties");
    }
    if (schema["maxProperties"] && value.size() > schema["maxProperties"].as<std::size_t>()) {
      fail("too many properties");
    }
  } else if (type == "array") {
    if (!value.IsSequence()) return fail("must be an array");
    if (schema["minItems"] && value.size() < schema["minItems"].as<std::size_t>()) {
      fail("too few items");
    }
    if (schema["maxItems"] && value.size() > schema["maxItems"].as<std::size_t>()) {
      fail("too many items");
    }
    for (std::size_t i = 0; i < value.size(); ++i) {
      validate(schema["items"], value[i], path + "[" + std::to_string(i) + "]", errors);
    }
  } else if (type == "string") {
    if (!value.IsScalar() || is_int(value) || is_bool(value)) return fail("must be a string");
    const auto& s = value.Scalar();
    if (schema["pattern"] &&
        !std::regex_search(s, std::regex(schema["pattern"].as<std::string>()))) {
      fail("does not match pattern " + schema["pattern"].as<std::string>());
    }
    if (schema["enum"]) {
      auto allowed = string_list(schema["enum"]);
      if (std::find(allowed.begin(), allowed.end(), s) == allowed.end()) fail("not in enum");
    }
    if (schema["maxLength"] && s.size() > schema["maxLength"].as<std::size_t>()) {
      fail("too long");
    }
    if (schema["minLength"] && s.size() < schema["minLength"].as<std::size_t>()) {
      fail("too short");
    }
  } else if (type == "integer") {
    if (!is_int(value)) return fail("must be an integer");
    if (schema["minimum"] && value.as<std::int64_t>() < schema["minimum"].as<std::int64_t>()) {
      fail("below minimum");
    }
  } else if (type == "boolean") {
    if (!is_bool(value)) fail("must be a boolean");
  }
}

// --- the tests ------------------------------------------------------------------------------

TEST(CrdManifest, AllFilesParseAsV1alpha1Crds) {
  const std::map<std::string, std::pair<std::string, std::string>> expected = {
      {kEtcdCrd, {"etcds", "Etcd"}},
      {kEtcdCrdWithoutCel, {"etcds", "Etcd"}},
      {kCopyCrd, {"etcdcopybackupstasks", "EtcdCopyBackupsTask"}},
      {kOpsCrd, {"etcdopstasks", "EtcdOpsTask"}},
  };
  for (const auto& [file, names] : expected) {
    SCOPED_TRACE(file);
    YAML::Node crd;
    ASSERT_NO_THROW(crd = load_crd(file));
    const auto& [plural, kind] = names;
    EXPECT_EQ(crd["apiVersion"].as<std::string>(), "apiextensions.k8s.io/v1");
    EXPECT_EQ(crd["kind"].as<std::string>(), "CustomResourceDefinition");
    EXPECT_EQ(crd["metadata"]["name"].as<std::string>(), plural + ".druid.gardener.cloud");
    EXPECT_EQ(
        crd["metadata"]["annotations"]["controller-gen.kubebuilder.io/version"].as<std::string>(),
        "v0.19.0");
    EXPECT_EQ(crd["spec"]["group"].as<std::string>(), "druid.gardener.cloud");
    EXPECT_EQ(crd["spec"]["scope"].as<std::string>(), "Namespaced");
    const auto n = crd["spec"]["names"];
    EXPECT_EQ(n["kind"].as<std::string>(), kind);
    EXPECT_EQ(n["listKind"].as<std::string>(), kind + "List");
    EXPECT_EQ(n["plural"].as<std::string>(), plural);
    EXPECT_EQ(n["singular"].as<std::string>(), plural.substr(0, plural.size() - 1));
    ASSERT_EQ(crd["spec"]["versions"].size(), 1u);
    const auto v = version_of(crd);
    EXPECT_EQ(v["name"].as<std::string>(), "v1alpha1");
    EXPECT_TRUE(v["served"].as<bool>());
    EXPECT_TRUE(v["storage"].as<bool>());
    EXPECT_TRUE(is_map(v["subresources"]["status"]));
    const auto schema = schema_of(crd);
    EXPECT_EQ(schema["type"].as<std::string>(), "object");
    EXPECT_EQ(schema["properties"]["apiVersion"]["type"].as<std::string>(), "string");
    EXPECT_EQ(schema["properties"]["kind"]["type"].as<std::string>(), "string");
    EXPECT_EQ(schema["properties"]["metadata"]["type"].as<std::string>(), "object");
    EXPECT_TRUE(is_map(schema["properties"]["spec"]));
    EXPECT_TRUE(is_map(schema["properties"]["status"]));
  }
}

TEST(CrdManifest, WithoutCelVariantIsCelVariantMinusValidations) {
  const auto cel = load_crd(kEtcdCrd);
  const auto without = load_crd(kEtcdCrdWithoutCel);
  EXPECT_GT(count_key(cel, kValidations), 0);
  EXPECT_EQ(count_key(without, kValidations), 0);
  EXPECT_EQ(first_difference(strip_validations(cel), without, ""), "");
  // The comparison itself must notice a difference.
  auto changed = strip_validations(cel);
  changed["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["required"]
      .push_back("extra");
  EXPECT_NE(first_difference(changed, without, ""), "");
}

TEST(CrdManifest, EtcdPrinterColumns) {
  const std::vector<Column> expected = {
      {"Ready", ".status.ready", "string", 0},
      {"Quorate", ".status.conditions[?(@.type==\"Ready\")].status", "string", 0},
      {"All Members Ready", ".status.conditions[?(@.type==\"AllMembersReady\")].status", "string",
       0},
      {"Backup Ready", ".status.conditions[?(@.type==\"BackupReady\")].status", "string", 0},
      {"Cluster ID Mismatch", ".status.conditions[?(@.type==\"ClusterIDMismatch\")].status",
       "string", 0},
      {"Age", ".metadata.creationTimestamp", "date", 0},
      {"Cluster Size", ".spec.replicas", "integer", 1},
      {"Current Replicas", ".status.currentReplicas", "integer", 1},
      {"Ready Replicas", ".status.readyReplicas", "integer", 1},
  };
  EXPECT_EQ(columns_of(load_crd(kEtcdCrd)), expected);
  EXPECT_EQ(columns_of(load_crd(kEtcdCrdWithoutCel)), expected);
}

TEST(CrdManifest, EtcdCopyBackupsTaskPrinterColumns) {
  const std::vector<Column> expected = {{"Age", ".metadata.creationTimestamp", "date", 0}};
  EXPECT_EQ(columns_of(load_crd(kCopyCrd)), expected);
}

TEST(CrdManifest, EtcdOpsTaskPrinterColumns) {
  const std::vector<Column> expected = {
      {"State", ".status.state", "string", 0},
      {"Etcd", ".spec.etcdName", "string", 0},
      {"Age", ".metadata.creationTimestamp", "date", 0},
      {"Phase", ".status.lastOperation.type", "string", 1},
      {"TTL", ".spec.ttlSecondsAfterFinished", "integer", 1},
  };
  EXPECT_EQ(columns_of(load_crd(kOpsCrd)), expected);
}

TEST(CrdManifest, OnlyEtcdHasScaleSubresource) {
  for (const auto* file : {kEtcdCrd, kEtcdCrdWithoutCel}) {
    SCOPED_TRACE(file);
    const auto scale = version_of(load_crd(file))["subresources"]["scale"];
    ASSERT_TRUE(is_map(scale));
    EXPECT_EQ(scale["specReplicasPath"].as<std::string>(), ".spec.replicas");
    EXPECT_EQ(scale["statusReplicasPath"].as<std::string>(), ".status.replicas");
    EXPECT_EQ(scale["labelSelectorPath"].as<std::string>(), ".status.selector");
  }
  for (const auto* file : {kCopyCrd, kOpsCrd}) {
    SCOPED_TRACE(file);
    EXPECT_FALSE(version_of(load_crd(file))["subresources"]["scale"].IsDefined());
  }
}

TEST(CrdManifest, ShortNames) {
  EXPECT_TRUE(string_list(load_crd(kEtcdCrd)["spec"]["names"]["shortNames"]).empty());
  EXPECT_TRUE(string_list(load_crd(kCopyCrd)["spec"]["names"]["shortNames"]).empty());
  EXPECT_EQ(string_list(load_crd(kOpsCrd)["spec"]["names"]["shortNames"]),
            std::vector<std::string>{"eot"});
}

TEST(CrdManifest, EtcdCelRulesSitWhereTheApiSays) {
  const std::map<std::string, int> expected = {
      {"", 6},
      {"spec", 3},
      {"spec.memberNamePrefix", 1},
      {"spec.replicas", 1},
      {"spec.storageClass", 1},
      {"spec.volumeClaimTemplate", 1},
      {"spec.etcd", 7},
      {"spec.etcd.additionalAdvertisePeerURLs[].urls[]", 1},
      {"spec.etcd.bootstrapWithExistingCluster.members[].peerUrls[]", 1},
      {"spec.etcd.bootstrapWithExistingCluster.clientEndpoints[]", 1},
      {"spec.backup", 1},
      {"spec.backup.store.endpointOverride", 1},
  };
  const auto actual = rules_by_path(load_crd(kEtcdCrd));
  EXPECT_EQ(actual, expected);
  EXPECT_EQ(total_rules(actual), 25);
}

TEST(CrdManifest, EtcdCelMessages) {
  const auto crd = load_crd(kEtcdCrd);
  EXPECT_EQ(messages_at(crd, "spec"),
            (std::set<std::string>{"etcd.spec.storageClass is an immutable field.",
                                   "etcd.spec.volumeClaimTemplate is an immutable field.",
                                   "etcd.spec.memberNamePrefix is an immutable field."}));
  EXPECT_EQ(messages_at(crd, "spec.replicas"),
            std::set<std::string>{"Replicas can either be increased or be downscaled to 0."});
  EXPECT_EQ(messages_at(crd, "spec.storageClass"),
            std::set<std::string>{"etcd.spec.storageClass is an immutable field"});
  EXPECT_EQ(messages_at(crd, "spec.volumeClaimTemplate"),
            std::set<std::string>{"etcd.spec.VolumeClaimTemplate is an immutable field"});
  EXPECT_EQ(messages_at(crd, "spec.memberNamePrefix"),
            std::set<std::string>{"etcd.spec.memberNamePrefix is an immutable field"});
  EXPECT_EQ(messages_at(crd, "spec.backup"),
            std::set<std::string>{"etcd.spec.backup.garbageCollectionPeriod must be greater than "
                                  "etcd.spec.backup.deltaSnapshotPeriod"});
  EXPECT_EQ(messages_at(crd, "spec.backup.store.endpointOverride"),
            std::set<std::string>{"endpoint override must be a valid URL."});
  const auto etcd_messages = messages_at(crd, "spec.etcd");
  EXPECT_TRUE(etcd_messages.count(
      "etcd.spec.etcd.bootstrapWithExistingCluster cannot be added after the Etcd resource has "
      "been created"));
  EXPECT_TRUE(etcd_messages.count(
      "when peerUrlTls is enabled, all additional advertise peer URLs must use https://"));
  const auto root_messages = messages_at(crd, "");
  EXPECT_TRUE(root_messages.count("bootstrapWithExistingCluster.members[*].name must be unique"));
  EXPECT_TRUE(root_messages.count(
      "additionalAdvertisePeerURLs member name index must be less than replicas"));
  const auto replicas_rule =
      schema_at(crd, "spec.replicas")[kValidations][0]["rule"].as<std::string>();
  EXPECT_EQ(replicas_rule, "self==0 ? true : self < oldSelf ? false : true");
}

TEST(CrdManifest, TaskCelRules) {
  const std::map<std::string, int> copy_expected = {
      {"spec.sourceStore.endpointOverride", 1},
      {"spec.targetStore.endpointOverride", 1},
  };
  EXPECT_EQ(rules_by_path(load_crd(kCopyCrd)), copy_expected);

  const auto ops = load_crd(kOpsCrd);
  const std::map<std::string, int> ops_expected = {
      {"spec.config", 1},
      {"spec.config.onDemandSnapshot", 1},
      {"spec.ttlSecondsAfterFinished", 1},
      {"spec.etcdName", 1},
  };
  EXPECT_EQ(rules_by_path(ops), ops_expected);
  EXPECT_EQ(messages_at(ops, "spec.config"), std::set<std::string>{"config is immutable"});
  EXPECT_EQ(messages_at(ops, "spec.config.onDemandSnapshot"),
            std::set<std::string>{"isFinal must be false (or omitted) when type is 'delta'"});
}

TEST(CrdManifest, RequiredSpecFields) {
  auto required = [](const char* file) {
    auto v = string_list(schema_of(load_crd(file))["properties"]["spec"]["required"]);
    return std::set<std::string>(v.begin(), v.end());
  };
  EXPECT_EQ(required(kEtcdCrd), (std::set<std::string>{"backup", "etcd", "labels", "replicas"}));
  EXPECT_EQ(required(kCopyCrd), (std::set<std::string>{"sourceStore", "targetStore"}));
  EXPECT_EQ(required(kOpsCrd), std::set<std::string>{"config"});
}

TEST(CrdManifest, DefaultsOnlyInEtcdOpsTask) {
  EXPECT_EQ(count_key(load_crd(kEtcdCrd), "default"), 0);
  EXPECT_EQ(count_key(load_crd(kCopyCrd), "default"), 0);
  const auto ops = load_crd(kOpsCrd);
  EXPECT_EQ(count_key(ops, "default"), 3);
  EXPECT_EQ(schema_at(ops, "spec.ttlSecondsAfterFinished")["default"].as<int>(), 3600);
  EXPECT_EQ(schema_at(ops, "spec.ttlSecondsAfterFinished")["minimum"].as<int>(), 1);
  const auto snapshot = schema_at(ops, "spec.config.onDemandSnapshot");
  EXPECT_EQ(snapshot["properties"]["timeoutSecondsDelta"]["default"].as<int>(), 60);
  EXPECT_EQ(snapshot["properties"]["timeoutSecondsDelta"]["minimum"].as<int>(), 10);
  EXPECT_EQ(snapshot["properties"]["timeoutSecondsFull"]["default"].as<int>(), 900);
  EXPECT_EQ(snapshot["properties"]["timeoutSecondsFull"]["minimum"].as<int>(), 120);
}

TEST(CrdManifest, ValidatorRejectsBrokenObjects) {
  const auto schema = schema_of(load_crd(kEtcdCrd));
  const auto broken = YAML::Load(R"(
apiVersion: druid.gardener.cloud/v1alpha1
kind: Etcd
metadata: {name: x}
spec:
  replicas: "3"
  labels: {}
  etcd: {metrics: full, quota: 8Gx}
  backup: {fullSnapshotSchedule: "61 23 * * *", store: {container: "a b", prefix: p}}
  unknownField: 1
)");
  std::vector<std::string> errors;
  validate(schema, broken, "", errors);
  EXPECT_EQ(errors.size(), 6u) << ::testing::PrintToString(errors);
}

TEST(CrdExamples, EachExampleSatisfiesItsCrd) {
  std::map<std::string, YAML::Node> crd_by_kind;
  for (const auto* file : {kEtcdCrd, kCopyCrd, kOpsCrd}) {
    auto crd = load_crd(file);
    crd_by_kind[crd["spec"]["names"]["kind"].as<std::string>()] = crd;
  }
  const std::map<std::string, std::string> examples = {
      {"etcd-minimal.yaml", "Etcd"},
      {"etcd-multinode-tls.yaml", "Etcd"},
      {"etcdcopybackupstask.yaml", "EtcdCopyBackupsTask"},
      {"etcdopstask.yaml", "EtcdOpsTask"},
  };
  for (const auto& [file, kind] : examples) {
    SCOPED_TRACE(file);
    YAML::Node obj;
    ASSERT_NO_THROW(obj = YAML::LoadFile(kExampleDir + file));
    ASSERT_EQ(obj["kind"].as<std::string>(), kind);
    ASSERT_TRUE(crd_by_kind.count(kind));
    const auto& crd = crd_by_kind[kind];
    EXPECT_EQ(obj["apiVersion"].as<std::string>(), crd["spec"]["group"].as<std::string>() + "/" +
                                                       version_of(crd)["name"].as<std::string>());
    EXPECT_FALSE(obj["metadata"]["name"].as<std::string>().empty());
    EXPECT_FALSE(obj["metadata"]["namespace"].as<std::string>().empty());
    for (const auto& field : string_list(schema_of(crd)["properties"]["spec"]["required"])) {
      EXPECT_TRUE(obj["spec"][field].IsDefined()) << "missing spec." << field;
    }
    std::vector<std::string> errors;
    validate(schema_of(crd), obj, "", errors);
    EXPECT_TRUE(errors.empty()) << ::testing::PrintToString(errors);
  }
}

TEST(CrdExamples, ExampleSpecifics) {
  const auto minimal = YAML::LoadFile(kExampleDir + "etcd-minimal.yaml");
  EXPECT_EQ(minimal["metadata"]["name"].as<std::string>(), "etcd-test");
  EXPECT_EQ(minimal["metadata"]["namespace"].as<std::string>(), "default");
  EXPECT_EQ(minimal["spec"]["replicas"].as<int>(), 1);
  EXPECT_EQ(minimal["spec"]["labels"]["app"].as<std::string>(), "etcd-statefulset");
  EXPECT_FALSE(minimal["spec"]["backup"]["store"].IsDefined());

  const auto multi = YAML::LoadFile(kExampleDir + "etcd-multinode-tls.yaml");
  EXPECT_EQ(multi["metadata"]["name"].as<std::string>(), "etcd-main");
  EXPECT_EQ(multi["spec"]["replicas"].as<int>(), 3);
  EXPECT_TRUE(is_map(multi["spec"]["etcd"]["clientUrlTls"]));
  EXPECT_TRUE(is_map(multi["spec"]["etcd"]["peerUrlTls"]));
  EXPECT_TRUE(is_map(multi["spec"]["backup"]["tls"]));
  EXPECT_EQ(multi["spec"]["backup"]["store"]["provider"].as<std::string>(), "Local");
  EXPECT_EQ(multi["spec"]["backup"]["fullSnapshotSchedule"].as<std::string>(), "0 */24 * * *");

  const auto ops = YAML::LoadFile(kExampleDir + "etcdopstask.yaml");
  EXPECT_EQ(ops["spec"]["etcdName"].as<std::string>(), "etcd-main");
  EXPECT_EQ(ops["spec"]["config"]["onDemandSnapshot"]["type"].as<std::string>(), "full");
}

}  // namespace
