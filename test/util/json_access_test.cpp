// Tolerant reads of objects from an API server (util/json_access.hpp), and the
// one rule for "controlled by" that components, status and watches share.

#include "util/json_access.hpp"

#include <gtest/gtest.h>

namespace druid::util {
namespace {

using nlohmann::json;

json owned_by(json refs) {
  return {{"metadata", {{"name", "x"}, {"ownerReferences", std::move(refs)}}}};
}

json ref(const std::string& uid, json controller) {
  json out = {{"apiVersion", "druid.gardener.cloud/v1alpha1"},
              {"kind", "Etcd"},
              {"name", "etcd-main"},
              {"uid", uid}};
  if (!controller.is_null()) out["controller"] = std::move(controller);
  return out;
}

TEST(JsonAccess, MalformedObjectsReadAsEmpty) {
  EXPECT_TRUE(metadata_of(json::array()).empty());
  EXPECT_TRUE(metadata_of(json{{"metadata", 3}}).empty());
  EXPECT_EQ(string_field(json{{"name", 3}}, "name"), "");
  EXPECT_EQ(string_field(json("text"), "name"), "");
}

TEST(ControllerReference, TheFirstReferenceMarkedControllerIsTheController) {
  const json object =
      owned_by({ref("a", false), ref("b", nullptr), ref("c", true), ref("d", true)});
  const json* controller = controller_reference_of(object);
  ASSERT_NE(controller, nullptr);
  EXPECT_EQ(string_field(*controller, "uid"), "c");
}

TEST(ControllerReference, NoneWithoutABooleanTrueController) {
  EXPECT_EQ(controller_reference_of(json::object()), nullptr);
  EXPECT_EQ(controller_reference_of(owned_by(json::object())), nullptr);
  EXPECT_EQ(controller_reference_of(owned_by({ref("a", false), ref("b", "true"), 7})), nullptr);
}

// metav1.IsControlledBy: only the controller reference counts, an owner
// reference without controller does not, and a second controller reference
// (which the API server should never accept) does not either.
TEST(IsControlledBy, OnlyTheControllerReferenceDecides) {
  EXPECT_TRUE(is_controlled_by(owned_by({ref("a", false), ref("b", true)}), "b"));
  EXPECT_FALSE(is_controlled_by(owned_by({ref("a", false), ref("b", true)}), "a"));
  EXPECT_FALSE(is_controlled_by(owned_by({ref("b", true), ref("c", true)}), "c"));
  EXPECT_FALSE(is_controlled_by(json{{"metadata", {{"name", "x"}}}}, "b"));
}

// An Etcd not created yet has no uid; it controls nothing, not even an object
// whose controller reference lacks a uid.
TEST(IsControlledBy, AnEmptyUidControlsNothing) {
  EXPECT_FALSE(is_controlled_by(owned_by({ref("", true)}), ""));
  json no_uid = owned_by({ref("", true)});
  no_uid["metadata"]["ownerReferences"][0].erase("uid");
  EXPECT_FALSE(is_controlled_by(no_uid, ""));
}

}  // namespace
}  // namespace druid::util
