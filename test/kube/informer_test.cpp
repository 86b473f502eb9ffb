#include "kube/informer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>
#include <optional>
#include <set>

#include "support/eventually.hpp"
#include "support/live_server.hpp"

namespace druid::kube {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using test::config_map;
using test::eventually;

// What the handlers saw, in order: "add ns/a", "update ns/a 5->6", "delete ns/a".
class EventLog {
 public:
  EventHandlers handlers() {
    EventHandlers h;
    h.on_add = [this](const ObjectPtr& o) { push("add " + object_key(*o)); };
    h.on_update = [this](const ObjectPtr& old_object, const ObjectPtr& new_object) {
      if (old_object == new_object) {
        push("resync " + object_key(*new_object));
        return;
      }
      push("update " + object_key(*new_object) + " " + rv(*old_object) + "->" + rv(*new_object));
      std::lock_guard lock(mutex_);
      last_old_ = old_object;
      last_new_ = new_object;
    };
    h.on_delete = [this](const ObjectPtr& o) { push("delete " + object_key(*o)); };
    return h;
  }
  std::vector<std::string> entries() const {
    std::lock_guard lock(mutex_);
    return entries_;
  }
  int count(const std::string& prefix) const {
    std::lock_guard lock(mutex_);
    return static_cast<int>(std::count_if(entries_.begin(), entries_.end(),
                                          [&](const auto& e) { return e.starts_with(prefix); }));
  }
  std::pair<ObjectPtr, ObjectPtr> last_update() const {
    std::lock_guard lock(mutex_);
    return {last_old_, last_new_};
  }

 private:
  static std::string rv(const json& o) { return o["metadata"]["resourceVersion"]; }
  void push(std::string entry) {
    std::lock_guard lock(mutex_);
    entries_.push_back(std::move(entry));
  }
  mutable std::mutex mutex_;
  std::vector<std::string> entries_;
  ObjectPtr last_old_, last_new_;
};

class InformerTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(test::create_namespace(client(), "inf"), ""); }
  Client& client() { return live_.client(); }
  testing::TestApiServer& server() { return live_.server(); }

  InformerOptions options(const util::ResourceType& type = resources::kConfigMaps) {
    InformerOptions o;
    o.type = type;
    o.ns = "inf";
    o.backoff = {1ms, 20ms};
    return o;
  }
  void create_cm(const std::string& name, json labels = json::object(),
                 json data = json::object()) {
    auto created = client().create(resources::kConfigMaps, "inf",
                                   config_map("inf", name, std::move(labels), std::move(data)));
    ASSERT_TRUE(created) << created.error().what();
  }
  // The informer's watch is registered in the server (so a disconnect hits it).
  bool watching() {
    return eventually([&] { return server().core().open_watches() >= 1; });
  }
  std::int64_t requests(const std::string& verb, const std::string& resource) {
    return server().controls().request_count(verb, resource);
  }

  test::LiveServer live_;
};

TEST_F(InformerTest, DeliversAddUpdateDeleteAndKeepsTheCache) {
  create_cm("before");
  Informer informer(client(), options());
  EventLog log;
  informer.add_handlers(log.handlers());
  EXPECT_FALSE(informer.has_synced());
  informer.start();
  ASSERT_TRUE(informer.wait_for_sync(5s));
  EXPECT_EQ(log.entries(), std::vector<std::string>{"add inf/before"});
  // Listed objects carry apiVersion and kind like watched ones.
  auto before = informer.cache().get("inf", "before");
  ASSERT_TRUE(before);
  EXPECT_EQ((*before)["kind"], "ConfigMap");
  EXPECT_EQ((*before)["apiVersion"], "v1");

  create_cm("a", json::object(), {{"k", "1"}});
  ASSERT_TRUE(eventually([&] { return log.count("add inf/a") == 1; }));
  ASSERT_TRUE(client().patch(resources::kConfigMaps, "inf", "a", PatchType::kMerge,
                             json{{"data", {{"k", "2"}}}}));
  ASSERT_TRUE(eventually([&] { return log.count("update inf/a") == 1; }));
  auto [old_object, new_object] = log.last_update();
  EXPECT_EQ((*old_object)["data"]["k"], "1");
  EXPECT_EQ((*new_object)["data"]["k"], "2");
  ASSERT_NE(informer.cache().get("inf", "a"), nullptr);
  EXPECT_EQ(*informer.cache().get("inf", "a"), *new_object);

  ASSERT_TRUE(client().remove(resources::kConfigMaps, "inf", "a"));
  ASSERT_TRUE(eventually([&] { return log.count("delete inf/a") == 1; }));
  EXPECT_EQ(informer.cache().get("inf", "a"), nullptr);
  EXPECT_EQ(informer.cache().keys(), std::vector<std::string>{"inf/before"});
  EXPECT_EQ(informer.stats().lists, 1u);
  informer.stop();
}

TEST_F(InformerTest, ListsInPages) {
  for (int i = 0; i < 7; ++i) create_cm("cm-" + std::to_string(i));
  InformerOptions o = options();
  o.page_size = 3;
  Informer informer(client(), o);
  EventLog log;
  informer.add_handlers(log.handlers());
  informer.start();
  ASSERT_TRUE(informer.wait_for_sync(5s));
  EXPECT_EQ(informer.cache().size(), 7u);
  EXPECT_EQ(log.count("add "), 7);
  EXPECT_EQ(requests("list", "configmaps"), 3);  // 3 + 3 + 1
  EXPECT_FALSE(informer.resource_version().empty());
}

TEST_F(InformerTest, LabelSelectorCachesOnlyMatchingObjects) {
  InformerOptions o = options();
  o.label_selector = "app.kubernetes.io/managed-by=etcd-druid";
  Informer informer(client(), o);
  EventLog log;
  informer.add_handlers(log.handlers());
  informer.start();
  ASSERT_TRUE(informer.wait_for_sync(5s));
  create_cm("other", {{"app", "x"}});
  create_cm("managed", {{"app.kubernetes.io/managed-by", "etcd-druid"}});
  ASSERT_TRUE(eventually([&] { return log.count("add inf/managed") == 1; }));
  EXPECT_EQ(informer.cache().keys(), std::vector<std::string>{"inf/managed"});

  // An object that stops matching leaves the cache as a delete.
  ASSERT_TRUE(client().patch(
      resources::kConfigMaps, "inf", "managed", PatchType::kMerge,
      json{{"metadata", {{"labels", {{"app.kubernetes.io/managed-by", "someone-else"}}}}}}));
  ASSERT_TRUE(eventually([&] { return log.count("delete inf/managed") == 1; }));
  EXPECT_EQ(informer.cache().size(), 0u);
  EXPECT_EQ(log.count("add inf/other"), 0);
}

TEST_F(InformerTest, MetadataOnlyNeverCachesSecretData) {
  json secret = {{"apiVersion", "v1"},
                 {"kind", "Secret"},
                 {"metadata", {{"name", "tls"}, {"namespace", "inf"}, {"labels", {{"a", "b"}}}}},
                 {"type", "Opaque"},
                 {"data", {{"key", "c2VjcmV0"}}}};
  ASSERT_TRUE(client().create(resources::kSecrets, "inf", secret));
  InformerOptions o = options(resources::kSecrets);
  o.metadata_only = true;
  Informer informer(client(), o);
  informer.start();
  ASSERT_TRUE(informer.wait_for_sync(5s));
  secret["metadata"]["name"] = "watched";
  ASSERT_TRUE(client().create(resources::kSecrets, "inf", secret));
  ASSERT_TRUE(eventually([&] { return informer.cache().size() == 2; }));
  for (const auto& cached : informer.cache().list()) {
    EXPECT_FALSE(cached->contains("data")) << cached->dump();
    EXPECT_FALSE(cached->contains("type")) << cached->dump();
    EXPECT_EQ((*cached)["kind"], "Secret");
    EXPECT_EQ((*cached)["metadata"]["labels"]["a"], "b");
    EXPECT_FALSE((*cached)["metadata"].contains("managedFields"));
  }
}

// What a metadata-only informer asks for: the API server answers lists with
// a PartialObjectMetadataList and watches with PartialObjectMetadata events,
// so a Secret's data never crosses the wire (client-go's metadata client).
TEST_F(InformerTest, MetadataOnlyReadsGetPartialObjectMetadataFromTheServer) {
  json secret = {{"apiVersion", "v1"},
                 {"kind", "Secret"},
                 {"metadata", {{"name", "tls"}, {"namespace", "inf"}}},
                 {"data", {{"key", "c2VjcmV0"}}}};
  ASSERT_TRUE(client().create(resources::kSecrets, "inf", secret));

  ListOptions list_options;
  list_options.metadata_only = true;
  auto list = client().list(resources::kSecrets, "inf", list_options);
  ASSERT_TRUE(list) << list.error().what();
  EXPECT_EQ((*list)["kind"], "PartialObjectMetadataList");
  EXPECT_EQ((*list)["apiVersion"], "meta.k8s.io/v1");
  ASSERT_EQ((*list)["items"].size(), 1u);
  EXPECT_EQ((*list)["items"][0]["kind"], "PartialObjectMetadata");
  EXPECT_EQ((*list)["items"][0]["metadata"]["name"], "tls");
  EXPECT_FALSE((*list)["items"][0].contains("data"));

  WatchOptions watch_options;
  watch_options.resource_version = "0";  // the existing objects arrive as ADDED
  watch_options.metadata_only = true;
  std::optional<WatchEvent> first;
  auto watched =
      client().watch(resources::kSecrets, "inf", watch_options, [&](const WatchEvent& event) {
        first = event;
        return false;
      });
  ASSERT_TRUE(watched) << watched.error().what();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->object["kind"], "PartialObjectMetadata");
  EXPECT_EQ(first->object["metadata"]["name"], "tls");
  EXPECT_FALSE(first->object.contains("data"));

  // Without the option, the same reads carry the whole object.
  auto whole = client().list(resources::kSecrets, "inf");
  ASSERT_TRUE(whole);
  EXPECT_TRUE((*whole)["items"][0].contains("data"));
}

TEST_F(InformerTest, TransformAndApplyBookkeepingShapeListedAndWatchedObjects) {
  const json annotations = {{"kubectl.kubernetes.io/last-applied-configuration", R"({"big":1})"},
                            {"team", "etcd"}};
  auto create_annotated = [&](const std::string& name) {
    json cm = config_map("inf", name, json::object(), {{"payload", std::string(4096, 'x')}});
    cm["metadata"]["annotations"] = annotations;
    ASSERT_TRUE(client().create(resources::kConfigMaps, "inf", cm));
  };
  create_annotated("listed");
  InformerOptions o = options();
  o.transform = {"no-data", [](json& object) { object.erase("data"); }};
  Informer informer(client(), o);
  informer.start();
  ASSERT_TRUE(informer.wait_for_sync(5s));
  create_annotated("watched");
  ASSERT_TRUE(eventually([&] { return informer.cache().size() == 2; }));
  for (const auto& cached : informer.cache().list()) {
    EXPECT_FALSE(cached->contains("data")) << cached->dump();
    EXPECT_EQ((*cached)["metadata"]["annotations"], json({{"team", "etcd"}})) << cached->dump();
    EXPECT_FALSE((*cached)["metadata"].contains("managedFields"));
    EXPECT_EQ((*cached)["kind"], "ConfigMap");
  }
  // The server keeps what the cache leaves out.
  auto live = client().get(resources::kConfigMaps, "inf", "watched");
  ASSERT_TRUE(live);
  EXPECT_EQ(live->at("metadata").at("annotations"), annotations);
  EXPECT_TRUE(live->contains("data"));
}

TEST_F(InformerTest, RelistsAfterGone) {
  Informer informer(client(), options());
  EventLog log;
  informer.add_handlers(log.handlers());
  informer.start();
  ASSERT_TRUE(informer.wait_for_sync(5s));
  create_cm("a");
  ASSERT_TRUE(eventually([&] { return log.count("add inf/a") == 1; }));
  const auto lists_before = requests("list", "configmaps");

  // The next watch is answered with 410 Gone; the informer must list again.
  ASSERT_TRUE(watching());
  server().expire_next_watches(1);
  server().disconnect_watches();
  ASSERT_TRUE(eventually([&] { return informer.stats().relists == 1; }));
  EXPECT_EQ(requests("list", "configmaps"), lists_before + 1);
  // The relist found nothing new: no duplicate add.
  EXPECT_EQ(log.count("add inf/a"), 1);

  // And it watches again afterwards.
  create_cm("b");
  EXPECT_TRUE(eventually([&] { return log.count("add inf/b") == 1; }));
}

TEST_F(InformerTest, RelistDeliversChangesMissedWhileDisconnected) {
  create_cm("doomed");
  create_cm("changed", json::object(), {{"v", "1"}});
  Informer informer(client(), options());
  EventLog log;
  informer.add_handlers(log.handlers());
  informer.start();
  ASSERT_TRUE(informer.wait_for_sync(5s));

  // The watch breaks and stays broken while objects change...
  server().controls().inject_error(test::failure("watch", "configmaps", 500, 1000000));
  server().disconnect_watches();
  ASSERT_TRUE(eventually([&] { return informer.stats().errors >= 1; }));
  ASSERT_TRUE(client().remove(resources::kConfigMaps, "inf", "doomed"));
  ASSERT_TRUE(client().patch(resources::kConfigMaps, "inf", "changed", PatchType::kMerge,
                             json{{"data", {{"v", "2"}}}}));
  create_cm("new");
  // ...for longer than the server keeps events: resuming answers 410.
  server().compact();
  server().controls().clear();

  ASSERT_TRUE(eventually([&] { return informer.stats().relists == 1; }));
  auto entries = log.entries();
  ASSERT_EQ(entries.size(), 5u) << ::testing::PrintToString(entries);
  EXPECT_EQ(entries[0], "add inf/changed");
  EXPECT_EQ(entries[1], "add inf/doomed");
  std::vector<std::string> after(entries.begin() + 2, entries.end());
  std::sort(after.begin(), after.end());
  EXPECT_EQ(after[0], "add inf/new");
  EXPECT_EQ(after[1], "delete inf/doomed");
  EXPECT_TRUE(after[2].starts_with("update inf/changed")) << after[2];
  EXPECT_EQ((*informer.cache().get("inf", "changed"))["data"]["v"], "2");
  EXPECT_EQ(informer.cache().keys(), (std::vector<std::string>{"inf/changed", "inf/new"}));
}

TEST_F(InformerTest, WatchReconnectsAfterDisconnectWithoutRelisting) {
  Informer informer(client(), options());
  EventLog log;
  informer.add_handlers(log.handlers());
  informer.start();
  ASSERT_TRUE(informer.wait_for_sync(5s));
  ASSERT_TRUE(watching());
  server().disconnect_watches();
  create_cm("after");
  ASSERT_TRUE(eventually([&] { return log.count("add inf/after") == 1; }));
  EXPECT_TRUE(eventually([&] { return informer.stats().watches >= 2; }));
  EXPECT_EQ(informer.stats().relists, 0u);
  EXPECT_EQ(requests("list", "configmaps"), 1);
}

TEST_F(InformerTest, BacksOffOnErrorsAndRecovers) {
  server().controls().inject_error(test::failure("list", "configmaps", 500, 3));
  Informer informer(client(), options());
  informer.start();
  ASSERT_TRUE(informer.wait_for_sync(5s));
  EXPECT_EQ(informer.stats().errors, 3u);
  EXPECT_EQ(requests("list", "configmaps"), 4);

  server().controls().inject_error(test::failure("watch", "configmaps", 500, 2));
  server().disconnect_watches();
  create_cm("late");
  EXPECT_TRUE(eventually([&] { return informer.cache().get("inf", "late") != nullptr; }));
  EXPECT_EQ(informer.stats().errors, 5u);
}

TEST_F(InformerTest, ResyncRedeliversCachedObjectsAsUpdates) {
  create_cm("a");
  InformerOptions o = options();
  o.resync_period = 50ms;
  Informer informer(client(), o);
  EventLog log;
  informer.add_handlers(log.handlers());
  informer.start();
  ASSERT_TRUE(eventually([&] { return log.count("resync inf/a") >= 2; }));
  EXPECT_GE(informer.stats().resyncs, 2u);
  EXPECT_EQ(log.count("update "), 0);
  EXPECT_EQ(requests("list", "configmaps"), 1);  // from the cache, not the server
}

TEST_F(InformerTest, BookmarksAdvanceTheResourceVersion) {
  testing::TestApiServerOptions server_options;
  server_options.bookmark_interval = 20ms;
  test::LiveServer live(server_options);
  ASSERT_EQ(test::create_namespace(live.client(), "inf"), "");
  InformerOptions o = options();
  o.label_selector = "app=watched";
  Informer informer(live.client(), o);
  informer.start();
  ASSERT_TRUE(informer.wait_for_sync(5s));
  // An object the selector hides still moves the server's version; the
  // bookmark tells the informer, so a reconnect would resume from there.
  auto hidden = live.client().create(resources::kConfigMaps, "inf", config_map("inf", "hidden"));
  ASSERT_TRUE(hidden);
  const std::int64_t version =
      std::stoll((*hidden)["metadata"]["resourceVersion"].get<std::string>());
  EXPECT_TRUE(eventually([&] { return std::stoll(informer.resource_version()) >= version; }));
  EXPECT_EQ(informer.cache().size(), 0u);
}

TEST_F(InformerTest, LateHandlersGetTheCachedObjectsAsAdds) {
  create_cm("a");
  create_cm("b");
  Informer informer(client(), options());
  informer.start();
  ASSERT_TRUE(informer.wait_for_sync(5s));
  EventLog log;
  informer.add_handlers(log.handlers());
  EXPECT_EQ(log.entries(), (std::vector<std::string>{"add inf/a", "add inf/b"}));
  create_cm("c");
  EXPECT_TRUE(eventually([&] { return log.count("add inf/c") == 1; }));
}

TEST_F(InformerTest, AThrowingHandlerDoesNotStopTheInformer) {
  Informer informer(client(), options());
  EventHandlers bad;
  bad.on_add = [](const ObjectPtr&) { throw std::runtime_error("handler bug"); };
  informer.add_handlers(bad);
  EventLog log;
  informer.add_handlers(log.handlers());
  informer.start();
  ASSERT_TRUE(informer.wait_for_sync(5s));
  create_cm("a");
  EXPECT_TRUE(eventually([&] { return log.count("add inf/a") == 1; }));
}

TEST_F(InformerTest, StopsPromptlyWhileWatching) {
  Informer informer(client(), options());
  informer.start();
  ASSERT_TRUE(informer.wait_for_sync(5s));
  ASSERT_TRUE(eventually([&] { return informer.stats().watches == 1; }));
  const auto started = std::chrono::steady_clock::now();
  informer.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
}

TEST(BackoffPolicyTest, GrowsAndCaps) {
  BackoffPolicy p{100ms, 1s, 2.0};
  EXPECT_EQ(p.delay(0), Clock::Duration::zero());
  EXPECT_EQ(p.delay(1), Clock::Duration(100ms));
  EXPECT_EQ(p.delay(2), Clock::Duration(200ms));
  EXPECT_EQ(p.delay(4), Clock::Duration(800ms));
  EXPECT_EQ(p.delay(5), Clock::Duration(1s));
  EXPECT_EQ(p.delay(1000), Clock::Duration(1s));
}

TEST(BackoffPolicyTest, JitterAddsUpToItsShareOfTheDelay) {
  BackoffPolicy p{100ms, 1s, 2.0, 1.0};
  std::minstd_rand random(3);
  std::set<Clock::Duration::rep> seen;
  for (int i = 0; i < 50; ++i) {
    const auto d = p.jittered_delay(2, random);
    EXPECT_GE(d, Clock::Duration(200ms));
    EXPECT_LT(d, Clock::Duration(400ms));
    seen.insert(d.count());
  }
  EXPECT_GT(seen.size(), 40u) << "spread, not one value";
  p.jitter = 0;
  EXPECT_EQ(p.jittered_delay(2, random), Clock::Duration(200ms));
  EXPECT_EQ(p.jittered_delay(0, random), Clock::Duration::zero());
}

}  // namespace
}  // namespace druid::kube
