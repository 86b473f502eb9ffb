// `kubectl druid component-protection remove|add`: the disable-etcd-component-protection
// annotation on the Etcds.

#include <gtest/gtest.h>

#include "druidctl_env.hpp"

namespace druid::druidctl::test {
namespace {

constexpr const char* kDisable = "druid.gardener.cloud/disable-etcd-component-protection";

using ComponentProtectionTest = DruidctlTest;

TEST_F(ComponentProtectionTest, RemoveSetsTheEmptyAnnotationAndAddDropsIt) {
  create_etcd("default", "etcd-a");
  create_etcd("default", "etcd-b");
  auto removed = druid("component-protection remove etcd-a etcd-b");
  EXPECT_EQ(removed.exit_code, 0) << removed.err;
  EXPECT_EQ(annotations("default", "etcd-a")[kDisable], "");
  EXPECT_EQ(annotations("default", "etcd-b")[kDisable], "");

  auto added = druid("component-protection add etcd-a -v");
  EXPECT_EQ(added.exit_code, 0) << added.err;
  EXPECT_FALSE(annotations("default", "etcd-a").contains(kDisable));
  EXPECT_EQ(annotations("default", "etcd-b")[kDisable], "");
  EXPECT_TRUE(contains(added.out, "[default/etcd-a] Added component protection")) << added.out;
}

TEST_F(ComponentProtectionTest, AddLeavesEtcdsWithoutTheAnnotationUnwritten) {
  create_etcd("default", "etcd-a");
  server_.controls().reset_counts();
  auto added = druid("component-protection add etcd-a");
  EXPECT_EQ(added.exit_code, 0) << added.err;
  EXPECT_EQ(server_.controls().request_count("update", "etcds"), 0);
}

}  // namespace
}  // namespace druid::druidctl::test
