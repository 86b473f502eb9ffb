#include "api/validation/etcd_validation.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/codec.hpp"
#include "api/cron.hpp"
#include "api/duration.hpp"
#include "api/validation/schema_rules.hpp"
#include "util/name_syntax.hpp"

namespace druid::api::validation {
namespace {

using nlohmann::json;

// The member name of additionalAdvertisePeerURLs: an RFC 1123 label, a dash,
// the pod ordinal.
constexpr const char* kPeerUrlMemberNamePattern = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?-[0-9]+$";

bool matches_peer_url_member_name(std::string_view text) {
  const auto dash = text.rfind('-');
  if (dash == std::string_view::npos || dash + 1 == text.size()) return false;
  const auto ordinal = text.substr(dash + 1);
  return std::all_of(ordinal.begin(), ordinal.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
         util::matches_dns1123_label(text.substr(0, dash));
}

// The value at `key` of a JSON object (nullptr when absent or not an object).
const json* member(const json* object, std::string_view key) {
  if (object == nullptr || !object->is_object()) return nullptr;
  auto it = object->find(key);
  return it == object->end() ? nullptr : &*it;
}

// ---------------------------------------------------------------------------
// Schema keywords of the Etcd CRD, on the pruned JSON. Values of the wrong
// JSON type are skipped: decoding has reported them already.

class SchemaChecks {
 public:
  explicit SchemaChecks(FieldErrors& errors) : errors_(errors) {}

  void spec(const json* spec, const FieldPath& path) {
    if (spec == nullptr) return;
    if (const json* prefix = member(spec, "memberNamePrefix"); is_string(prefix)) {
      const auto p = path.child("memberNamePrefix");
      check_max_length(errors_, p, text(prefix), 63);
      check_pattern(errors_, p, text(prefix), kDns1123LabelPattern, util::matches_dns1123_label);
    }
    etcd_config(member(spec, "etcd"), path.child("etcd"));
    backup(member(spec, "backup"), path.child("backup"));
    if (const json* shared = member(spec, "sharedConfig")) {
      enumeration(member(shared, "autoCompactionMode"),
                  path.child("sharedConfig").child("autoCompactionMode"), {"periodic", "revision"});
    }
    quantity(member(spec, "storageCapacity"), path.child("storageCapacity"));
    scheduling_constraints(member(spec, "schedulingConstraints"),
                           path.child("schedulingConstraints"));
  }

  // The status formats (only an update validates a status).
  void status(const json* status, const FieldPath& path) {
    if (status == nullptr) return;
    list_date_times(member(status, "conditions"), path.child("conditions"),
                    {"lastTransitionTime", "lastUpdateTime"});
    list_date_times(member(status, "lastErrors"), path.child("lastErrors"), {"observedAt"});
    date_time(member(member(status, "lastOperation"), "lastUpdateTime"),
              path.child("lastOperation").child("lastUpdateTime"));
    list_date_times(member(status, "members"), path.child("members"), {"lastTransitionTime"});
    date_time(member(member(status, "bootstrapWithExistingCluster"), "joinedAt"),
              path.child("bootstrapWithExistingCluster").child("joinedAt"));
  }

 private:
  static bool is_string(const json* node) { return node != nullptr && node->is_string(); }
  static bool is_array(const json* node) { return node != nullptr && node->is_array(); }
  static const std::string& text(const json* node) { return node->get_ref<const std::string&>(); }

  void date_time(const json* node, const FieldPath& path) {
    if (is_string(node)) check_date_time(errors_, path, text(node));
  }
  void list_date_times(const json* list, const FieldPath& path,
                       std::initializer_list<const char*> keys) {
    if (!is_array(list)) return;
    for (std::size_t i = 0; i < list->size(); ++i) {
      for (const char* key : keys) date_time(member(&(*list)[i], key), path.index(i).child(key));
    }
  }

  void pattern(const json* node, const FieldPath& path, std::string_view pattern_text,
               StringMatcher matches) {
    if (is_string(node)) check_pattern(errors_, path, text(node), pattern_text, matches);
  }
  void duration(const json* node, const FieldPath& path) {
    pattern(node, path, kCrdDurationPattern, matches_crd_duration_pattern);
  }
  void cron(const json* node, const FieldPath& path) {
    pattern(node, path, kCrdCronPattern, matches_crd_cron_pattern);
  }
  // Int-or-string quantities: the pattern applies to strings only.
  void quantity(const json* node, const FieldPath& path) {
    pattern(node, path, kQuantityPattern, matches_quantity_pattern);
  }
  void enumeration(const json* node, const FieldPath& path,
                   const std::vector<std::string>& allowed) {
    if (is_string(node)) check_enum(errors_, path, text(node), allowed);
  }

  // The codec's type error for `node` when it is not of `type` (an object,
  // a list, an int-or-string); whether the type fits.
  bool expect_type(const json& node, const FieldPath& path, const char* type) {
    const bool fits = std::string_view(type) == "object" ? node.is_object()
                      : std::string_view(type) == "array"
                          ? node.is_array()
                          : node.is_string() || node.is_number_integer();
    if (!fits) {
      DecodeState state;
      report_type_error(node, type, path, state);
      errors_.insert(errors_.end(), state.errors.begin(), state.errors.end());
    }
    return fits;
  }

  // core/v1 ResourceRequirements (kept as JSON by the codec).
  void resources(const json* node, const FieldPath& path) {
    if (node == nullptr || !expect_type(*node, path, "object")) return;
    if (const json* claims = member(node, "claims");
        claims != nullptr && expect_type(*claims, path.child("claims"), "array")) {
      for (std::size_t i = 0; i < claims->size(); ++i) {
        const json& claim = (*claims)[i];
        const auto claim_path = path.child("claims").index(i);
        if (expect_type(claim, claim_path, "object") && !claim.contains("name")) {
          errors_.push_back(required_error(claim_path.child("name")));
        }
      }
    }
    for (const char* list : {"limits", "requests"}) {
      const json* quantities = member(node, list);
      if (quantities == nullptr || !expect_type(*quantities, path.child(list), "object")) continue;
      for (const auto& [name, value] : quantities->items()) {
        // kube-openapi names map entries "<map>.<key>".
        const auto p = path.child(list).child(name);
        if (expect_type(value, p, "integer or string")) quantity(&value, p);
      }
    }
  }

  // An URL list item: maxLength 2048 (its CEL rule is checked with the others).
  void url_list(const json* list, const FieldPath& path, std::size_t max_items) {
    if (!is_array(list)) return;
    for (std::size_t i = 0; i < list->size(); ++i) {
      const json& url = (*list)[i];
      if (url.is_string()) check_max_length(errors_, path.index(i), text(&url), 2048);
    }
    check_min_items(errors_, path, list->size(), 1);
    check_max_items(errors_, path, list->size(), max_items);
  }

  // core/v1 Affinity and TopologySpreadConstraints, kept as JSON by the codec:
  // their shape and the required fields of a spread constraint.
  void scheduling_constraints(const json* constraints, const FieldPath& path) {
    if (constraints == nullptr) return;
    if (const json* affinity = member(constraints, "affinity")) {
      expect_type(*affinity, path.child("affinity"), "object");
    }
    const json* spread = member(constraints, "topologySpreadConstraints");
    if (!is_array(spread)) return;
    for (std::size_t i = 0; i < spread->size(); ++i) {
      const json& item = (*spread)[i];
      const auto item_path = path.child("topologySpreadConstraints").index(i);
      if (!expect_type(item, item_path, "object")) continue;
      for (const char* key : {"maxSkew", "topologyKey", "whenUnsatisfiable"}) {
        if (!item.contains(key)) errors_.push_back(required_error(item_path.child(key)));
      }
    }
  }

  void etcd_config(const json* etcd, const FieldPath& path) {
    if (etcd == nullptr) return;
    quantity(member(etcd, "quota"), path.child("quota"));
    cron(member(etcd, "defragmentationSchedule"), path.child("defragmentationSchedule"));
    enumeration(member(etcd, "metrics"), path.child("metrics"), {"basic", "extensive"});
    resources(member(etcd, "resources"), path.child("resources"));
    additional_advertise_peer_urls(member(etcd, "additionalAdvertisePeerURLs"),
                                   path.child("additionalAdvertisePeerURLs"));
    duration(member(etcd, "etcdDefragTimeout"), path.child("etcdDefragTimeout"));
    duration(member(etcd, "heartbeatDuration"), path.child("heartbeatDuration"));
    if (const json* service = member(etcd, "clientService")) {
      enumeration(member(service, "trafficDistribution"),
                  path.child("clientService").child("trafficDistribution"),
                  {"PreferSameZone", "PreferSameNode", "PreferClose"});
    }
    enumeration(member(etcd, "backendBboltFreelistType"), path.child("backendBboltFreelistType"),
                {"array", "map"});
    bootstrap(member(etcd, "bootstrapWithExistingCluster"),
              path.child("bootstrapWithExistingCluster"));
  }

  void additional_advertise_peer_urls(const json* list, const FieldPath& path) {
    if (!is_array(list)) return;
    for (std::size_t i = 0; i < list->size(); ++i) {
      const json* item = &(*list)[i];
      const auto item_path = path.index(i);
      if (const json* name = member(item, "memberName"); is_string(name)) {
        const auto p = item_path.child("memberName");
        check_max_length(errors_, p, text(name), 253);
        check_pattern(errors_, p, text(name), kPeerUrlMemberNamePattern,
                      matches_peer_url_member_name);
      }
      url_list(member(item, "urls"), item_path.child("urls"), 5);
    }
    check_max_items(errors_, path, list->size(), 10);
  }

  void bootstrap(const json* bootstrap, const FieldPath& path) {
    if (bootstrap == nullptr) return;
    const json* members = member(bootstrap, "members");
    const auto members_path = path.child("members");
    if (is_array(members)) {
      for (std::size_t i = 0; i < members->size(); ++i) {
        const json* item = &(*members)[i];
        const auto item_path = members_path.index(i);
        if (const json* name = member(item, "name"); is_string(name)) {
          const auto p = item_path.child("name");
          check_max_length(errors_, p, text(name), 253);
          check_min_length(errors_, p, text(name), 1);
          check_pattern(errors_, p, text(name), kDns1123LabelPattern, util::matches_dns1123_label);
        }
        url_list(member(item, "peerUrls"), item_path.child("peerUrls"), 5);
      }
      check_min_items(errors_, members_path, members->size(), 1);
      check_max_items(errors_, members_path, members->size(), 10);
    }
    url_list(member(bootstrap, "clientEndpoints"), path.child("clientEndpoints"), 10);
  }

  void backup(const json* backup, const FieldPath& path) {
    if (backup == nullptr) return;
    if (const json* store = member(backup, "store")) {
      check_store_spec_schema(errors_, *store, path.child("store"));
    }
    resources(member(backup, "resources"), path.child("resources"));
    if (const json* compaction = member(backup, "snapshotCompaction")) {
      resources(member(compaction, "resources"),
                path.child("snapshotCompaction").child("resources"));
    }
    cron(member(backup, "fullSnapshotSchedule"), path.child("fullSnapshotSchedule"));
    enumeration(member(backup, "garbageCollectionPolicy"), path.child("garbageCollectionPolicy"),
                {"Exponential", "LimitBased"});
    for (const char* key : {"garbageCollectionPeriod", "deltaSnapshotPeriod",
                            "deltaSnapshotRetentionPeriod", "etcdSnapshotTimeout"}) {
      duration(member(backup, key), path.child(key));
    }
    quantity(member(backup, "deltaSnapshotMemoryLimit"), path.child("deltaSnapshotMemoryLimit"));
    if (const json* compression = member(backup, "compression")) {
      enumeration(member(compression, "policy"), path.child("compression").child("policy"),
                  {"gzip", "lzw", "zlib"});
    }
    if (const json* election = member(backup, "leaderElection")) {
      const auto p = path.child("leaderElection");
      duration(member(election, "reelectionPeriod"), p.child("reelectionPeriod"));
      duration(member(election, "etcdConnectionTimeout"), p.child("etcdConnectionTimeout"));
    }
  }

  FieldErrors& errors_;
};

// listType=set uniqueness of the URL lists.
FieldErrors set_duplicates(const json& object) {
  FieldErrors errors;
  const json* etcd = member(member(&object, "spec"), "etcd");
  const FieldPath etcd_path = FieldPath("spec").child("etcd");
  if (const json* list = member(etcd, "additionalAdvertisePeerURLs");
      list != nullptr && list->is_array()) {
    const auto path = etcd_path.child("additionalAdvertisePeerURLs");
    for (std::size_t i = 0; i < list->size(); ++i) {
      if (const json* urls = member(&(*list)[i], "urls")) {
        check_unique_set(errors, path.index(i).child("urls"), *urls);
      }
    }
  }
  if (const json* bootstrap = member(etcd, "bootstrapWithExistingCluster")) {
    const auto path = etcd_path.child("bootstrapWithExistingCluster");
    if (const json* members = member(bootstrap, "members");
        members != nullptr && members->is_array()) {
      for (std::size_t i = 0; i < members->size(); ++i) {
        if (const json* urls = member(&(*members)[i], "peerUrls")) {
          check_unique_set(errors, path.child("members").index(i).child("peerUrls"), *urls);
        }
      }
    }
    if (const json* endpoints = member(bootstrap, "clientEndpoints")) {
      check_unique_set(errors, path.child("clientEndpoints"), *endpoints);
    }
  }
  return errors;
}

// ---------------------------------------------------------------------------
// The scale subresource: the server reads `.spec.replicas` and `.status.replicas`
// as int64 and `.status.selector` as a string (paths keep their leading dot).

// Go's %v of a float64.
std::string go_float_text(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buffer[64];
  auto result =
      std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::scientific);
  std::string scientific(buffer, result.ptr);  // "d.ddde+XX" shortest digits
  const auto e = scientific.find('e');
  std::string digits = scientific.substr(0, e);
  const int exponent = std::stoi(scientific.substr(e + 1));
  const bool negative = !digits.empty() && digits[0] == '-';
  if (negative) digits.erase(0, 1);
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  std::string out;
  // %v is %g with the shortest digits: exponent form from 1e+06 on.
  if (exponent < -4 || exponent >= 6) {
    out = digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    out += fmt::format("e{}{:02d}", exponent < 0 ? '-' : '+', std::abs(exponent));
  } else if (exponent < 0) {
    out = "0." + std::string(static_cast<std::size_t>(-exponent - 1), '0') + digits;
  } else if (static_cast<std::size_t>(exponent) + 1 >= digits.size()) {
    out = digits + std::string(static_cast<std::size_t>(exponent) + 1 - digits.size(), '0');
  } else {
    out = digits.substr(0, static_cast<std::size_t>(exponent) + 1) + "." +
          digits.substr(static_cast<std::size_t>(exponent) + 1);
  }
  return negative ? "-" + out : out;
}

// Go's %v and %T of a value decoded from JSON into interface{}.
std::string go_value_text(const json& value) {
  switch (value.type()) {
    case json::value_t::string:
      return value.get<std::string>();
    case json::value_t::number_float:
      return go_float_text(value.get<double>());
    case json::value_t::array: {
      std::vector<std::string> items;
      for (const auto& item : value) items.push_back(go_value_text(item));
      return fmt::format("[{}]", fmt::join(items, " "));
    }
    case json::value_t::object: {
      std::vector<std::string> items;
      for (const auto& [k, v] : value.items()) items.push_back(k + ":" + go_value_text(v));
      return fmt::format("map[{}]", fmt::join(items, " "));
    }
    case json::value_t::null:
      return "<nil>";
    default:
      return value.dump();
  }
}

std::string go_type_name(const json& value) {
  switch (value.type()) {
    case json::value_t::string:
      return "string";
    case json::value_t::boolean:
      return "bool";
    case json::value_t::number_integer:
      return "int64";
    case json::value_t::number_unsigned:
      return value.get<std::uint64_t>() >
                     static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())
                 ? "float64"
                 : "int64";
    case json::value_t::number_float:
      return "float64";
    case json::value_t::array:
      return "[]interface {}";
    case json::value_t::object:
      return "map[string]interface {}";
    default:
      return "<nil>";
  }
}

// unstructured.NestedInt64 / NestedString followed by the scale checks.
void check_scale_field(FieldErrors& errors, const json& object,
                       const std::vector<std::string>& fields, bool is_replicas) {
  const std::string json_path = "." + fmt::format("{}", fmt::join(fields, "."));
  const FieldPath path(json_path);
  const json* value = &object;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (!value->is_object()) {
      const auto accessed =
          "." + fmt::format("{}", fmt::join(fields.begin(),
                                            fields.begin() + static_cast<long>(i) + 1, "."));
      errors.push_back(invalid_error(
          path, is_replicas ? json(0) : json(""),
          fmt::format("{} accessor error: {} is of the type {}, expected map[string]interface {{}}",
                      accessed, go_value_text(*value), go_type_name(*value))));
      return;
    }
    value = member(value, fields[i]);
    if (value == nullptr) return;  // absent: nothing to check
  }
  const bool is_int64 = value->is_number_integer() && go_type_name(*value) == "int64";
  const bool ok_type = is_replicas ? is_int64 : value->is_string();
  if (!ok_type) {
    errors.push_back(
        invalid_error(path, is_replicas ? json(0) : json(""),
                      fmt::format("{} accessor error: {} is of the type {}, expected {}", json_path,
                                  go_value_text(*value), go_type_name(*value),
                                  is_replicas ? "int64" : "string")));
    return;
  }
  if (!is_replicas) return;
  const auto replicas = value->get<std::int64_t>();
  if (replicas < 0) {
    errors.push_back(invalid_error(path, replicas, "should be a non-negative integer"));
  } else if (replicas > std::numeric_limits<std::int32_t>::max()) {
    errors.push_back(invalid_error(path, replicas,
                                   fmt::format("should be less than or equal to {}",
                                               std::numeric_limits<std::int32_t>::max())));
  }
}

FieldErrors scale_errors(const json& object) {
  FieldErrors errors;
  if (!object.is_object()) return errors;  // decoding has refused it already
  check_scale_field(errors, object, {"spec", "replicas"}, true);
  check_scale_field(errors, object, {"status", "replicas"}, true);
  check_scale_field(errors, object, {"status", "selector"}, false);
  return errors;
}

// ---------------------------------------------------------------------------
// CEL rules (the XValidation markers of upstream's api/core/v1alpha1/etcd.go), evaluated on the
// typed objects.

constexpr const char* kObject = "object";
constexpr const char* kString = "string";
constexpr const char* kInteger = "integer";

constexpr const char* kPeerUrlMessage =
    "must be a valid http:// or https:// URL (e.g., https://10.0.0.1:2380)";
constexpr const char* kClientEndpointMessage =
    "must be a valid http:// or https:// URL (e.g., https://etcd-source-client.source-ns.svc:2379)";

// A CEL boolean result: true, false, or an evaluation error.
struct CelResult {
  enum class Kind { kTrue, kFalse, kError };
  Kind kind = Kind::kTrue;
  std::string error;

  static CelResult of(bool holds) { return {holds ? Kind::kTrue : Kind::kFalse, {}}; }
  static CelResult failure(std::string error) { return {Kind::kError, std::move(error)}; }
};

// CEL's list.all(): false wins over errors, the first error wins over true.
template <class Items, class Predicate>
CelResult cel_all(const Items& items, Predicate predicate) {
  std::optional<CelResult> first_error;
  for (const auto& item : items) {
    CelResult o = predicate(item);
    if (o.kind == CelResult::Kind::kFalse) return o;
    if (o.kind == CelResult::Kind::kError && !first_error) first_error = std::move(o);
  }
  return first_error ? *first_error : CelResult::of(true);
}

// Equality of listType=set lists in Kubernetes CEL: same size, and every item
// of the first is in the second.
bool set_equal(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  if (a.size() != b.size()) return false;
  return std::all_of(a.begin(), a.end(), [&](const auto& item) {
    return std::find(b.begin(), b.end(), item) != b.end();
  });
}

bool members_equal(const std::vector<BootstrapExistingMember>& a,
                   const std::vector<BootstrapExistingMember>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const auto& x, const auto& y) {
    return x.name == y.name && set_equal(x.peer_urls, y.peer_urls);
  });
}

bool is_http_url(const std::string& url) {
  return (url.starts_with("http://") || url.starts_with("https://")) && cel_is_url(url);
}

// The name prefix a target member name starts with: "<prefix>-<etcd>-" or "<etcd>-".
std::string target_member_prefix(const Etcd& etcd) {
  if (etcd.spec.member_name_prefix) {
    return *etcd.spec.member_name_prefix + "-" + etcd.metadata.name + "-";
  }
  return etcd.metadata.name + "-";
}

class CelRules {
 public:
  // `old` and `old_object` are null on create.
  CelRules(const Etcd& etcd, const json& object, const Etcd* old, const json* old_object)
      : etcd_(etcd), object_(object), old_(old), old_object_(old_object) {}

  // The failed rules in evaluation order; `ratchetable` marks those without
  // oldSelf, whose errors validation ratcheting may drop.
  struct Finding {
    FieldError error;
    bool ratchetable = false;
  };
  std::vector<Finding> findings;

  void run() {
    const FieldPath spec_path("spec");
    root_rules();
    // The rules below sit on spec and its children (etcd and backup are
    // required: without them no rule runs at all).
    if (member(&object_, "spec") == nullptr) return;
    spec_rules(spec_path);
    backup_rules(spec_path.child("backup"));
    etcd_config_rules(spec_path.child("etcd"));
    field_rules(spec_path);
  }

 private:
  bool updating() const { return old_ != nullptr; }
  // Whether the old object has a value at spec[.key] (transition rules need one).
  bool old_has_spec_field(std::string_view key) const {
    const json* spec = member(old_object_, "spec");
    return key.empty() ? spec != nullptr : member(spec, key) != nullptr;
  }

  void report(const CelResult& outcome, const FieldPath& path, const char* type,
              const char* message, bool uses_old_self) {
    if (outcome.kind == CelResult::Kind::kTrue) return;
    if (outcome.kind == CelResult::Kind::kError) {
      // Evaluation errors are never ratcheted.
      findings.push_back({cel_evaluation_error(path, type, outcome.error, message), false});
    } else {
      findings.push_back({cel_rule_error(path, type, message), !uses_old_self});
    }
  }
  void rule(bool holds, const FieldPath& path, const char* type, const char* message) {
    report(CelResult::of(holds), path, type, message, false);
  }
  void transition_rule(bool holds, const FieldPath& path, const char* type, const char* message) {
    report(CelResult::of(holds), path, type, message, true);
  }

  // spec.<key> as CEL sees it (int64, not clamped to the Go type's int32).
  static std::optional<std::int64_t> integer_at(const json* object, std::string_view key) {
    const json* value = member(member(object, "spec"), key);
    if (value == nullptr || !value->is_number()) return std::nullopt;
    if (value->is_number_float()) {
      const double d = value->get<double>();
      // Out of int64's range the codec has reported the value already.
      if (!(std::abs(d) < 9.2e18)) return std::nullopt;
      return static_cast<std::int64_t>(d);
    }
    return value->get<std::int64_t>();
  }
  std::int64_t replicas() const {
    return integer_at(&object_, "replicas").value_or(etcd_.spec.replicas);
  }

  // The messages of the rules on the root object, in the CRD's order; the
  // bootstrap freeze rules (3, 4) use oldSelf.
  static constexpr const char* kMemberNamesMessage =
      "additionalAdvertisePeerURLs member names must start with the Etcd resource name followed "
      "by a dash";
  static constexpr const char* kMemberIndexMessage =
      "additionalAdvertisePeerURLs member name index must be less than replicas";
  static constexpr const char* kMembersFrozenMessage =
      "etcd.spec.etcd.bootstrapWithExistingCluster.members cannot be modified while the bootstrap "
      "is in progress";
  static constexpr const char* kEndpointsFrozenMessage =
      "etcd.spec.etcd.bootstrapWithExistingCluster.clientEndpoints cannot be modified while the "
      "bootstrap is in progress";
  static constexpr const char* kUniqueNamesMessage =
      "bootstrapWithExistingCluster.members[*].name must be unique";
  static constexpr const char* kNoCollisionMessage =
      "bootstrapWithExistingCluster.members[*].name must not collide with a target member (must "
      "not start with the target Etcd's member-name prefix)";

  void root_rules() {
    const FieldPath root;
    if (member(&object_, "spec") == nullptr) {
      // The schema does not require spec, but every root rule reads self.spec:
      // the rules fail to evaluate, unless (CEL's || absorbs errors) another
      // alternative of the freeze rules holds.
      const bool freeze_holds =
          updating() &&
          ((old_has_spec_field({}) && !old_->spec.etcd.bootstrap_with_existing_cluster) ||
           !bootstrap_in_progress());
      for (const char* message :
           {kMemberNamesMessage, kMemberIndexMessage, kMembersFrozenMessage,
            kEndpointsFrozenMessage, kUniqueNamesMessage, kNoCollisionMessage}) {
        const bool uses_old_self =
            message == kMembersFrozenMessage || message == kEndpointsFrozenMessage;
        if (uses_old_self && (!updating() || freeze_holds)) continue;
        report(CelResult::failure("no such key: spec"), root, kObject, message, uses_old_self);
      }
      return;
    }
    const auto& peer_urls = etcd_.spec.etcd.additional_advertise_peer_urls;
    const auto& bootstrap = etcd_.spec.etcd.bootstrap_with_existing_cluster;
    const auto prefix = target_member_prefix(etcd_);

    rule(std::all_of(peer_urls.begin(), peer_urls.end(),
                     [&](const auto& m) { return m.member_name.starts_with(prefix); }),
         root, kObject, kMemberNamesMessage);

    const auto limit = replicas();
    report(cel_all(peer_urls,
                   [&](const MemberPeerURLs& m) {
                     const auto dash = m.member_name.rfind('-');
                     const auto suffix =
                         dash == std::string::npos ? m.member_name : m.member_name.substr(dash + 1);
                     auto index = cel_string_to_int(suffix);
                     if (!index) return CelResult::failure(index.error());
                     return CelResult::of(*index < limit);
                   }),
           root, kObject, kMemberIndexMessage, false);

    if (updating() && bootstrap && old_->spec.etcd.bootstrap_with_existing_cluster &&
        bootstrap_in_progress()) {
      const auto& before = *old_->spec.etcd.bootstrap_with_existing_cluster;
      transition_rule(members_equal(bootstrap->members, before.members), root, kObject,
                      kMembersFrozenMessage);
      transition_rule(set_equal(bootstrap->client_endpoints, before.client_endpoints), root,
                      kObject, kEndpointsFrozenMessage);
    }

    if (bootstrap) {
      const auto& members = bootstrap->members;
      rule(std::all_of(members.begin(), members.end(),
                       [&](const auto& m1) {
                         return std::count_if(members.begin(), members.end(), [&](const auto& m2) {
                                  return m1.name == m2.name;
                                }) == 1;
                       }),
           root, kObject, kUniqueNamesMessage);
      rule(std::none_of(members.begin(), members.end(),
                        [&](const auto& m) { return m.name.starts_with(prefix); }),
           root, kObject, kNoCollisionMessage);
    }
  }

  // The BootstrappedWithExistingCluster condition of the new object is False.
  bool bootstrap_in_progress() const {
    if (!etcd_.status) return false;
    const auto& conditions = etcd_.status->conditions;
    return std::any_of(conditions.begin(), conditions.end(), [](const Condition& c) {
      return c.type == condition::kBootstrappedWithExistingCluster && c.status == kConditionFalse;
    });
  }

  void spec_rules(const FieldPath& path) {
    if (!updating() || !old_has_spec_field({})) return;
    const auto& now = etcd_.spec;
    const auto& before = old_->spec;
    transition_rule(before.storage_class.has_value() == now.storage_class.has_value(), path,
                    kObject, "etcd.spec.storageClass is an immutable field.");
    transition_rule(
        before.volume_claim_template.has_value() == now.volume_claim_template.has_value(), path,
        kObject, "etcd.spec.volumeClaimTemplate is an immutable field.");
    transition_rule(before.member_name_prefix.has_value() == now.member_name_prefix.has_value(),
                    path, kObject, "etcd.spec.memberNamePrefix is an immutable field.");
  }

  void backup_rules(const FieldPath& path) {
    const auto& backup = etcd_.spec.backup;
    if (backup.delta_snapshot_period && backup.garbage_collection_period) {
      auto delta = parse_duration(*backup.delta_snapshot_period);
      auto gc = parse_duration(*backup.garbage_collection_period);
      const auto outcome = (!delta || !gc)
                               ? CelResult::failure(kCelDurationConversionError)
                               : CelResult::of(delta->whole_seconds() < gc->whole_seconds());
      report(outcome, path, kObject,
             "etcd.spec.backup.garbageCollectionPeriod must be greater than "
             "etcd.spec.backup.deltaSnapshotPeriod",
             false);
    }
    if (backup.store) {
      FieldErrors store_errors;
      check_store_spec_rules(store_errors, *backup.store, path.child("store"));
      for (auto& e : store_errors) findings.push_back({std::move(e), true});
    }
  }

  void etcd_config_rules(const FieldPath& path) {
    const auto& config = etcd_.spec.etcd;
    const bool peer_tls = config.peer_url_tls.has_value();
    const bool client_tls = config.client_url_tls.has_value();
    const auto& additional = config.additional_advertise_peer_urls;
    auto all_additional_urls = [&](const char* scheme) {
      return std::all_of(additional.begin(), additional.end(), [&](const MemberPeerURLs& m) {
        return std::all_of(m.urls.begin(), m.urls.end(),
                           [&](const std::string& u) { return u.starts_with(scheme); });
      });
    };
    rule(!peer_tls || all_additional_urls("https://"), path, kObject,
         "when peerUrlTls is enabled, all additional advertise peer URLs must use https://");
    rule(peer_tls || all_additional_urls("http://"), path, kObject,
         "when peerUrlTls is not enabled, all additional advertise peer URLs must use http://");

    const auto& bootstrap = config.bootstrap_with_existing_cluster;
    auto all_member_urls = [&](const char* scheme) {
      const auto& members = bootstrap->members;
      return std::all_of(members.begin(), members.end(), [&](const BootstrapExistingMember& m) {
        return std::all_of(m.peer_urls.begin(), m.peer_urls.end(),
                           [&](const std::string& u) { return u.starts_with(scheme); });
      });
    };
    auto all_endpoints = [&](const char* scheme) {
      const auto& endpoints = bootstrap->client_endpoints;
      return std::all_of(endpoints.begin(), endpoints.end(),
                         [&](const std::string& u) { return u.starts_with(scheme); });
    };
    if (bootstrap) {
      rule(!peer_tls || all_member_urls("https://"), path, kObject,
           "when peerUrlTls is enabled, all bootstrapWithExistingCluster member peer URLs must use "
           "https://");
      rule(peer_tls || all_member_urls("http://"), path, kObject,
           "when peerUrlTls is not enabled, all bootstrapWithExistingCluster member peer URLs must "
           "use http://");
      rule(
          !client_tls || all_endpoints("https://"), path, kObject,
          "when clientUrlTls is enabled, all bootstrapWithExistingCluster clientEndpoints must use "
          "https://");
      rule(client_tls || all_endpoints("http://"), path, kObject,
           "when clientUrlTls is not enabled, all bootstrapWithExistingCluster clientEndpoints "
           "must use http://");
    }
    if (updating() && old_has_spec_field("etcd")) {
      transition_rule(!bootstrap || old_->spec.etcd.bootstrap_with_existing_cluster.has_value(),
                      path, kObject,
                      "etcd.spec.etcd.bootstrapWithExistingCluster cannot be added after the Etcd "
                      "resource has been created");
    }

    url_item_rules(path);
  }

  // The rule on every item of the URL lists.
  void url_item_rules(const FieldPath& etcd_path) {
    const auto& config = etcd_.spec.etcd;
    const auto additional_path = etcd_path.child("additionalAdvertisePeerURLs");
    for (std::size_t i = 0; i < config.additional_advertise_peer_urls.size(); ++i) {
      url_items(config.additional_advertise_peer_urls[i].urls,
                additional_path.index(i).child("urls"), kPeerUrlMessage);
    }
    if (const auto& bootstrap = config.bootstrap_with_existing_cluster) {
      const auto path = etcd_path.child("bootstrapWithExistingCluster");
      for (std::size_t i = 0; i < bootstrap->members.size(); ++i) {
        url_items(bootstrap->members[i].peer_urls, path.child("members").index(i).child("peerUrls"),
                  kPeerUrlMessage);
      }
      url_items(bootstrap->client_endpoints, path.child("clientEndpoints"), kClientEndpointMessage);
    }
  }

  void url_items(const std::vector<std::string>& urls, const FieldPath& path, const char* message) {
    for (std::size_t i = 0; i < urls.size(); ++i) {
      if (!is_http_url(urls[i]))
        findings.push_back({cel_rule_error(path.index(i), kString, message), true});
    }
  }

  // Rules on single fields of spec.
  void field_rules(const FieldPath& path) {
    if (!updating()) return;
    const auto& now = etcd_.spec;
    const auto& before = old_->spec;
    if (now.member_name_prefix && before.member_name_prefix) {
      transition_rule(*now.member_name_prefix == *before.member_name_prefix,
                      path.child("memberNamePrefix"), kString,
                      "etcd.spec.memberNamePrefix is an immutable field");
    }
    if (const auto old_self = integer_at(old_object_, "replicas")) {
      const auto self = replicas();
      transition_rule(self == 0 || self >= *old_self, path.child("replicas"), kInteger,
                      "Replicas can either be increased or be downscaled to 0.");
    }
    if (now.storage_class && before.storage_class) {
      transition_rule(*now.storage_class == *before.storage_class, path.child("storageClass"),
                      kString, "etcd.spec.storageClass is an immutable field");
    }
    if (now.volume_claim_template && before.volume_claim_template) {
      transition_rule(*now.volume_claim_template == *before.volume_claim_template,
                      path.child("volumeClaimTemplate"), kString,
                      "etcd.spec.VolumeClaimTemplate is an immutable field");
    }
  }

  const Etcd& etcd_;
  const json& object_;
  const Etcd* old_;
  const json* old_object_;
};

// ---------------------------------------------------------------------------

// One validation (create when `old_input` is null).
FieldErrors validate(const json& input, const json* old_input, EtcdChecks which) {
  if (auto errors = validate_type_meta(input, kApiVersion, kEtcdKind); !errors.empty()) {
    return errors;
  }
  const auto schema = schema_of<Etcd>();
  json object = prune_for_validation(input, schema);
  if (old_input == nullptr && object.is_object()) object.erase("status");

  Etcd etcd;
  FieldErrors schema_errors = decode_into(object, etcd, /*check_required=*/true);
  SchemaChecks checks(schema_errors);
  checks.spec(member(&object, "spec"), FieldPath("spec"));
  checks.status(member(&object, "status"), FieldPath("status"));

  std::optional<json> old_object;
  Etcd old_etcd;
  FieldErrors errors;
  if (old_input != nullptr) {
    old_object = prune_for_validation(*old_input, schema);
    // The stored object was accepted once; read what can be read.
    decode_into(*old_object, old_etcd);
    errors = validate_object_meta_update(etcd.metadata, old_etcd.metadata);
    drop_ratcheted(schema_errors, object, *old_object);
  } else {
    errors = validate_object_meta(etcd.metadata);
  }
  errors.insert(errors.end(), schema_errors.begin(), schema_errors.end());
  const auto scale = scale_errors(object);
  errors.insert(errors.end(), scale.begin(), scale.end());
  // On update, uniqueness is checked only if the old object had no duplicates.
  if (!old_object || set_duplicates(*old_object).empty()) {
    const auto duplicates = set_duplicates(object);
    errors.insert(errors.end(), duplicates.begin(), duplicates.end());
  }

  if (which == EtcdChecks::kSchemaOnly) return errors;
  if (has_blocking_error(errors)) {
    if (which == EtcdChecks::kRulesOnly)
      std::erase_if(errors, [](const FieldError& e) { return !is_blocking(e); });
    errors.push_back(rules_not_checked_error());
    return errors;
  }
  if (which == EtcdChecks::kRulesOnly) errors.clear();

  CelRules rules(etcd, object, old_object ? &old_etcd : nullptr,
                 old_object ? &*old_object : nullptr);
  rules.run();
  for (auto& finding : rules.findings) {
    if (old_object && finding.ratchetable && is_ratcheted(finding.error, object, *old_object)) {
      continue;
    }
    errors.push_back(std::move(finding.error));
  }
  return errors;
}

}  // namespace

void check_store_spec_schema(FieldErrors& errors, const json& store, const FieldPath& path) {
  const json* container = member(&store, "container");
  if (container == nullptr || !container->is_string()) return;
  const auto& value = container->get_ref<const std::string&>();
  check_max_length(errors, path.child("container"), value, 63);
  check_pattern(errors, path.child("container"), value, kStoreContainerPattern,
                matches_store_container_pattern);
}

void check_store_spec_rules(FieldErrors& errors, const StoreSpec& store, const FieldPath& path) {
  if (store.endpoint_override && !cel_is_url(*store.endpoint_override)) {
    errors.push_back(cel_rule_error(path.child("endpointOverride"), kString,
                                    "endpoint override must be a valid URL."));
  }
}

FieldErrors validate_etcd(const json& etcd, EtcdChecks checks) {
  return validate(etcd, nullptr, checks);
}

FieldErrors validate_etcd_update(const json& new_etcd, const json& old_etcd, EtcdChecks checks) {
  return validate(new_etcd, &old_etcd, checks);
}

}  // namespace druid::api::validation
