// The small pieces on their own: request paths, field selectors, base64,
// continue tokens, scale selectors, the registry and the metadata rules.

#include <gtest/gtest.h>

#include "apiserver/field_selector.hpp"
#include "apiserver/list_options.hpp"
#include "apiserver/object_meta_rules.hpp"
#include "apiserver/request_info.hpp"
#include "apiserver/resource_registry.hpp"
#include "apiserver/scale.hpp"
#include "apiserver/store.hpp"
#include "util/base64.hpp"

namespace druid::testing {
namespace {

using nlohmann::json;

bool namespaced(std::string_view, std::string_view, std::string_view r) {
  return r == "pods" || r == "configmaps";
}

TEST(RequestInfoTest, ResourcePaths) {
  auto get = parse_request_info("GET", "/api/v1/namespaces/ns/pods/p", false, namespaced);
  EXPECT_EQ(get.kind, RequestInfo::Kind::kResource);
  EXPECT_EQ(get.verb, "get");
  EXPECT_EQ(get.ns, "ns");
  EXPECT_EQ(get.resource, "pods");
  EXPECT_EQ(get.name, "p");

  auto status = parse_request_info("PUT", "/apis/apps/v1/namespaces/ns/statefulsets/s/status",
                                   false, [](auto, auto, auto) { return true; });
  EXPECT_EQ(status.group, "apps");
  EXPECT_EQ(status.verb, "update");
  EXPECT_EQ(status.subresource, "status");

  auto ns_status = parse_request_info("PUT", "/api/v1/namespaces/ns/status", false, namespaced);
  EXPECT_EQ(ns_status.resource, "namespaces");
  EXPECT_EQ(ns_status.name, "ns");
  EXPECT_EQ(ns_status.subresource, "status");

  auto list_all = parse_request_info("GET", "/api/v1/pods", false, namespaced);
  EXPECT_EQ(list_all.verb, "list");
  EXPECT_EQ(list_all.ns, "");
  EXPECT_EQ(parse_request_info("GET", "/api/v1/pods", true, namespaced).verb, "watch");
  EXPECT_EQ(parse_request_info("GET", "/api/v1/watch/namespaces/ns/pods", false, namespaced).verb,
            "watch");
  EXPECT_EQ(parse_request_info("DELETE", "/api/v1/namespaces/ns/pods", false, namespaced).verb,
            "deletecollection");
  EXPECT_EQ(parse_request_info("GET", "/apis/apps/v1", false, namespaced).kind,
            RequestInfo::Kind::kNonResource);
}

TEST(FieldSelectorTest, ParsesAndMatches) {
  auto s = FieldSelector::parse("metadata.name=a,status.phase!=Running");
  ASSERT_TRUE(s);
  json pod = {{"metadata", {{"name", "a"}}}, {"status", {{"phase", "Pending"}}}};
  EXPECT_TRUE(s->matches(pod));
  pod["status"]["phase"] = "Running";
  EXPECT_FALSE(s->matches(pod));
  EXPECT_EQ(*s->required_value("metadata.name"), "a");
  auto escaped = FieldSelector::parse(R"(metadata.name=a\,b)");
  ASSERT_TRUE(escaped);
  EXPECT_EQ(escaped->requirements()[0].value, "a,b");
  EXPECT_FALSE(FieldSelector::parse("nooperator"));
  EXPECT_EQ(field_value(json{{"spec", {{"n", 3}}}}, "spec.n"), "3");
  EXPECT_EQ(field_value(json::object(), "spec.n"), "");
}

TEST(Base64Test, RoundTrips) {
  const std::vector<std::string> samples = {"",    "a",    "ab",
                                            "abc", "abcd", std::string("\0\xff\x10", 3)};
  for (const std::string& s : samples) {
    EXPECT_EQ(*util::base64_decode(util::base64_encode(s)), s);
    EXPECT_EQ(*util::base64_decode(util::base64url_encode(s)), s);
  }
  EXPECT_EQ(util::base64_encode("hello"), "aGVsbG8=");
  EXPECT_EQ(util::base64url_encode("hello"), "aGVsbG8");
  EXPECT_FALSE(util::base64_decode("a b"));
}

TEST(ContinueTokenTest, RoundTripsAndRejectsGarbage) {
  auto token = decode_continue(encode_continue({42, "ns/name"}));
  ASSERT_TRUE(token);
  EXPECT_EQ(token->resource_version, 42);
  EXPECT_EQ(token->start_after, "ns/name");
  EXPECT_FALSE(decode_continue("e30"));  // "{}"
}

TEST(ScaleTest, SelectorStringOfLabelSelector) {
  json selector = {
      {"matchLabels", {{"b", "2"}, {"a", "1"}}},
      {"matchExpressions", json::array({{{"key", "c"}, {"operator", "In"}, {"values", {"y", "x"}}},
                                        {{"key", "d"}, {"operator", "DoesNotExist"}}})}};
  EXPECT_EQ(label_selector_string(selector), "a=1,b=2,c in (x,y),!d");
}

TEST(RegistryTest, BuiltinsAndCategories) {
  auto registry = ResourceRegistry::with_builtins();
  const ResourceType* sts = registry.find("apps", "v1", "statefulsets");
  ASSERT_NE(sts, nullptr);
  EXPECT_EQ(sts->short_names, std::vector<std::string>{"sts"});
  EXPECT_EQ(sts->categories, std::vector<std::string>{"all"});
  EXPECT_TRUE(sts->scale.has_value());
  EXPECT_EQ(sts->qualified_resource().str(), "statefulsets.apps");
  const ResourceType* cm = registry.find("", "v1", "configmaps");
  ASSERT_NE(cm, nullptr);
  EXPECT_TRUE(cm->categories.empty());
  EXPECT_EQ(registry.find_kind("coordination.k8s.io/v1", "Lease")->plural, "leases");
  const ResourceType* ns = registry.find("", "v1", "namespaces");
  EXPECT_FALSE(ns->has_verb("deletecollection"));
  EXPECT_FALSE(ns->namespaced);
}

TEST(MetadataRulesTest, GenerationAndStatusIsolation) {
  auto registry = ResourceRegistry::with_builtins();
  const ResourceType& sts = *registry.find("apps", "v1", "statefulsets");
  json old = {{"metadata", {{"name", "s"}, {"uid", "u"}, {"generation", 3}}},
              {"spec", {{"replicas", 1}}},
              {"status", {{"replicas", 1}}}};
  json updated = old;
  updated["metadata"]["labels"] = {{"a", "b"}};
  updated["status"]["replicas"] = 5;
  prepare_for_update(updated, old, sts);
  EXPECT_EQ(updated["metadata"]["generation"], 3);
  EXPECT_EQ(updated["status"]["replicas"], 1);
  updated["spec"]["replicas"] = 2;
  prepare_for_update(updated, old, sts);
  EXPECT_EQ(updated["metadata"]["generation"], 4);
  json status = prepare_for_status_update(
      json{{"status", {{"replicas", 9}}}, {"spec", {{"replicas", 7}}}}, old);
  EXPECT_EQ(status["spec"]["replicas"], 1);
  EXPECT_EQ(status["status"]["replicas"], 9);
}

TEST(StoreTest, ListAtRebuildsThePast) {
  Store store(100);
  store.create({"/configmaps", "ns", "a"},
               json{{"metadata", {{"name", "a"}, {"namespace", "ns"}}}});
  const auto version = store.current_resource_version();
  store.create({"/configmaps", "ns", "b"},
               json{{"metadata", {{"name", "b"}, {"namespace", "ns"}}}});
  store.update({"/configmaps", "ns", "a"},
               json{{"metadata", {{"name", "a"}, {"namespace", "ns"}}}, {"x", 1}});
  auto past = std::get<std::vector<json>>(store.list_at("/configmaps", "ns", version));
  ASSERT_EQ(past.size(), 1u);
  EXPECT_FALSE(past[0].contains("x"));
  store.compact();
  EXPECT_TRUE(std::holds_alternative<ExpiredVersion>(store.list_at("/configmaps", "ns", version)));
}

}  // namespace
}  // namespace druid::testing
