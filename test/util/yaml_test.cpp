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

// Found by fuzzing (test/fuzz/regressions/yaml, kubeconfig): yaml-cpp's LoadAll
// never returned on a ',' where a document's node starts.
TEST(Yaml, StrayCommaIsAnErrorNotAHang) {
  for (const char* text : {",\na: b\n", ", a: b", "a: b\n---\n,\n"}) {
    auto docs = parse_yaml_documents(text);
    ASSERT_FALSE(docs.has_value()) << text;
    EXPECT_NE(docs.error().reason.find("did not find expected node content"), std::string::npos)
        << docs.error().reason;
  }
  // Commas where YAML allows them still parse.
  auto flow = parse_yaml("x: [a, b]\ny: {c: d, e: f}\n");
  ASSERT_TRUE(flow.has_value()) << flow.error().reason;
  EXPECT_EQ(*flow, nlohmann::json::parse(R"({"x":["a","b"],"y":{"c":"d","e":"f"}})"));
}

// Found by fuzzing (test/fuzz/regressions/yaml, image_vector, operator_config):
// text that is not UTF-8 became JSON strings that nlohmann::json cannot write
// (dump() threw from error messages); like yaml.v2 it is refused.
TEST(Yaml, InvalidUtf8IsRefusedAsYamlV2Refuses) {
  const std::pair<const char*, const char*> cases[] = {
      {"a: caf\xe9 au lait\n", "yaml: invalid trailing UTF-8 octet"},
      {"a: \xff\n", "yaml: invalid leading UTF-8 octet"},
      {"a: \xc3", "yaml: incomplete UTF-8 octet sequence"},
      {"a: \xc0\xaf\n", "yaml: invalid length of a UTF-8 sequence"},
      {"a: \xed\xa0\x80\n", "yaml: invalid Unicode character"},
  };
  for (const auto& [text, reason] : cases) {
    auto docs = parse_yaml_documents(text);
    ASSERT_FALSE(docs.has_value()) << text;
    EXPECT_EQ(docs.error().reason, reason);
  }
  // yaml.v2 refuses control characters too (a NUL made yaml-cpp write 0xA0).
  auto nul = parse_yaml_documents(std::string_view("a: b\0_c\n", 8));
  ASSERT_FALSE(nul.has_value());
  EXPECT_EQ(nul.error().reason, "yaml: control characters are not allowed");
  auto utf8 = parse_yaml("a: caf\xc3\xa9 \xf0\x9f\x98\x80\n");
  ASSERT_TRUE(utf8.has_value()) << utf8.error().reason;
  EXPECT_EQ((*utf8)["a"], "caf\xc3\xa9 \xf0\x9f\x98\x80");
}

// Found by fuzzing (test/fuzz/regressions/kubeconfig): yaml-cpp writes the
// escapes \N and \_ as Latin-1 bytes; they are U+0085 and U+00A0 in UTF-8.
TEST(Yaml, NextLineAndNonBreakingSpaceEscapesAreUtf8) {
  auto j = parse_yaml(R"("k\_": "a\Nb\_c")");
  ASSERT_TRUE(j.has_value()) << j.error().reason;
  EXPECT_EQ(*j, nlohmann::json({{"k\xc2\xa0",
                                 "a\xc2\x85"
                                 "b\xc2\xa0"
                                 "c"}}));
  EXPECT_NO_THROW((void)j->dump());
}

// Found by fuzzing (test/fuzz/regressions/yaml): a string with a carriage
// return was written plain and read back without its last "\r"; a key
// starting with "..." was written plain and ended the document.
TEST(Yaml, StringsWithControlCharactersRoundTrip) {
  const nlohmann::json j = {
      {"a", "x\r"}, {"b", "t\tab\x01"}, {"c", "\\ \r$ v\r"}, {"... k", "--- v"}, {"---", "..."}};
  auto back = parse_yaml(to_yaml(j));
  ASSERT_TRUE(back.has_value()) << back.error().reason;
  EXPECT_EQ(*back, j);
}

TEST(Yaml, RoundTripThroughYamlKeepsTypes) {
  auto j = nlohmann::json::parse(R"({"s":"true","n":3,"q":"8Gi","l":["a",1],"o":{"x":null}})");
  auto back = parse_yaml(to_yaml(j));
  ASSERT_TRUE(back.has_value()) << back.error().reason;
  EXPECT_EQ(*back, j);
}

}  // namespace
}  // namespace druid::util
