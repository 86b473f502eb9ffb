#include "kube/cache.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace druid::kube {
namespace {

using nlohmann::json;

ObjectPtr object(const std::string& ns, const std::string& name, json labels = json::object(),
                 const std::string& rv = "1", json owners = json::array()) {
  json meta = {{"name", name}, {"resourceVersion", rv}, {"labels", std::move(labels)}};
  if (!ns.empty()) meta["namespace"] = ns;
  if (!owners.empty()) meta["ownerReferences"] = std::move(owners);
  return std::make_shared<const json>(
      json{{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", std::move(meta)}});
}

json owner(const std::string& uid) {
  return {{"apiVersion", "druid.gardener.cloud/v1alpha1"},
          {"kind", "Etcd"},
          {"name", "e"},
          {"uid", uid},
          {"controller", true}};
}

util::Selector selector(const std::string& text) {
  auto parsed = util::Selector::parse(text);
  EXPECT_TRUE(parsed.has_value()) << text;
  return parsed.value_or(util::Selector{});
}

std::vector<std::string> names(const std::vector<ObjectPtr>& objects) {
  std::vector<std::string> out;
  for (const auto& o : objects) out.push_back((*o)["metadata"]["name"].get<std::string>());
  return out;
}

TEST(ObjectKeyTest, NamespacedAndClusterScoped) {
  EXPECT_EQ(object_key("ns", "a"), "ns/a");
  EXPECT_EQ(object_key("", "node-1"), "node-1");
  EXPECT_EQ(object_key(*object("ns", "x")), "ns/x");
  EXPECT_EQ(object_key(*object("", "x")), "x");
}

TEST(CacheTest, UpsertGetEraseReturnTheStoredVersion) {
  Cache cache;
  ObjectPtr v1 = object("ns", "a", {{"app", "etcd"}}, "1");
  EXPECT_EQ(cache.upsert(v1), nullptr);
  ASSERT_NE(cache.get("ns", "a"), nullptr);
  EXPECT_EQ(*cache.get("ns", "a"), *v1);
  EXPECT_EQ(*cache.get("ns/a"), *v1);
  EXPECT_EQ(cache.get("ns", "b"), nullptr);

  ObjectPtr v2 = object("ns", "a", {}, "2");
  ObjectPtr previous = cache.upsert(v2);
  ASSERT_NE(previous, nullptr);
  EXPECT_EQ(*previous, *v1);
  EXPECT_EQ(*cache.get("ns", "a"), *v2);
  // A reader holding what it read keeps a valid object after the update.
  EXPECT_EQ((*previous)["metadata"]["resourceVersion"], "1");

  ObjectPtr erased = cache.erase("ns", "a");
  ASSERT_NE(erased, nullptr);
  EXPECT_EQ(*erased, *v2);
  EXPECT_EQ(cache.erase("ns", "a"), nullptr);
  EXPECT_EQ(cache.size(), 0u);
}

TEST(CacheTest, PackedObjectsReadBackExactly) {
  // Every JSON type an API object holds: nested objects and arrays, strings
  // with escapes and non-ASCII text, negative and large integers, floats,
  // booleans and null, empty containers.
  const json original = {
      {"apiVersion", "v1"},
      {"kind", "ConfigMap"},
      {"metadata", {{"name", "a"}, {"namespace", "ns"}, {"resourceVersion", "7"}}},
      {"data",
       {{"etcd.conf.yaml", "name: etcd\ninitial-cluster: \"a=https://x:2380\"\n"},
        {"unicode", "gr\u00fc\u00dfe \u2603"}}},
      {"numbers", {0, -1, 9007199254740993LL, 18446744073709551615ULL, 0.5, -2.25e-7}},
      {"flags", {{"on", true}, {"off", false}, {"none", nullptr}}},
      {"empty", {{"object", json::object()}, {"array", json::array()}, {"string", ""}}}};
  Cache cache;
  cache.upsert(std::make_shared<const json>(original));
  ASSERT_NE(cache.get("ns", "a"), nullptr);
  EXPECT_EQ(*cache.get("ns", "a"), original);
  EXPECT_EQ(cache.get("ns", "a")->dump(), original.dump());
}

TEST(CacheTest, ListsByNamespaceWithoutPrefixConfusion) {
  Cache cache;
  cache.upsert(object("ns", "a"));
  cache.upsert(object("ns", "b"));
  cache.upsert(object("ns2", "c"));
  cache.upsert(object("n", "d"));
  EXPECT_EQ(names(cache.list("ns")), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(names(cache.list("ns2")), (std::vector<std::string>{"c"}));
  EXPECT_EQ(names(cache.list("n")), (std::vector<std::string>{"d"}));
  EXPECT_EQ(cache.list().size(), 4u);
  EXPECT_TRUE(cache.list("other").empty());
}

TEST(CacheTest, ListsByLabelSelector) {
  Cache cache;
  cache.upsert(object("ns", "a", {{"app", "etcd"}, {"role", "main"}}));
  cache.upsert(object("ns", "b", {{"app", "etcd"}, {"role", "events"}}));
  cache.upsert(object("ns", "c", {{"app", "other"}}));
  cache.upsert(object("ns2", "d", {{"app", "etcd"}, {"role", "main"}}));
  cache.upsert(object("ns", "e"));

  EXPECT_EQ(names(cache.list("ns", selector("app=etcd"))), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(names(cache.list("", selector("app=etcd,role=main"))),
            (std::vector<std::string>{"a", "d"}));
  EXPECT_EQ(names(cache.list("ns", selector("role in (main,events)"))),
            (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(names(cache.list("ns", selector("app!=etcd"))), (std::vector<std::string>{"c", "e"}));
  EXPECT_EQ(names(cache.list("ns", selector("role"))), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(names(cache.list("ns", selector("!role"))), (std::vector<std::string>{"c", "e"}));
  EXPECT_EQ(names(cache.list("ns", selector("app=etcd,role notin (main)"))),
            (std::vector<std::string>{"b"}));
  EXPECT_TRUE(cache.list("ns", selector("app=missing")).empty());
}

TEST(CacheTest, LabelIndexFollowsUpdatesAndDeletes) {
  Cache cache;
  cache.upsert(object("ns", "a", {{"app", "etcd"}}, "1"));
  EXPECT_EQ(cache.list("ns", selector("app=etcd")).size(), 1u);
  cache.upsert(object("ns", "a", {{"app", "moved"}}, "2"));
  EXPECT_TRUE(cache.list("ns", selector("app=etcd")).empty());
  EXPECT_EQ(names(cache.list("ns", selector("app=moved"))), (std::vector<std::string>{"a"}));
  cache.erase("ns", "a");
  EXPECT_TRUE(cache.list("ns", selector("app=moved")).empty());
}

TEST(CacheTest, IndexesOwnerUids) {
  Cache cache;
  cache.upsert(object("ns", "a", {}, "1", json::array({owner("uid-1")})));
  cache.upsert(object("ns", "b", {}, "1", json::array({owner("uid-1"), owner("uid-2")})));
  cache.upsert(object("ns", "c", {}, "1", json::array({owner("uid-2")})));
  EXPECT_EQ(names(cache.by_owner("uid-1")), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(names(cache.by_owner("uid-2")), (std::vector<std::string>{"b", "c"}));

  // The owner reference removed by an update, and an object deleted.
  cache.upsert(object("ns", "b", {}, "2", json::array({owner("uid-2")})));
  EXPECT_EQ(names(cache.by_owner("uid-1")), (std::vector<std::string>{"a"}));
  cache.erase("ns", "a");
  EXPECT_TRUE(cache.by_owner("uid-1").empty());
  EXPECT_TRUE(cache.by_owner("unknown").empty());
}

TEST(CacheTest, ReplaceReportsTheDifference) {
  Cache cache;
  ObjectPtr kept = object("ns", "kept", {}, "5");
  cache.upsert(kept);
  cache.upsert(object("ns", "changed", {}, "6"));
  cache.upsert(object("ns", "gone", {}, "7"));

  CacheDiff diff = cache.replace({object("ns", "kept", {}, "5"), object("ns", "changed", {}, "9"),
                                  object("ns", "new", {}, "10")});
  ASSERT_EQ(diff.added.size(), 1u);
  EXPECT_EQ((*diff.added[0])["metadata"]["name"], "new");
  ASSERT_EQ(diff.updated.size(), 1u);
  EXPECT_EQ((*diff.updated[0].first)["metadata"]["resourceVersion"], "6");
  EXPECT_EQ((*diff.updated[0].second)["metadata"]["resourceVersion"], "9");
  ASSERT_EQ(diff.deleted.size(), 1u);
  EXPECT_EQ((*diff.deleted[0])["metadata"]["name"], "gone");
  EXPECT_EQ(cache.keys(), (std::vector<std::string>{"ns/changed", "ns/kept", "ns/new"}));
  EXPECT_EQ(*cache.get("ns", "kept"), *kept);
}

json event(const std::string& ns, const std::string& name, const std::string& involved_name,
           const std::string& rv = "1") {
  return {{"apiVersion", "v1"},
          {"kind", "Event"},
          {"metadata", {{"name", name}, {"namespace", ns}, {"resourceVersion", rv}}},
          {"involvedObject",
           {{"kind", "PersistentVolumeClaim"}, {"name", involved_name}, {"namespace", ns}}},
          {"type", "Warning"}};
}

// The same answers with and without the index, which only changes how they
// are found.
TEST(CacheTest, ListsByFieldWithAndWithoutAnIndex) {
  for (const bool indexed : {true, false}) {
    SCOPED_TRACE(indexed ? "indexed" : "scanned");
    Cache cache(indexed ? std::vector<std::string>{"involvedObject.name"}
                        : std::vector<std::string>{});
    cache.upsert(std::make_shared<const json>(event("ns", "e1", "data-etcd-0")));
    cache.upsert(std::make_shared<const json>(event("ns", "e2", "data-etcd-1")));
    cache.upsert(std::make_shared<const json>(event("ns", "e3", "data-etcd-0")));
    cache.upsert(std::make_shared<const json>(event("ns2", "e4", "data-etcd-0")));
    cache.upsert(object("ns", "no-involved-object"));

    EXPECT_EQ(names(cache.list_by_field("ns", "involvedObject.name", "data-etcd-0")),
              (std::vector<std::string>{"e1", "e3"}));
    EXPECT_EQ(names(cache.list_by_field("", "involvedObject.name", "data-etcd-0")),
              (std::vector<std::string>{"e1", "e3", "e4"}));
    EXPECT_EQ(names(cache.list_by_field("ns", "involvedObject.name", "data-etcd-1")),
              (std::vector<std::string>{"e2"}));
    EXPECT_TRUE(cache.list_by_field("ns", "involvedObject.name", "data-etcd-2").empty());
    EXPECT_TRUE(cache.list_by_field("n", "involvedObject.name", "data-etcd-0").empty());
    // An absent field reads as "", as field selectors read it.
    EXPECT_EQ(names(cache.list_by_field("ns", "involvedObject.name", "")),
              (std::vector<std::string>{"no-involved-object"}));

    // The index follows updates, relists and deletes.
    cache.upsert(std::make_shared<const json>(event("ns", "e1", "data-etcd-1", "2")));
    EXPECT_EQ(names(cache.list_by_field("ns", "involvedObject.name", "data-etcd-0")),
              (std::vector<std::string>{"e3"}));
    EXPECT_EQ(names(cache.list_by_field("ns", "involvedObject.name", "data-etcd-1")),
              (std::vector<std::string>{"e1", "e2"}));
    cache.erase("ns", "e2");
    cache.replace({std::make_shared<const json>(event("ns", "e1", "data-etcd-1", "2")),
                   std::make_shared<const json>(event("ns", "e5", "data-etcd-1", "3"))});
    EXPECT_EQ(names(cache.list_by_field("ns", "involvedObject.name", "data-etcd-1")),
              (std::vector<std::string>{"e1", "e5"}));
    EXPECT_TRUE(cache.list_by_field("ns", "involvedObject.name", "data-etcd-0").empty());
  }
}

TEST(CacheTest, ReadersRunConcurrentlyWithAWriter) {
  Cache cache;
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int i = 0; i < 2000; ++i) {
      cache.upsert(object("ns", "o" + std::to_string(i % 50), {{"n", std::to_string(i % 3)}},
                          std::to_string(i)));
      if (i % 7 == 0) cache.erase("ns", "o" + std::to_string((i + 13) % 50));
    }
    done = true;
  });
  std::size_t reads = 0;
  while (!done) {
    for (const auto& o : cache.list("ns", selector("n=1"))) {
      ASSERT_EQ((*o)["metadata"]["labels"]["n"], "1");
      ++reads;
    }
  }
  writer.join();
  EXPECT_LE(cache.size(), 50u);
  SUCCEED() << reads << " objects read";
}

}  // namespace
}  // namespace druid::kube
