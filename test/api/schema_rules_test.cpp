#include "api/validation/schema_rules.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "api/etcd.hpp"
#include "util/name_syntax.hpp"

namespace druid::api::validation {
namespace {

using nlohmann::json;

std::vector<std::string> messages(const FieldErrors& errors) {
  std::vector<std::string> out;
  for (const auto& e : errors) out.push_back(e.message());
  return out;
}

bool is_abc(std::string_view s) {
  return s == "abc";
}

TEST(SchemaRules, PatternAcceptsMatchingAndReportsKubeOpenapiText) {
  FieldErrors errors;
  check_pattern(errors, FieldPath("spec").child("x"), "abc", "^abc$", is_abc);
  EXPECT_TRUE(errors.empty());
  check_pattern(errors, FieldPath("spec").child("x"), "abd", "^abc$", is_abc);
  EXPECT_EQ(messages(errors),
            std::vector<std::string>{"spec.x: Invalid value: \"abd\": spec.x in body should match "
                                     "'^abc$'"});
  EXPECT_EQ(errors[0].type, FieldErrorType::kInvalid);
}

TEST(SchemaRules, EnumListsSupportedValues) {
  FieldErrors errors;
  check_enum(errors, FieldPath("m"), "basic", {"basic", "extensive"});
  EXPECT_TRUE(errors.empty());
  check_enum(errors, FieldPath("m"), "full", {"basic", "extensive"});
  EXPECT_EQ(messages(errors),
            std::vector<std::string>{
                "m: Unsupported value: \"full\": supported values: \"basic\", \"extensive\""});
}

TEST(SchemaRules, MaxLengthCountsCharactersNotBytes) {
  FieldErrors errors;
  check_max_length(errors, FieldPath("n"), "\xC2\xB5\xC2\xB5\xC2\xB5", 3);  // three 'µ'
  EXPECT_TRUE(errors.empty());
  check_max_length(errors, FieldPath("n"), "abcd", 3);
  EXPECT_EQ(messages(errors), std::vector<std::string>{"n: Too long: may not be longer than 3"});
  EXPECT_EQ(errors[0].type, FieldErrorType::kTooLong);
}

TEST(SchemaRules, MinLength) {
  FieldErrors errors;
  check_min_length(errors, FieldPath("n"), "a", 1);
  EXPECT_TRUE(errors.empty());
  check_min_length(errors, FieldPath("n"), "", 1);
  EXPECT_EQ(messages(errors),
            std::vector<std::string>{"n: Invalid value: \"\": n in body should be at least 1 "
                                     "chars long"});
}

TEST(SchemaRules, MaxItems) {
  FieldErrors errors;
  check_max_items(errors, FieldPath("l"), 10, 10);
  EXPECT_TRUE(errors.empty());
  check_max_items(errors, FieldPath("l"), 11, 10);
  EXPECT_EQ(messages(errors),
            std::vector<std::string>{"l: Too many: 11: must have at most 10 items"});
}

TEST(SchemaRules, MinItemsReportsTheCount) {
  FieldErrors errors;
  check_min_items(errors, FieldPath("l"), 1, 1);
  EXPECT_TRUE(errors.empty());
  check_min_items(errors, FieldPath("l"), 0, 1);
  EXPECT_EQ(messages(errors), std::vector<std::string>{
                                  "l: Invalid value: 0: l in body should have at least 1 items"});
}

TEST(SchemaRules, Minimum) {
  FieldErrors errors;
  check_minimum(errors, FieldPath("t"), 10, 10);
  EXPECT_TRUE(errors.empty());
  check_minimum(errors, FieldPath("t"), 9, 10);
  EXPECT_EQ(messages(errors),
            std::vector<std::string>{"t: Invalid value: 9: t in body should be greater than or "
                                     "equal to 10"});
}

TEST(SchemaRules, DateTimeIsRfc3339) {
  FieldErrors errors;
  check_date_time(errors, FieldPath("t"), "2025-01-01T00:00:00Z");
  EXPECT_TRUE(errors.empty());
  check_date_time(errors, FieldPath("t"), "2025-01-01");
  EXPECT_EQ(messages(errors),
            std::vector<std::string>{"t: Invalid value: \"2025-01-01\": t in body must be of type "
                                     "date-time: \"2025-01-01\""});
  EXPECT_EQ(errors[0].type, FieldErrorType::kTypeInvalid);
}

TEST(SchemaRules, SetReportsEveryRepeatedItem) {
  FieldErrors errors;
  check_unique_set(errors, FieldPath("s"), json{"a", "b"});
  EXPECT_TRUE(errors.empty());
  check_unique_set(errors, FieldPath("s"), json{"a", "b", "a", "a"});
  EXPECT_EQ(messages(errors), (std::vector<std::string>{"s[2]: Duplicate value: \"a\"",
                                                        "s[3]: Duplicate value: \"a\""}));
}

TEST(SchemaRules, QuantityPattern) {
  for (const char* ok : {"16Gi", "8Gi", "100Mi", "1.5", "-1e3", ".5", "1.", "500m", "1E", "2Ei",
                         "+3k", "1e-3", "1E+2"}) {
    EXPECT_TRUE(matches_quantity_pattern(ok)) << ok;
  }
  for (const char* bad : {"", "Gi", "1GB", "1.2.3", "1e", "1Ki5", ".", "1 Gi", "1i"}) {
    EXPECT_FALSE(matches_quantity_pattern(bad)) << bad;
  }
}

TEST(SchemaRules, Dns1123LabelPattern) {
  for (const char* ok : {"a", "etcd-main", "0x1"})
    EXPECT_TRUE(util::matches_dns1123_label(ok)) << ok;
  for (const char* bad : {"", "-a", "a-", "A", "a.b", "a_b"}) {
    EXPECT_FALSE(util::matches_dns1123_label(bad)) << bad;
  }
}

TEST(SchemaRules, StoreContainerPattern) {
  EXPECT_TRUE(matches_store_container_pattern("abc"));
  EXPECT_TRUE(matches_store_container_pattern("default.bkp"));
  EXPECT_TRUE(matches_store_container_pattern(std::string(63, 'a')));
  EXPECT_FALSE(matches_store_container_pattern("ab"));
  EXPECT_FALSE(matches_store_container_pattern(std::string(64, 'a')));
  EXPECT_FALSE(matches_store_container_pattern("a;b"));
  EXPECT_FALSE(matches_store_container_pattern(".ab"));
  EXPECT_FALSE(matches_store_container_pattern("ab$(rm)"));
}

TEST(SchemaRules, CelIsUrlAcceptsWhatGoParseRequestUriAccepts) {
  for (const char* ok :
       {"https://10.0.0.1:2380", "http://etcd-main-0.etcd-main-peer.ns.svc:2380",
        "https://user:pa%20ss@host:443/p?q=1", "http://[fe80::1%25en0]:2380", "http://[::1]",
        "/absolute/path", "mailto:someone", "http:", "https://", "*", "http://host/a b",
        "http://host/#frag", "http://a:b:80", "HTTP://HOST"}) {
    EXPECT_TRUE(cel_is_url(ok)) << ok;
  }
  for (const char* bad :
       {"", "10.0.0.1:2380", "relative/path", ":2380", "http://a b", "http://host:80x",
        "http://host:port", "http://%zz", "http://ho%41st", "http://[::1", "http://us er@host",
        "ht tp://host", "http://host/\n", "http://host/%g0", "http://host{}/"}) {
    EXPECT_FALSE(cel_is_url(bad)) << bad;
  }
}

TEST(SchemaRules, CelStringToIntIsGoParseInt) {
  EXPECT_EQ(cel_string_to_int("7").value(), 7);
  EXPECT_EQ(cel_string_to_int("+7").value(), 7);
  EXPECT_EQ(cel_string_to_int("-7").value(), -7);
  EXPECT_EQ(cel_string_to_int("007").value(), 7);
  EXPECT_EQ(cel_string_to_int("9223372036854775807").value(), 9223372036854775807);
  EXPECT_EQ(cel_string_to_int("-9223372036854775808").value(),
            std::numeric_limits<std::int64_t>::min());
  for (const char* bad : {"", "-", "a", "1a", " 1", "1_0", "9223372036854775808"}) {
    auto r = cel_string_to_int(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error(), "type conversion error from 'string' to 'int'");
  }
}

TEST(SchemaRules, CelRuleErrorsNameTheSchemaType) {
  EXPECT_EQ(cel_rule_error(FieldPath(), "object", "msg").message(),
            "<nil>: Invalid value: \"object\": msg");
  EXPECT_EQ(cel_evaluation_error(FieldPath("spec"), "object", "boom", "msg").message(),
            "spec: Invalid value: \"object\": boom evaluating rule: msg");
}

TEST(SchemaRules, BlockingErrorsAreTypeRequiredEnumLengthAndCount) {
  EXPECT_FALSE(has_blocking_error({invalid_error(FieldPath("a"), "x", "pattern")}));
  EXPECT_FALSE(has_blocking_error({duplicate_error(FieldPath("a"), "x")}));
  EXPECT_TRUE(has_blocking_error({required_error(FieldPath("a"))}));
  EXPECT_TRUE(has_blocking_error({not_supported_error(FieldPath("a"), "x", {"y"})}));
  EXPECT_TRUE(has_blocking_error({too_long_error(FieldPath("a"), "x", 1)}));
  EXPECT_TRUE(has_blocking_error({too_many_error(FieldPath("a"), 2, 1)}));
  EXPECT_TRUE(has_blocking_error({type_invalid_error(FieldPath("a"), "string", "t")}));
  EXPECT_EQ(rules_not_checked_error().message(),
            "<nil>: Invalid value: \"null\": some validation rules were not checked because the "
            "object was invalid; correct the existing errors to complete validation");
}

TEST(SchemaRules, RatchetingLooksAtTheNearestCorrelatableValue) {
  const json old_object =
      json::parse(R"({"spec": {"a": "x", "list": ["u", "v"], "obj": {"k": 1}}})");
  json same_list = old_object;
  same_list["spec"]["a"] = "changed";
  const auto item_error = invalid_error(FieldPath("spec").child("list").index(1), "v", "bad");
  // The list is unchanged, so is its item.
  EXPECT_TRUE(is_ratcheted(item_error, same_list, old_object));
  json other_list = old_object;
  other_list["spec"]["list"] = json{"v", "v"};
  EXPECT_FALSE(is_ratcheted(item_error, other_list, old_object));
  // A changed value is re-checked; the root compares whole objects.
  const auto a_error = invalid_error(FieldPath("spec").child("a"), "changed", "bad");
  EXPECT_FALSE(is_ratcheted(a_error, same_list, old_object));
  EXPECT_FALSE(is_ratcheted(cel_rule_error(FieldPath(), "object", "m"), same_list, old_object));
  EXPECT_TRUE(is_ratcheted(cel_rule_error(FieldPath(), "object", "m"), old_object, old_object));
  // A missing required field belongs to its parent.
  const auto required = required_error(FieldPath("spec").child("obj").child("name"));
  EXPECT_TRUE(is_ratcheted(required, same_list, old_object));
  json other_obj = same_list;
  other_obj["spec"]["obj"]["k"] = 2;
  EXPECT_FALSE(is_ratcheted(required, other_obj, old_object));

  FieldErrors errors{a_error, item_error};
  drop_ratcheted(errors, same_list, old_object);
  EXPECT_EQ(messages(errors), std::vector<std::string>{a_error.message()});
}

TEST(SchemaRules, PruningDropsUnknownFieldsAndNullProperties) {
  const json in = json::parse(R"({
    "apiVersion": "druid.gardener.cloud/v1alpha1", "kind": "Etcd", "extra": 1,
    "metadata": {"name": "e", "managedFields": [{"manager": "m"}], "labels": null},
    "spec": {"storageClass": null, "future": true, "labels": {"a": null},
             "etcd": {"resources": {"limits": {"cpu": null, "memory": "1Gi"}}}}
  })");
  const json out = prune_for_validation(in, schema_of<Etcd>());
  EXPECT_EQ(out, json::parse(R"({
    "apiVersion": "druid.gardener.cloud/v1alpha1", "kind": "Etcd",
    "metadata": {"name": "e", "managedFields": [{"manager": "m"}]},
    "spec": {"labels": {"a": null}, "etcd": {"resources": {"limits": {"memory": "1Gi"}}}}
  })"));
}

TEST(SchemaRules, TypeMetaMustBeTheCrdsWhenPresent) {
  EXPECT_TRUE(validate_type_meta(json::object(), "g/v1", "K").empty());
  EXPECT_TRUE(validate_type_meta(json{{"apiVersion", "g/v1"}, {"kind", "K"}}, "g/v1", "K").empty());
  EXPECT_EQ(messages(validate_type_meta(json{{"apiVersion", "v1"}, {"kind", "Pod"}}, "g/v1", "K")),
            (std::vector<std::string>{"kind: Invalid value: \"Pod\": must be K",
                                      "apiVersion: Invalid value: \"v1\": must be g/v1"}));
}

TEST(SchemaRules, ObjectNameMustBeADnsSubdomain) {
  ObjectMeta meta;
  meta.name = "etcd-main.v1";
  EXPECT_TRUE(validate_object_meta(meta).empty());
  meta.name = "Bad_Name";
  EXPECT_EQ(messages(validate_object_meta(meta)),
            std::vector<std::string>{
                "metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must "
                "consist of lower case alphanumeric characters, '-' or '.', and must start and end "
                "with an alphanumeric character (e.g. 'example.com', regex used for validation is "
                "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"});
  meta.name = std::string(254, 'a');
  EXPECT_EQ(messages(validate_object_meta(meta)),
            std::vector<std::string>{"metadata.name: Invalid value: \"" + std::string(254, 'a') +
                                     "\": must be no more than 253 characters"});
}

TEST(SchemaRules, ObjectNeedsNameOrGenerateName) {
  ObjectMeta meta;
  EXPECT_EQ(messages(validate_object_meta(meta)),
            std::vector<std::string>{"metadata.name: Required value: name or generateName is "
                                     "required"});
  meta.generate_name = "etcd-";  // the trailing dash is fine: a suffix follows
  EXPECT_TRUE(validate_object_meta(meta).empty());
  meta.generate_name = "Etcd-";
  ASSERT_EQ(validate_object_meta(meta).size(), 1u);
  EXPECT_EQ(validate_object_meta(meta)[0].field, "metadata.generateName");
}

TEST(SchemaRules, NamespaceMustBeADnsLabel) {
  ObjectMeta meta;
  meta.name = "e";
  meta.namespace_ = "Bad.ns";
  EXPECT_EQ(messages(validate_object_meta(meta)),
            std::vector<std::string>{
                "metadata.namespace: Invalid value: \"Bad.ns\": a lowercase RFC 1123 label must "
                "consist of lower case alphanumeric characters or '-', and must start and end with "
                "an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for "
                "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"});
}

TEST(SchemaRules, NameAndNamespaceAreImmutable) {
  ObjectMeta before;
  before.name = "a";
  before.namespace_ = "ns";
  ObjectMeta after = before;
  EXPECT_TRUE(validate_object_meta_update(after, before).empty());
  after.name = "b";
  after.namespace_ = "other";
  EXPECT_EQ(messages(validate_object_meta_update(after, before)),
            (std::vector<std::string>{"metadata.name: Invalid value: \"b\": field is immutable",
                                      "metadata.namespace: Invalid value: \"other\": field is "
                                      "immutable"}));
}

}  // namespace
}  // namespace druid::api::validation
