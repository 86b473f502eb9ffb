#include "api/label_selector.hpp"

#include <gtest/gtest.h>

namespace druid::api {
namespace {

const std::string kNameRegex =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
    "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const std::string kValueRegex =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
    "'my_value',  or '12345', regex used for validation is "
    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const std::string kSubdomainRegex =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const std::string kRequirement = "unable to parse requirement: ";

util::Selector parse(const std::string& text) {
  auto parsed = util::Selector::parse(text);
  EXPECT_TRUE(parsed.has_value()) << text << ": " << parsed.error().message();
  return parsed.has_value() ? *parsed : util::Selector{};
}

TEST(SelectorParse, CanonicalStringSortsByKey) {
  struct Case {
    std::string input;
    std::string canonical;
  };
  const Case cases[] = {
      {"", ""},
      {"   ", ""},
      {"x=a,y=b,z=c", "x=a,y=b,z=c"},
      {"z,y=b,x in (a)", "x in (a),y=b,z"},
      {"x==a", "x=a"},  // our operator set has one equality; "==" prints as "="
      {"x!=a", "x!=a"},
      {"x in (b,a,a)", "x in (a,b)"},
      {"x notin (a)", "x notin (a)"},
      {"x", "x"},
      {"!x", "!x"},
      {"x>1", "x>1"},
      {"x<10", "x<10"},
      {"x>007", "x>007"},
      {"  x  =  a  ,\t y\n", "x=a,y"},
      {"x=", "x="},
      {"x=,y", "x=,y"},
      {"x in ()", "x in ()"},
      {"x in (,a)", "x in (,a)"},
      {"x in (a,)", "x in (,a)"},
      {"x in (a,,b)", "x in (,a,b)"},
      {"in in (in),notin notin (notin)", "in in (in),notin notin (notin)"},
      {"example.com/key=value", "example.com/key=value"},
      {"app.kubernetes.io/part-of=etcd-main,app.kubernetes.io/managed-by=etcd-druid",
       "app.kubernetes.io/managed-by=etcd-druid,app.kubernetes.io/part-of=etcd-main"},
      {"a_b.c-d=A_b.C-9", "a_b.c-d=A_b.C-9"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(parse(c.input).to_string(), c.canonical) << c.input;
  }
}

TEST(SelectorParse, KeepsRequirementsAndValuesSorted) {
  const util::Selector s = parse("b in (z,y),a!=x,!c");
  ASSERT_EQ(s.requirements().size(), 3u);
  EXPECT_EQ(s.requirements()[0], (util::SelectorRequirement{
                                     "a", util::SelectorRequirement::Operator::kNotEquals, {"x"}}));
  EXPECT_EQ(s.requirements()[1],
            (util::SelectorRequirement{"b", util::SelectorRequirement::Operator::kIn, {"y", "z"}}));
  EXPECT_EQ(s.requirements()[2], (util::SelectorRequirement{
                                     "c", util::SelectorRequirement::Operator::kDoesNotExist, {}}));
}

TEST(SelectorParse, RejectsWithKubernetesMessages) {
  struct Case {
    std::string input;
    std::string message;
  };
  const Case cases[] = {
      {"x=a,", "found '', expected: identifier after ','"},
      {"x in (a),", "found '', expected: identifier after ','"},
      {",x", "found ',', expected: !, identifier, or 'end of string'"},
      {"=a", "found '=', expected: !, identifier, or 'end of string'"},
      {"x=a y", "found 'y', expected: ',' or 'end of string'"},
      {"x=a=b", "found '=', expected: ',' or 'end of string'"},
      {"!x=a", "found '=', expected: ',' or 'end of string'"},
      {"x in a", kRequirement + "found 'a' expected: '('"},
      {"x in (a b)", kRequirement + "found 'b', expected: ',' or ')'"},
      {"x in (a", kRequirement + "found '', expected: ',' or ')'"},
      {"x in (", kRequirement + "found '', expected: ',', ')' or identifier"},
      {"x in (=)", kRequirement + "found '=', expected: ',', ')' or identifier"},
      {"x in (a,=)", kRequirement + "found '=', expected: ',', or identifier"},
      {"x = = a", kRequirement + "found '=', expected: identifier"},
      {"x y", kRequirement + "found 'y', expected: in, notin, =, ==, !=, gt, lt"},
      {"x (a)", kRequirement + "found '(', expected: in, notin, =, ==, !=, gt, lt"},
      {"!", kRequirement + "found '', expected: identifier"},
      {"!!x", kRequirement + "found '!', expected: identifier"},
      {"x>a", kRequirement +
                  "values[0]: Invalid value: \"a\": for 'Gt', 'Lt' operators, the value must be an "
                  "integer"},
      {"x<", kRequirement +
                 "values[0]: Invalid value: \"\": for 'Gt', 'Lt' operators, the value must be an "
                 "integer"},
      {"x>99999999999999999999",
       kRequirement +
           "values[0]: Invalid value: \"99999999999999999999\": for 'Gt', 'Lt' operators, the "
           "value must be an integer"},
      {"-x=a", kRequirement + "<nil>: Invalid value: \"-x\": name part " + kNameRegex},
      {"a/b/c", kRequirement + "<nil>: Invalid value: \"a/b/c\": a qualified name " + kNameRegex +
                    " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"},
      {"/a", kRequirement + "<nil>: Invalid value: \"/a\": prefix part must be non-empty"},
      {"Example.com/a",
       kRequirement + "<nil>: Invalid value: \"Example.com/a\": prefix part " + kSubdomainRegex},
      {"a/", kRequirement +
                 "<nil>: Invalid value: \"a/\": name part must be non-empty; name part " +
                 kNameRegex},
      {std::string(64, 'k'), kRequirement + "<nil>: Invalid value: \"" + std::string(64, 'k') +
                                 "\": name part must be no more than 63 characters"},
      {std::string(254, 'p') + "/k", kRequirement + "<nil>: Invalid value: \"" +
                                         std::string(254, 'p') +
                                         "/k\": prefix part must be no more than 253 characters"},
      {"\xD0\xBA\xD0\xBB\xD1\x8E\xD1\x87",  // "ключ"
       kRequirement + "<nil>: Invalid value: \"\xD0\xBA\xD0\xBB\xD1\x8E\xD1\x87\": name part " +
           kNameRegex},
      {"x=" + std::string(64, 'v'), kRequirement + "values[0][x]: Invalid value: \"" +
                                        std::string(64, 'v') +
                                        "\": must be no more than 63 characters"},
      {"x=-a", kRequirement + "values[0][x]: Invalid value: \"-a\": " + kValueRegex},
      {"x=a||y=b", kRequirement + "values[0][x]: Invalid value: \"a||y\": " + kValueRegex},
      {"x=a\xff", kRequirement + "values[0][x]: Invalid value: \"a\\xff\": " + kValueRegex},
      {"x=a\"b", kRequirement + "values[0][x]: Invalid value: \"a\\\"b\": " + kValueRegex},
      {"x in (a,-b)", kRequirement + "values[0][x]: Invalid value: \"-b\": " + kValueRegex},
      // Label values cannot start with a sign, so gt/lt never take negative numbers.
      {"x<-1", kRequirement + "values[0][x]: Invalid value: \"-1\": " + kValueRegex},
  };
  for (const auto& c : cases) {
    auto parsed = util::Selector::parse(c.input);
    ASSERT_FALSE(parsed.has_value()) << c.input;
    EXPECT_EQ(parsed.error().message(), c.message) << c.input;
    EXPECT_EQ(parsed.error().input, c.input);
  }
}

TEST(SelectorMatch, FollowsKubernetesSemantics) {
  struct Case {
    std::string selector;
    util::Labels labels;
    bool matches;
  };
  const Case cases[] = {
      {"", {}, true},
      {"", {{"a", "b"}}, true},
      {"x=a", {{"x", "a"}}, true},
      {"x==a", {{"x", "a"}}, true},
      {"x=a", {{"x", "b"}}, false},
      {"x=a", {}, false},
      {"x=", {{"x", ""}}, true},
      {"x!=a", {}, true},
      {"x!=a", {{"x", "b"}}, true},
      {"x!=a", {{"x", "a"}}, false},
      {"x in (a,b)", {{"x", "b"}}, true},
      {"x in (a,b)", {{"x", "c"}}, false},
      {"x in (a,b)", {}, false},
      {"x notin (a,b)", {}, true},
      {"x notin (a,b)", {{"x", "c"}}, true},
      {"x notin (a,b)", {{"x", "a"}}, false},
      {"x", {{"x", ""}}, true},
      {"x", {{"y", "a"}}, false},
      {"!x", {}, true},
      {"!x", {{"x", "a"}}, false},
      {"x>1", {{"x", "2"}}, true},
      {"x>1", {{"x", "1"}}, false},
      {"x>1", {{"x", "two"}}, false},
      {"x>1", {}, false},
      {"x<1", {{"x", "-5"}}, true},
      {"x<1", {{"x", "1"}}, false},
      {"x=a,y in (b)", {{"x", "a"}, {"y", "b"}}, true},
      {"x=a,y in (b)", {{"x", "a"}, {"y", "c"}}, false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(parse(c.selector).matches(c.labels), c.matches) << c.selector;
  }
}

TEST(SelectorFromLabels, EveryKeyEqualsItsValue) {
  const util::Selector s = util::Selector::from_labels({{"b", "2"}, {"a", "1"}});
  EXPECT_EQ(s.to_string(), "a=1,b=2");
  EXPECT_TRUE(s.matches({{"a", "1"}, {"b", "2"}, {"c", "3"}}));
  EXPECT_FALSE(s.matches({{"a", "1"}}));
  EXPECT_TRUE(util::Selector::from_labels({}).empty());
  EXPECT_TRUE(util::Selector::from_labels({}).matches({{"any", "thing"}}));
}

TEST(SelectorAdd, InsertsInKeyOrder) {
  util::Selector s;
  s.add({"m", util::SelectorRequirement::Operator::kExists, {}});
  s.add({"a", util::SelectorRequirement::Operator::kEquals, {"1"}});
  s.add({"z", util::SelectorRequirement::Operator::kNotIn, {"b", "a"}});
  EXPECT_EQ(s.to_string(), "a=1,m,z notin (a,b)");
  EXPECT_FALSE(s.empty());
}

LabelSelectorRequirement expression(std::string key, std::string op,
                                    std::vector<std::string> values) {
  LabelSelectorRequirement r;
  r.key = std::move(key);
  r.operator_ = std::move(op);
  r.values = std::move(values);
  return r;
}

TEST(ToSelector, EmptySelectorMatchesEverything) {
  auto s = to_selector(LabelSelector{});
  ASSERT_TRUE(s.has_value());
  EXPECT_TRUE(s->empty());
  EXPECT_TRUE(s->matches({}));
  EXPECT_TRUE(s->matches({{"a", "b"}}));
}

TEST(ToSelector, CombinesMatchLabelsAndExpressions) {
  LabelSelector ls;
  ls.match_labels = {{"role", "main"}, {"app", "etcd"}};
  ls.match_expressions = {expression("tier", "In", {"b", "a"}), expression("zone", "NotIn", {"x"}),
                          expression("ready", "Exists", {}),
                          expression("broken", "DoesNotExist", {})};
  auto s = to_selector(ls);
  ASSERT_TRUE(s.has_value()) << s.error().message();
  EXPECT_EQ(s->to_string(), "app=etcd,!broken,ready,role=main,tier in (a,b),zone notin (x)");
  EXPECT_TRUE(s->matches({{"app", "etcd"}, {"role", "main"}, {"tier", "a"}, {"ready", ""}}));
  EXPECT_FALSE(s->matches({{"app", "etcd"}, {"role", "main"}, {"tier", "c"}, {"ready", ""}}));
  EXPECT_FALSE(s->matches(
      {{"app", "etcd"}, {"role", "main"}, {"tier", "a"}, {"ready", ""}, {"broken", "1"}}));
  EXPECT_FALSE(
      s->matches({{"app", "etcd"}, {"role", "main"}, {"tier", "a"}, {"ready", ""}, {"zone", "x"}}));
}

TEST(ToSelector, RejectsWithKubernetesMessages) {
  struct Case {
    LabelSelector selector;
    std::string input;
    std::string message;
  };
  auto with_expression = [](LabelSelectorRequirement r) {
    LabelSelector ls;
    ls.match_expressions.push_back(std::move(r));
    return ls;
  };
  auto with_labels = [](util::Labels labels) {
    LabelSelector ls;
    ls.match_labels = std::move(labels);
    return ls;
  };
  const Case cases[] = {
      {with_expression(expression("k", "Foo", {})), "Foo",
       "\"Foo\" is not a valid label selector operator"},
      {with_expression(expression("k", "in", {"a"})), "in",
       "\"in\" is not a valid label selector operator"},
      {with_expression(expression("k", "", {})), "", "\"\" is not a valid label selector operator"},
      {with_expression(expression("k", "In", {})), "k",
       "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be "
       "empty"},
      {with_expression(expression("k", "NotIn", {})), "k",
       "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be "
       "empty"},
      {with_expression(expression("k", "Exists", {"a"})), "k",
       "values: Invalid value: []string{\"a\"}: values set must be empty for exists and does not "
       "exist"},
      {with_expression(expression("k", "DoesNotExist", {"a", "b"})), "k",
       "values: Invalid value: []string{\"a\", \"b\"}: values set must be empty for exists and "
       "does not exist"},
      {with_expression(expression("k", "Exists", {"a b"})), "k",
       "[values: Invalid value: []string{\"a b\"}: values set must be empty for exists and does "
       "not exist, values[0][k]: Invalid value: \"a b\": " +
           kValueRegex + "]"},
      {with_expression(expression("bad key", "In", {"v"})), "bad key",
       "key: Invalid value: \"bad key\": name part " + kNameRegex},
      {with_expression(expression("", "Exists", {})), "",
       "key: Invalid value: \"\": name part must be non-empty; name part " + kNameRegex},
      {with_labels({{"bad key", "v"}}), "bad key",
       "key: Invalid value: \"bad key\": name part " + kNameRegex},
      {with_labels({{"k", "-v"}}), "k", "values[0][k]: Invalid value: \"-v\": " + kValueRegex},
  };
  for (const auto& c : cases) {
    auto s = to_selector(c.selector);
    ASSERT_FALSE(s.has_value()) << c.message;
    EXPECT_EQ(s.error().message(), c.message);
    EXPECT_EQ(s.error().input, c.input);
  }
}

TEST(SelectorRequirementText, PrintsEachOperator) {
  using Op = util::SelectorRequirement::Operator;
  EXPECT_EQ((util::SelectorRequirement{"a", Op::kEquals, {"b"}}).to_string(), "a=b");
  EXPECT_EQ((util::SelectorRequirement{"a", Op::kNotEquals, {"b"}}).to_string(), "a!=b");
  EXPECT_EQ((util::SelectorRequirement{"a", Op::kIn, {"y", "x"}}).to_string(), "a in (x,y)");
  EXPECT_EQ((util::SelectorRequirement{"a", Op::kNotIn, {"x"}}).to_string(), "a notin (x)");
  EXPECT_EQ((util::SelectorRequirement{"a", Op::kExists, {}}).to_string(), "a");
  EXPECT_EQ((util::SelectorRequirement{"a", Op::kDoesNotExist, {}}).to_string(), "!a");
  EXPECT_EQ((util::SelectorRequirement{"a", Op::kGreaterThan, {"1"}}).to_string(), "a>1");
  EXPECT_EQ((util::SelectorRequirement{"a", Op::kLessThan, {"1"}}).to_string(), "a<1");
}

}  // namespace
}  // namespace druid::api
