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

TEST(CacheTest, UpsertGetEraseShareTheStoredObject) {
  Cache cache;
  ObjectPtr v1 = object("ns", "a", {}, "1");
  EXPECT_EQ(cache.upsert(v1), nullptr);
  EXPECT_EQ(cache.get("ns", "a"), v1);  // the same pointer: no copy
  EXPECT_EQ(cache.get("ns/a"), v1);
  EXPECT_EQ(cache.get("ns", "b"), nullptr);

  ObjectPtr v2 = object("ns", "a", {}, "2");
  EXPECT_EQ(cache.upsert(v2), v1);
  EXPECT_EQ(cache.get("ns", "a"), v2);
  // A reader holding the old version keeps a valid object.
  EXPECT_EQ((*v1)["metadata"]["resourceVersion"], "1");

  EXPECT_EQ(cache.erase("ns", "a"), v2);
  EXPECT_EQ(cache.erase("ns", "a"), nullptr);
  EXPECT_EQ(cache.size(), 0u);
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
  EXPECT_EQ(cache.get("ns", "kept"), kept);  // unchanged objects keep their pointer
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
