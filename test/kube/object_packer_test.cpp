#include "kube/object_packer.hpp"

#include <gtest/gtest.h>

#include <string>

namespace druid::kube {
namespace {

using nlohmann::json;

json lease(int i) {
  return {{"apiVersion", "coordination.k8s.io/v1"},
          {"kind", "Lease"},
          {"metadata",
           {{"name", "etcd-main-" + std::to_string(i)},
            {"namespace", "shoot--dev--" + std::to_string(i * 7919)},
            {"uid", "5f8b1c2e-0000-4000-8000-" + std::to_string(100000000000 + i)},
            {"resourceVersion", std::to_string(1000 + i)},
            {"labels",
             {{"app.kubernetes.io/component", "etcd-member-lease"},
              {"app.kubernetes.io/managed-by", "etcd-druid"},
              {"app.kubernetes.io/part-of", "etcd-main"}}}}},
          {"spec", {{"holderIdentity", "8f2a3c4d5e6f7a8b:Leader"}, {"leaseDurationSeconds", 40}}}};
}

TEST(ObjectPackerTest, ObjectsAlikeTheFirstPackSmallAndReadBackExactly) {
  ObjectPacker packer;
  const json first = lease(0);
  const auto first_packed = packer.pack(first);
  ASSERT_EQ(packer.unpack(first_packed), first);
  for (int i = 1; i < 50; ++i) {
    const json object = lease(i);
    const auto packed = packer.pack(object);
    EXPECT_EQ(packer.unpack(packed), object) << i;
    // Against the first lease as dictionary, only the names, uid and
    // version differ: a fifth of the MessagePack form at most.
    EXPECT_LT(packed.size() * 5, json::to_msgpack(object).size()) << i;
  }
  // Packing later objects leaves earlier ones readable.
  EXPECT_EQ(packer.unpack(first_packed), first);
}

TEST(ObjectPackerTest, ObjectsUnlikeTheFirstAndLargerThanTheWindowReadBack) {
  ObjectPacker packer;
  const json small = {{"kind", "ConfigMap"}, {"metadata", {{"name", "a"}}}};
  ASSERT_EQ(packer.unpack(packer.pack(small)), small);
  json large = {{"kind", "ConfigMap"}, {"metadata", {{"name", "large"}}}, {"data", json::object()}};
  for (int i = 0; i < 2000; ++i) {
    large["data"]["key-" + std::to_string(i)] = std::string(40, static_cast<char>('a' + i % 26));
  }
  ASSERT_GT(json::to_msgpack(large).size(), 64u * 1024);  // beyond the packer's 16 KiB window
  EXPECT_EQ(packer.unpack(packer.pack(large)), large);
  const json other = {{"numbers", {-1, 0, 18446744073709551615ULL, 0.1}},
                      {"text", "gr\u00fc\u00dfe"},
                      {"nothing", nullptr}};
  EXPECT_EQ(packer.unpack(packer.pack(other)), other);
}

TEST(ObjectPackerTest, DamagedBytesReadAsNothing) {
  ObjectPacker packer;
  auto packed = packer.pack(lease(0));
  ASSERT_TRUE(packer.unpack(packed).has_value());
  EXPECT_FALSE(packer.unpack({}).has_value());
  auto truncated = packed;
  truncated.resize(truncated.size() / 2);
  EXPECT_FALSE(packer.unpack(truncated).has_value());
  auto longer = packed;
  longer[0] = static_cast<std::uint8_t>(longer[0] + 1);  // claims one byte more than it holds
  EXPECT_FALSE(packer.unpack(longer).has_value());
}

}  // namespace
}  // namespace druid::kube
