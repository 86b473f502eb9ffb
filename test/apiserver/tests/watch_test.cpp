// Watch: initial state, replay from a resourceVersion, selector transitions,
// bookmarks, timeouts, 410 Gone for expired versions, forced disconnects.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "apiserver/tests/fixture.hpp"

namespace druid::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class WatchTest : public ApiServerTest {
 protected:
  static TestApiServerOptions options() {
    TestApiServerOptions o = default_options();
    o.bookmark_interval = 100ms;
    o.event_log_limit = 5;
    return o;
  }
  WatchTest() : ApiServerTest(options()) {}

  std::string rv_of(const json& o) { return o["metadata"]["resourceVersion"].get<std::string>(); }
};

TEST_F(WatchTest, WatchWithoutVersionStartsWithCurrentState) {
  create(kConfigMaps, configmap("a"));
  create(kConfigMaps, configmap("b"));
  WatchRecorder watch(server_, std::string(kConfigMaps) + "?watch=true");
  auto first = watch.next();
  auto second = watch.next();
  ASSERT_TRUE(first && second);
  EXPECT_EQ((*first)["type"], "ADDED");
  EXPECT_EQ((*first)["object"]["metadata"]["name"], "a");
  EXPECT_EQ((*first)["object"]["kind"], "ConfigMap");
  EXPECT_EQ((*second)["object"]["metadata"]["name"], "b");
  create(kConfigMaps, configmap("c"));
  auto third = watch.next();
  ASSERT_TRUE(third);
  EXPECT_EQ((*third)["type"], "ADDED");
  EXPECT_EQ((*third)["object"]["metadata"]["name"], "c");
  EXPECT_EQ(watch.status(), 200);
}

TEST_F(WatchTest, WatchFromVersionReplaysLaterChanges) {
  json a = create(kConfigMaps, configmap("a"));
  client_->patch(std::string(kConfigMaps) + "/a", json{{"data", {{"k", "2"}}}});
  client_->del(std::string(kConfigMaps) + "/a");
  WatchRecorder watch(server_,
                      std::string(kConfigMaps) + "?watch=true&resourceVersion=" + rv_of(a));
  auto modified = watch.next();
  auto deleted = watch.next();
  ASSERT_TRUE(modified && deleted);
  EXPECT_EQ((*modified)["type"], "MODIFIED");
  EXPECT_EQ((*modified)["object"]["data"]["k"], "2");
  EXPECT_EQ((*deleted)["type"], "DELETED");
  EXPECT_GT(std::stoll(rv_of((*deleted)["object"])), std::stoll(rv_of((*modified)["object"])));
}

TEST_F(WatchTest, ExpiredVersionIsGone) {
  json a = create(kConfigMaps, configmap("a"));
  const std::string path = std::string(kConfigMaps) + "/a";
  for (int i = 0; i < 10; ++i) client_->patch(path, json{{"data", {{"k", std::to_string(i)}}}});
  WatchRecorder watch(server_,
                      std::string(kConfigMaps) + "?watch=true&resourceVersion=" + rv_of(a));
  auto error = watch.next();
  ASSERT_TRUE(error);
  EXPECT_EQ((*error)["type"], "ERROR");
  EXPECT_EQ((*error)["object"]["code"], 410);
  EXPECT_EQ((*error)["object"]["reason"], "Expired");
  EXPECT_TRUE((*error)["object"]["message"].get<std::string>().starts_with(
      fmt::format("too old resource version: {} (", rv_of(a))));
  EXPECT_TRUE(watch.wait_closed());
}

TEST_F(WatchTest, CompactionAndForcedExpiry) {
  json a = create(kConfigMaps, configmap("a"));
  create(kConfigMaps, configmap("b"));
  server_.compact();
  WatchRecorder old(server_, std::string(kConfigMaps) + "?watch=true&resourceVersion=" + rv_of(a));
  auto error = old.next();
  ASSERT_TRUE(error);
  EXPECT_EQ((*error)["object"]["code"], 410);

  server_.expire_next_watches(1);
  WatchRecorder forced(server_, std::string(kConfigMaps) + "?watch=true");
  auto forced_error = forced.next();
  ASSERT_TRUE(forced_error);
  EXPECT_EQ((*forced_error)["type"], "ERROR");
  WatchRecorder fine(server_, std::string(kConfigMaps) + "?watch=true");
  auto added = fine.next();
  ASSERT_TRUE(added);
  EXPECT_EQ((*added)["type"], "ADDED");
}

TEST_F(WatchTest, BookmarksCarryTheLatestVersion) {
  json a = create(kConfigMaps, configmap("a"));
  WatchRecorder watch(server_,
                      std::string(kConfigMaps) +
                          "?watch=true&allowWatchBookmarks=true&resourceVersion=" + rv_of(a));
  json b = create(kConfigMaps, configmap("b"));
  auto added = watch.next();
  ASSERT_TRUE(added);
  EXPECT_EQ((*added)["type"], "ADDED");
  auto bookmark = watch.next(2s);
  ASSERT_TRUE(bookmark);
  EXPECT_EQ((*bookmark)["type"], "BOOKMARK");
  EXPECT_EQ((*bookmark)["object"]["kind"], "ConfigMap");
  EXPECT_EQ((*bookmark)["object"]["metadata"]["resourceVersion"], rv_of(b));
}

TEST_F(WatchTest, NoBookmarksUnlessAsked) {
  WatchRecorder watch(server_,
                      std::string(kConfigMaps) + "?watch=true&resourceVersion=1&timeoutSeconds=1");
  EXPECT_TRUE(watch.wait_closed(3s));
  EXPECT_FALSE(watch.next(0ms).has_value());
}

TEST_F(WatchTest, TimeoutEndsTheStreamWithABookmark) {
  WatchRecorder watch(
      server_, std::string(kConfigMaps) + "?watch=true&allowWatchBookmarks=true&timeoutSeconds=1");
  EXPECT_TRUE(watch.wait_closed(3s));
  std::optional<json> last;
  while (auto e = watch.next(0ms)) last = e;
  ASSERT_TRUE(last);
  EXPECT_EQ((*last)["type"], "BOOKMARK");
}

TEST_F(WatchTest, SendInitialEventsEndsWithAnAnnotatedBookmark) {
  create(kConfigMaps, configmap("a"));
  WatchRecorder watch(server_, std::string(kConfigMaps) +
                                   "?watch=true&allowWatchBookmarks=true&sendInitialEvents=true&"
                                   "resourceVersionMatch=NotOlderThan");
  auto added = watch.next();
  auto end = watch.next();
  ASSERT_TRUE(added && end);
  EXPECT_EQ((*added)["type"], "ADDED");
  EXPECT_EQ((*end)["type"], "BOOKMARK");
  EXPECT_EQ((*end)["object"]["metadata"]["annotations"]["k8s.io/initial-events-end"], "true");
}

TEST_F(WatchTest, LabelSelectorTransitionsAreAddedAndDeleted) {
  create(kConfigMaps, configmap("a", {{"app", "x"}}));
  WatchRecorder watch(server_, std::string(kConfigMaps) +
                                   "?watch=true&labelSelector=app%3Dy&resourceVersion=" +
                                   std::to_string(server_.core().resource_version()));
  client_->patch(std::string(kConfigMaps) + "/a", json{{"metadata", {{"labels", {{"app", "y"}}}}}});
  client_->patch(std::string(kConfigMaps) + "/a", json{{"data", {{"k", "2"}}}});
  client_->patch(std::string(kConfigMaps) + "/a", json{{"metadata", {{"labels", {{"app", "z"}}}}}});
  create(kConfigMaps, configmap("other", {{"app", "z"}}));
  auto in = watch.next_change();
  auto modified = watch.next_change();
  auto out = watch.next_change();
  ASSERT_TRUE(in && modified && out);
  EXPECT_EQ((*in)["type"], "ADDED");
  EXPECT_EQ((*modified)["type"], "MODIFIED");
  EXPECT_EQ((*out)["type"], "DELETED");
  EXPECT_EQ((*out)["object"]["metadata"]["labels"]["app"], "y") << "the last state that matched";
  EXPECT_FALSE(watch.next_change(300ms).has_value()) << "objects that never match are not sent";
}

TEST_F(WatchTest, FieldSelectorAndNamespaceScope) {
  WatchRecorder watch(server_,
                      std::string(kConfigMaps) + "?watch=true&fieldSelector=metadata.name%3Db");
  create(kConfigMaps, configmap("a"));
  create("/api/v1/namespaces",
         json{{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "other"}}}});
  create("/api/v1/namespaces/other/configmaps", configmap("b", nullptr, "other"));
  create(kConfigMaps, configmap("b"));
  auto e = watch.next_change();
  ASSERT_TRUE(e);
  EXPECT_EQ((*e)["object"]["metadata"]["name"], "b");
  EXPECT_EQ((*e)["object"]["metadata"]["namespace"], "default");
}

TEST_F(WatchTest, LegacyWatchPathOfOneObject) {
  create(kConfigMaps, configmap("a"));
  create(kConfigMaps, configmap("b"));
  WatchRecorder watch(server_, "/api/v1/watch/namespaces/default/configmaps/b");
  auto e = watch.next_change();
  ASSERT_TRUE(e);
  EXPECT_EQ((*e)["object"]["metadata"]["name"], "b");
  EXPECT_FALSE(watch.next_change(200ms).has_value());
}

TEST_F(WatchTest, ForcedDisconnectEndsOpenWatches) {
  WatchRecorder watch(server_, std::string(kConfigMaps) + "?watch=true");
  ASSERT_TRUE(eventually([&] { return server_.core().open_watches() == 1; }));
  server_.disconnect_watches();
  EXPECT_TRUE(watch.wait_closed());
  EXPECT_TRUE(eventually([&] { return server_.core().open_watches() == 0; }));
}

TEST_F(WatchTest, ManyConcurrentWatchesAndCleanShutdown) {
  std::vector<std::unique_ptr<WatchRecorder>> watches;
  const std::string path = std::string(kConfigMaps) + "?watch=true";
  for (int i = 0; i < 20; ++i) watches.push_back(std::make_unique<WatchRecorder>(server_, path));
  ASSERT_TRUE(eventually([&] { return server_.core().open_watches() == 20; }))
      << server_.core().open_watches();
  create(kConfigMaps, configmap("a"));
  for (auto& w : watches) {
    auto e = w->next();
    ASSERT_TRUE(e);
    EXPECT_EQ((*e)["object"]["metadata"]["name"], "a");
  }
  // A plain request still gets a thread.
  EXPECT_EQ(client_->get(kConfigMaps).status, 200);
  server_.stop();
  for (auto& w : watches) EXPECT_TRUE(w->wait_closed());
}

}  // namespace
}  // namespace druid::testing
