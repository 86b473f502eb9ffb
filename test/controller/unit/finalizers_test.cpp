// The finalizer patch every controller sends: other finalizers kept in order,
// ours added once or removed, and the resourceVersion it was computed from.
#include "controller/finalizers.hpp"

#include <gtest/gtest.h>

namespace druid::controller {
namespace {

using nlohmann::json;

api::ObjectMeta meta_with(std::vector<std::string> finalizers) {
  api::ObjectMeta meta;
  meta.name = "etcd-main";
  meta.resource_version = "4711";
  meta.finalizers = std::move(finalizers);
  return meta;
}

TEST(FinalizerPatch, AddsAfterTheOthersWithTheResourceVersion) {
  const auto meta = meta_with({"foregroundDeletion", "example.com/keep"});
  EXPECT_EQ(finalizer_patch(meta, "druid.gardener.cloud/etcd-druid", true),
            json::parse(R"({"metadata": {"resourceVersion": "4711", "finalizers":
                ["foregroundDeletion", "example.com/keep", "druid.gardener.cloud/etcd-druid"]}})"));
}

TEST(FinalizerPatch, RemovesOnlyOurs) {
  const auto meta = meta_with({"example.com/keep", "druid.gardener.cloud/etcd-druid", "other"});
  EXPECT_EQ(finalizer_patch(meta, "druid.gardener.cloud/etcd-druid", false),
            json::parse(R"({"metadata": {"resourceVersion": "4711",
                "finalizers": ["example.com/keep", "other"]}})"));
  // The last one removed leaves an empty list, which clears the field.
  EXPECT_EQ(finalizer_patch(meta_with({"druid.gardener.cloud/etcd-druid"}),
                            "druid.gardener.cloud/etcd-druid", false)["metadata"]["finalizers"],
            json::array());
}

TEST(FinalizerPatch, NeverDuplicates) {
  const auto meta = meta_with({"druid.gardener.cloud/etcd-druid"});
  EXPECT_EQ(finalizers_after(meta, "druid.gardener.cloud/etcd-druid", true),
            (std::vector<std::string>{"druid.gardener.cloud/etcd-druid"}));
}

}  // namespace
}  // namespace druid::controller
