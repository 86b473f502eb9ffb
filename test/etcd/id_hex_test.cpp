#include <gtest/gtest.h>

#include "etcd/client.hpp"

namespace druid::etcd {
namespace {

TEST(IdHex, PrintsLowerCaseHexWithoutPadding) {
  EXPECT_EQ(id_to_hex(0x2e12ab93c0a0d56eULL), "2e12ab93c0a0d56e");
  EXPECT_EQ(id_to_hex(0xabcULL), "abc");
  EXPECT_EQ(id_to_hex(0), "0");
}

TEST(IdHex, ParsesWhatItPrints) {
  for (std::uint64_t id : {0ULL, 1ULL, 0xffffffffffffffffULL, 3319814642761637952ULL}) {
    EXPECT_EQ(id_from_hex(id_to_hex(id)), id);
  }
  EXPECT_EQ(id_from_hex("2E12AB93C0A0D56E"), 0x2e12ab93c0a0d56eULL);
}

TEST(IdHex, RejectsWhatIsNotAnId) {
  EXPECT_EQ(id_from_hex(""), std::nullopt);
  EXPECT_EQ(id_from_hex("xyz"), std::nullopt);
  EXPECT_EQ(id_from_hex("12 "), std::nullopt);
  EXPECT_EQ(id_from_hex("-1"), std::nullopt);
  EXPECT_EQ(id_from_hex("0x12"), std::nullopt);
  EXPECT_EQ(id_from_hex("1ffffffffffffffff"), std::nullopt);  // 65 bits
}

}  // namespace
}  // namespace druid::etcd
