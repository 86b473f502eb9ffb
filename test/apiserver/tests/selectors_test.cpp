// Lists: label and field selectors, pagination with continue tokens.

#include <gtest/gtest.h>

#include "apiserver/tests/fixture.hpp"

namespace druid::testing {
namespace {

using nlohmann::json;

class SelectorsTest : public ApiServerTest {
 protected:
  std::vector<std::string> names(const TestResponse& r) {
    std::vector<std::string> out;
    for (const auto& item : r.body["items"]) out.push_back(item["metadata"]["name"]);
    return out;
  }
};

TEST_F(SelectorsTest, LabelSelectors) {
  create(kConfigMaps, configmap("a", {{"app", "x"}, {"tier", "db"}}));
  create(kConfigMaps, configmap("b", {{"app", "x"}}));
  create(kConfigMaps, configmap("c", {{"app", "y"}}));
  create(kConfigMaps, configmap("d"));
  auto q = [&](const std::string& selector) {
    return names(client_->get(std::string(kConfigMaps) + "?labelSelector=" + selector));
  };
  EXPECT_EQ(q("app%3Dx"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(q("app%3Dx,tier%3Ddb"), (std::vector<std::string>{"a"}));
  EXPECT_EQ(q("app!%3Dx"), (std::vector<std::string>{"c", "d"}));
  EXPECT_EQ(q("app%20in%20(x,y)"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(q("!app"), (std::vector<std::string>{"d"}));
  auto bad = client_->get(std::string(kConfigMaps) + "?labelSelector=a%20b%20c");
  EXPECT_EQ(bad.status, 400);
}

TEST_F(SelectorsTest, FieldSelectors) {
  create(kConfigMaps, configmap("a"));
  create(kConfigMaps, configmap("b"));
  EXPECT_EQ(names(client_->get(std::string(kConfigMaps) + "?fieldSelector=metadata.name%3Db")),
            (std::vector<std::string>{"b"}));
  EXPECT_EQ(names(client_->get(std::string(kConfigMaps) + "?fieldSelector=metadata.name!%3Db")),
            (std::vector<std::string>{"a"}));
  EXPECT_EQ(names(client_->get("/api/v1/configmaps?fieldSelector=metadata.namespace%3D%3Ddefault")),
            (std::vector<std::string>{"a", "b"}));
  auto unsupported = client_->get(std::string(kConfigMaps) + "?fieldSelector=data.k%3Dv");
  EXPECT_EQ(unsupported.status, 400);
  EXPECT_EQ(unsupported.body["message"], "field label not supported: data.k");
}

TEST_F(SelectorsTest, TypeSpecificFieldSelectors) {
  json secret = {{"apiVersion", "v1"},
                 {"kind", "Secret"},
                 {"metadata", {{"name", "s"}, {"namespace", "default"}}},
                 {"type", "Opaque"}};
  create("/api/v1/namespaces/default/secrets", secret);
  auto r = client_->get("/api/v1/namespaces/default/secrets?fieldSelector=type%3DOpaque");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(names(r), (std::vector<std::string>{"s"}));
}

TEST_F(SelectorsTest, AllNamespacesListIsOrderedByNamespaceThenName) {
  create("/api/v1/namespaces",
         json{{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "aaa"}}}});
  create(kConfigMaps, configmap("z"));
  create("/api/v1/namespaces/aaa/configmaps", configmap("y", nullptr, "aaa"));
  EXPECT_EQ(names(client_->get("/api/v1/configmaps")), (std::vector<std::string>{"y", "z"}));
}

TEST_F(SelectorsTest, PaginationWithContinueTokens) {
  for (const char* n : {"a", "b", "c", "d", "e"}) create(kConfigMaps, configmap(n));
  auto first = client_->get(std::string(kConfigMaps) + "?limit=2");
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(names(first), (std::vector<std::string>{"a", "b"}));
  const std::string token = first.body["metadata"]["continue"];
  EXPECT_EQ(first.body["metadata"]["remainingItemCount"], 3);
  const std::string rv = first.body["metadata"]["resourceVersion"];
  create(kConfigMaps, configmap("f"));
  auto second = client_->get(std::string(kConfigMaps) + "?limit=2&continue=" + token);
  EXPECT_EQ(names(second), (std::vector<std::string>{"c", "d"}));
  EXPECT_EQ(second.body["metadata"]["resourceVersion"], rv)
      << "pages report the first page's version";
  auto third = client_->get(std::string(kConfigMaps) + "?limit=10&continue=" +
                            second.body["metadata"]["continue"].get<std::string>());
  EXPECT_EQ(names(third), (std::vector<std::string>{"e"}))
      << "later pages show the list as of the first page";
  EXPECT_FALSE(third.body["metadata"].contains("continue"));
  EXPECT_EQ(names(client_->get(kConfigMaps)).size(), 6u);
  auto bad = client_->get(std::string(kConfigMaps) + "?continue=garbage!");
  EXPECT_EQ(bad.status, 400);
  server_.compact();
  auto expired = client_->get(std::string(kConfigMaps) + "?limit=2&continue=" + token);
  EXPECT_EQ(expired.status, 410);
  EXPECT_EQ(expired.body["reason"], "Expired");
}

TEST_F(SelectorsTest, ExactResourceVersionListsThePast) {
  json a = create(kConfigMaps, configmap("a"));
  create(kConfigMaps, configmap("b"));
  client_->del(std::string(kConfigMaps) + "/a");
  const std::string rv = a["metadata"]["resourceVersion"];
  auto past =
      client_->get(std::string(kConfigMaps) + "?resourceVersionMatch=Exact&resourceVersion=" + rv);
  ASSERT_EQ(past.status, 200) << past.text;
  EXPECT_EQ(names(past), (std::vector<std::string>{"a"}));
  EXPECT_EQ(past.body["metadata"]["resourceVersion"], rv);
  EXPECT_EQ(names(client_->get(kConfigMaps)), (std::vector<std::string>{"b"}));
}

TEST_F(SelectorsTest, PaginationWithSelector) {
  for (int i = 0; i < 6; ++i) {
    create(kConfigMaps, configmap("cm" + std::to_string(i), {{"even", i % 2 == 0 ? "yes" : "no"}}));
  }
  std::vector<std::string> all;
  std::string token;
  int pages = 0;
  do {
    auto page = client_->get(std::string(kConfigMaps) + "?limit=1&labelSelector=even%3Dyes" +
                             (token.empty() ? "" : "&continue=" + token));
    ASSERT_EQ(page.status, 200);
    for (auto& n : names(page)) all.push_back(n);
    token = page.body["metadata"].value("continue", "");
    ++pages;
  } while (!token.empty() && pages < 10);
  EXPECT_EQ(all, (std::vector<std::string>{"cm0", "cm2", "cm4"}));
  EXPECT_EQ(pages, 3);
}

}  // namespace
}  // namespace druid::testing
