#include "util/yaml.hpp"

#include <gtest/gtest.h>

namespace druid::util {
namespace {

TEST(Yaml, PlainScalarsAreTypedQuotedStayStrings) {
  auto j = parse_yaml("a: 3\nb: \"3\"\nc: true\nd: 'true'\ne: 1.5\nf: ~\ng: 8Gi\nh: -2\n");
  ASSERT_TRUE(j.has_value()) << j.error().reason;
  EXPECT_EQ(*j, nlohmann::json::parse(
                    R"({"a":3,"b":"3","c":true,"d":"true","e":1.5,"f":null,"g":"8Gi","h":-2})"));
}

TEST(Yaml, MultipleDocumentsSkipEmpty) {
  auto docs = parse_yaml_documents("a: 1\n---\n---\nb: [x, y]\n");
  ASSERT_TRUE(docs.has_value());
  ASSERT_EQ(docs->size(), 2u);
  EXPECT_EQ((*docs)[1]["b"], nlohmann::json::parse(R"(["x","y"])"));
}

TEST(Yaml, SyntaxErrorNamesLine) {
  auto j = parse_yaml("a: 1\nb: [unterminated\n");
  ASSERT_FALSE(j.has_value());
  EXPECT_NE(j.error().reason.find("yaml: line"), std::string::npos) << j.error().reason;
}

TEST(Yaml, ExactlyOneDocumentRequired) {
  auto j = parse_yaml("a: 1\n---\nb: 2\n");
  ASSERT_FALSE(j.has_value());
  EXPECT_EQ(j.error().reason, "expected exactly one YAML document, found 2");
}

TEST(Yaml, RoundTripThroughYamlKeepsTypes) {
  auto j = nlohmann::json::parse(R"({"s":"true","n":3,"q":"8Gi","l":["a",1],"o":{"x":null}})");
  auto back = parse_yaml(to_yaml(j));
  ASSERT_TRUE(back.has_value()) << back.error().reason;
  EXPECT_EQ(*back, j);
}

}  // namespace
}  // namespace druid::util
