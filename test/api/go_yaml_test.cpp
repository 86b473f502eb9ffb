#include "api/go_yaml.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

// Expected texts are what Go's sigs.k8s.io/yaml Marshal (json.Marshal, then
// JSONToYAML with gopkg.in/yaml.v2 v2.4.0) printed for the same inputs. The
// etcd configuration hash must match the Go operator's, so these are bytes,
// not YAML equivalence.

namespace druid::api {
namespace {

struct Case {
  const char* name;
  const char* json;
  const char* yaml;
};

// clang-format off
const Case kCases[] = {
    {"empty_map", R"j({})j",
     R"y({}
)y"},
    {"empty_list", R"j([])j",
     R"y([]
)y"},
    {"null", R"j(null)j",
     R"y(null
)y"},
    {"plain_string", R"j("s")j",
     R"y(s
)y"},
    {"bool", R"j(true)j",
     R"y(true
)y"},
    {"nested", R"j({"b": {"d": [1, 2], "c": "x"}, "a": [{"k": "v", "j": [true]}, [], {}, ["x", ["y"]]]})j",
     R"y(a:
- j:
  - true
  k: v
- []
- {}
- - x
  - - "y"
b:
  c: x
  d:
  - 1
  - 2
)y"},
    {"quoted_words", R"j({"a": ["true", "True", "yes", "Yes", "on", "OFF", "y", "N", "~", "null", "NULL", ""]})j",
     R"y(a:
- "true"
- "True"
- "yes"
- "Yes"
- "on"
- "OFF"
- "y"
- "N"
- "~"
- "null"
- "NULL"
- ""
)y"},
    {"numbers_as_strings", R"j({"a": ["10", "-10", "+10", "0x1f", "0o17", "017", "089", "0b101", "1e3", "1.5", ".5", ".inf", "-.inf", "1_000", "1:20", "-1:20:30.5", "1000", "0"]})j",
     R"y(a:
- "10"
- "-10"
- "+10"
- "0x1f"
- "0o17"
- "017"
- "089"
- "0b101"
- "1e3"
- "1.5"
- ".5"
- ".inf"
- "-.inf"
- "1_000"
- "1:20"
- "-1:20:30.5"
- "1000"
- "0"
)y"},
    {"timestamps_as_strings", R"j({"a": ["2024-01-02", "2001-12-14T21:59:43Z", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10", "2001-02-29", "2001-13-01"]})j",
     R"y(a:
- "2024-01-02"
- "2001-12-14T21:59:43Z"
- "2001-12-14t21:59:43.10-05:00"
- "2001-12-14 21:59:43.10"
- 2001-02-29
- 2001-13-01
)y"},
    {"plain_strings", R"j({"a": ["30m", "periodic", "1.2.3", "0x", "+", "-a", "a-", "a:b", "it's", "http://x:80/p?q=1#f", "\u00e9", "a b"]})j",
     "a:\n"
     "- 30m\n"
     "- periodic\n"
     "- 1.2.3\n"
     "- 0x\n"
     "- +\n"
     "- -a\n"
     "- a-\n"
     "- a:b\n"
     "- it's\n"
     "- http://x:80/p?q=1#f\n"
     "- \303\251\n"
     "- a b\n"},
    {"single_quoted", R"j({"a": ["- a", "-", "a: b", ":", "? x", "*x", "&x", "!x", "|x", ">x", "'a", "\"a", "%x", "@x", "`x", "#a", "a #b", " a", "a ", "[a]", "{a}", "a,b", "---", "..."]})j",
     R"y(a:
- '- a'
- '-'
- 'a: b'
- ':'
- '? x'
- '*x'
- '&x'
- '!x'
- '|x'
- '>x'
- '''a'
- '"a'
- '%x'
- '@x'
- '`x'
- '#a'
- 'a #b'
- ' a'
- 'a '
- '[a]'
- '{a}'
- a,b
- '---'
- '...'
)y"},
    {"double_quoted_escapes", R"j({"a": ["a\tb", "\u0000", "\u0007\u001b", "a\"b", "a\\b", "\u00a0", "\ud83d\ude00", "\u2028", "\ufeffab", "\ufffd"]})j",
     "a:\n"
     "- \"a\\tb\"\n"
     "- \"\\0\"\n"
     "- \"\\a\\e\"\n"
     "- a\"b\n"
     "- a\\b\n"
     "- \302\240\n"
     "- \"\\U0001F600\"\n"
     "- '\342\200\250'\n"
     "- \"\\uFEFF\\x61\\x62\"\n"
     "- \357\277\275\n"},
    {"literal_blocks", R"j({"a": "line1\nline2", "b": "line\n", "c": "line\n\n", "d": " lead\nx", "e": "\n", "f": ["x\ny", {"g": "p\nq"}]})j",
     R"y(a: |-
  line1
  line2
b: |
  line
c: |+
  line

d: |2-
   lead
  x
e: |2+

f:
- |-
  x
  y
- g: |-
    p
    q
)y"},
    {"literal_becomes_double_quoted", R"j({"a": "trailing \nspace", "b": "tab\t\nx"})j",
     R"y(a: "trailing \nspace"
b: "tab\t\nx"
)y"},
    {"folding", R"j({"long": "word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word", "nested": {"deeper": ["alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi"]}, "quoted": "yes xxxxxxxxx xxxxxxxxx xxxxxxxxx xxxxxxxxx xxxxxxxxx xxxxxxxxx xxxxxxxxx xxxxxxxxx xxxxxxxxx xxxxxxxxx xxxxxxxxx xxxxxxxxx", "single": "- yyyyyyyyy yyyyyyyyy yyyyyyyyy yyyyyyyyy yyyyyyyyy yyyyyyyyy yyyyyyyyy yyyyyyyyy yyyyyyyyy yyyyyyyyy yyyyyyyyy yyyyyyyyy"})j",
     R"y(long: word word word word word word word word word word word word word word word word
  word word word word word word word word word word word word word word
nested:
  deeper:
  - alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron
    pi
quoted: yes xxxxxxxxx xxxxxxxxx xxxxxxxxx xxxxxxxxx xxxxxxxxx xxxxxxxxx xxxxxxxxx
  xxxxxxxxx xxxxxxxxx xxxxxxxxx xxxxxxxxx xxxxxxxxx
single: '- yyyyyyyyy yyyyyyyyy yyyyyyyyy yyyyyyyyy yyyyyyyyy yyyyyyyyy yyyyyyyyy yyyyyyyyy
  yyyyyyyyy yyyyyyyyy yyyyyyyyy yyyyyyyyy'
)y"},
    {"keys", R"j({"10": 1, "true": 2, "": 3, "a b": 4, "- x": 5, "m-10": 6, "m-2": 7, "etcd-main-10": 8, "etcd-main-9": 9, "B": 10, "_a": 11, "a": 12})j",
     R"y("": 3
'- x': 5
_a: 11
"10": 1
B: 10
a: 12
a b: 4
etcd-main-9: 9
etcd-main-10: 8
m-2: 7
m-10: 6
"true": 2
)y"},
    {"long_key", R"j({"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk": "v", "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk": "w"})j",
     R"y(kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: w
? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk
: v
)y"},
    {"multiline_key", R"j({"a\nb": 1})j",
     R"y(? |-
  a
  b
: 1
)y"},
    {"floats", R"j([1.5, 1e+20, 1e+21, 2.0, -0.0, 1234567.5, 0.0001, 1e-05, 1e-07, -2.5e-300, 1.2345678901234568e+17, -1e+19])j",
     R"y(- 1.5
- 1e+20
- 1e+21
- 2
- 0
- 1.2345675e+06
- 0.0001
- 1e-05
- 1e-07
- -2.5e-300
- 123456789012345680
- -1e+19
)y"},
    {"integers", R"j([0, -1, 9223372036854775807, -9223372036854775808, 18446744073709551615])j",
     R"y(- 0
- -1
- 9223372036854775807
- -9223372036854775808
- 18446744073709551615
)y"},
    {"NEL_folds_like_a_line_break", R"j({"a": "x\u0085y", "b": "x \u0085 y", "c": "x\u0085\u0085y"})j",
     R"y(a: x y
b: x y
c: |-
  x
  y
)y"},
};
// clang-format on

class GoYamlMarshal : public ::testing::TestWithParam<Case> {};

TEST_P(GoYamlMarshal, PrintsTheBytesGoPrints) {
  const auto& c = GetParam();
  const auto yaml = go_yaml_marshal(nlohmann::json::parse(c.json));
  ASSERT_TRUE(yaml) << yaml.error();
  EXPECT_EQ(*yaml, c.yaml);
}

INSTANTIATE_TEST_SUITE_P(SigsK8sIoYaml, GoYamlMarshal, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           return std::string(info.param.name);
                         });

// The case the ConfigMap depends on: nested member maps whose lists are not
// indented, sorted member names, plain URLs, integers, booleans.
TEST(GoYamlMarshalEtcdConfig, MemberMapsAndScalars) {
  const nlohmann::json config = {
      {"name", "etcd-config"},
      {"quota-backend-bytes", 8589934592},
      {"enable-grpc-gateway", false},
      {"auto-compaction-retention", "1000"},
      {"advertise-client-urls",
       {{"etcd-main-10", {"http://etcd-main-10.etcd-main-peer.ns.svc:2379"}},
        {"etcd-main-2", {"http://etcd-main-2.etcd-main-peer.ns.svc:2379"}}}}};
  EXPECT_EQ(*go_yaml_marshal(config),
            "advertise-client-urls:\n"
            "  etcd-main-2:\n"
            "  - http://etcd-main-2.etcd-main-peer.ns.svc:2379\n"
            "  etcd-main-10:\n"
            "  - http://etcd-main-10.etcd-main-peer.ns.svc:2379\n"
            "auto-compaction-retention: \"1000\"\n"
            "enable-grpc-gateway: false\n"
            "name: etcd-config\n"
            "quota-backend-bytes: 8589934592\n");
}

TEST(GoYamlMarshalErrors, NaNAndInfinityAreRefusedLikeGoJson) {
  const auto nan = go_yaml_marshal(nlohmann::json::array({std::nan("")}));
  ASSERT_FALSE(nan);
  EXPECT_EQ(nan.error(), "error marshaling into JSON: json: unsupported value: NaN");
  const auto inf = go_yaml_marshal({{"a", -HUGE_VAL}});
  ASSERT_FALSE(inf);
  EXPECT_EQ(inf.error(), "error marshaling into JSON: json: unsupported value: -Inf");
}

// Go's JSON writes these characters raw; yaml.v2's reader refuses them.
TEST(GoYamlMarshalErrors, ControlCharactersYamlCannotReadFail) {
  for (const char* text : {"x\x7Fy", "\xC2\x90", "\xEF\xBF\xBE"}) {
    const auto yaml = go_yaml_marshal({{"a", text}});
    ASSERT_FALSE(yaml) << text;
    EXPECT_EQ(yaml.error(),
              "error converting JSON to YAML: yaml: control characters are not allowed");
  }
}

// JSON keys are simple keys of a flow mapping for yaml.v2: one line, at most
// 1024 characters of JSON text (here 1023 + 2 quotes).
TEST(GoYamlMarshalErrors, KeysYamlCannotReadAsSimpleKeysFail) {
  EXPECT_FALSE(
      go_yaml_marshal({{"a\xC2\x85"
                        "b",
                        1}}));
  EXPECT_FALSE(go_yaml_marshal({{std::string(1023, 'k'), 1}}));
  EXPECT_TRUE(go_yaml_marshal({{std::string(1022, 'k'), 1}}));
  // '<' is six characters of JSON text (\u003c).
  EXPECT_FALSE(go_yaml_marshal({{std::string(171, '<'), 1}}));
  EXPECT_TRUE(go_yaml_marshal({{std::string(170, '<') + "k", 1}}));
}

// Go's JSON replaces invalid UTF-8 bytes by U+FFFD before yaml.v2 sees them.
TEST(GoYamlMarshal, InvalidUtf8BecomesReplacementCharacters) {
  EXPECT_EQ(*go_yaml_marshal({{"a", "x\xFFy"}}), "a: x\xEF\xBF\xBDy\n");
}

}  // namespace
}  // namespace druid::api
