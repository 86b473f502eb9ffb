#include "util/go_json.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

// Expected bytes are what Go's encoding/json Marshal writes (checked against
// Go; \b and \f are the short escapes Go uses since 1.22).

namespace druid::util {
namespace {

using nlohmann::json;

std::string marshal(const json& value) {
  auto text = go_json_marshal(value);
  EXPECT_TRUE(text) << text.error();
  return text ? *text : std::string();
}

TEST(GoJsonMarshal, SortsKeysAndWritesNoWhitespace) {
  EXPECT_EQ(marshal(json::parse(R"({"b": 1, "a": [true, false, null], "c": {"z": "x", "y": 2}})")),
            R"({"a":[true,false,null],"b":1,"c":{"y":2,"z":"x"}})");
}

TEST(GoJsonMarshal, SortsKeysByBytes) {
  EXPECT_EQ(marshal(json::parse(R"({"\u00e9": 1, "a": 2, "B": 3, "_": 4, "a0": 5})")),
            "{\"B\":3,\"_\":4,\"a\":2,\"a0\":5,\"\xC3\xA9\":1}");
}

TEST(GoJsonMarshal, EscapesLikeGo) {
  // HTML-sensitive characters, control bytes (short forms where Go has
  // them), U+2028/U+2029; DEL and other characters stay raw.
  EXPECT_EQ(
      marshal("<a href=\"x\">&amp;</a>\\ \b\f\n\r\t\x01\x1f\x7f \xE2\x80\xA8\xE2\x80\xA9 \xC3\xA9"),
      R"("\u003ca href=\"x\"\u003e\u0026amp;\u003c/a\u003e\\ \b\f\n\r\t\u0001\u001f)"
      "\x7f \\u2028\\u2029 \xC3\xA9\"");
}

TEST(GoJsonMarshal, ReplacesEachInvalidUtf8ByteWithFffd) {
  // A lone continuation byte, a truncated sequence, an encoded surrogate.
  EXPECT_EQ(marshal("a\x80"
                    "b\xE2\x82"
                    "c\xED\xA0\x80"),
            R"("a\ufffdb\ufffd\ufffdc\ufffd\ufffd\ufffd")");
  EXPECT_EQ(go_valid_utf8("a\x80"
                          "b"),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(go_valid_utf8("\xF0\x9F\x98\x80"), "\xF0\x9F\x98\x80");
}

TEST(GoJsonMarshal, PrintsFloatsLikeGo) {
  EXPECT_EQ(marshal(json::parse("[1.5, 1e21, 1e20, 1e-7, 1.5e-7, 0.000001, -0.0, "
                                "9.352211100456722e16, 123456789.5, 1e100, 5e-324]")),
            "[1.5,1e+21,100000000000000000000,1e-7,1.5e-7,0.000001,-0,93522111004567220,"
            "123456789.5,1e+100,5e-324]");
}

TEST(GoJsonMarshal, PrintsIntegersExactly) {
  EXPECT_EQ(marshal(json::parse("[0, -1, 9223372036854775807, -9223372036854775808, "
                                "18446744073709551615]")),
            "[0,-1,9223372036854775807,-9223372036854775808,18446744073709551615]");
}

TEST(GoJsonMarshal, RefusesNaNAndInfinity) {
  const auto nan = go_json_marshal({{"a", std::nan("")}});
  ASSERT_FALSE(nan);
  EXPECT_EQ(nan.error(), "json: unsupported value: NaN");
  const auto inf = go_json_marshal(json::array({HUGE_VAL}));
  ASSERT_FALSE(inf);
  EXPECT_EQ(inf.error(), "json: unsupported value: +Inf");
}

TEST(GoFormatFloat, MatchesStrconv) {
  EXPECT_EQ(go_format_float(1e20, 'f'), "100000000000000000000");
  EXPECT_EQ(go_format_float(1e20, 'g'), "1e+20");
  EXPECT_EQ(go_format_float(123456.5, 'g'), "123456.5");
  EXPECT_EQ(go_format_float(1234567.5, 'g'), "1.2345675e+06");
  EXPECT_EQ(go_format_float(0.0001, 'g'), "0.0001");
  EXPECT_EQ(go_format_float(0.00001, 'g'), "1e-05");
  EXPECT_EQ(go_format_float(1e-7, 'e'), "1e-07");
  EXPECT_EQ(go_format_float(0, 'g'), "0");
}

// A ConfigMap's data: what the checksum of etcd.conf.yaml is computed over.
TEST(GoJsonMarshal, ConfigMapData) {
  EXPECT_EQ(marshal({{"etcd.conf.yaml", "a: \"1000\"\nb: <x>\n"}}),
            R"({"etcd.conf.yaml":"a: \"1000\"\nb: \u003cx\u003e\n"})");
}

}  // namespace
}  // namespace druid::util
