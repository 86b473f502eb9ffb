#include "kube/key_set.hpp"

#include <gtest/gtest.h>

#include <list>
#include <string>
#include <vector>

namespace druid::kube {
namespace {

// The texts the pointers point to, in the set's order.
std::vector<std::string> texts(const KeySet& set) {
  std::vector<std::string> out;
  for (const std::string* key : set) out.push_back(*key);
  return out;
}

TEST(KeySetTest, IteratesInKeyOrderWhateverTheInsertOrder) {
  const std::list<std::string> keys = {"ns/c", "ns/a", "other/a", "ns/b"};
  KeySet set;
  for (const auto& key : keys) set.insert(&key);
  EXPECT_EQ(texts(set), (std::vector<std::string>{"ns/a", "ns/b", "ns/c", "other/a"}));
  EXPECT_EQ(set.size(), 4U);
}

TEST(KeySetTest, InsertingAKeyTwiceKeepsOne) {
  const std::string key = "ns/a";
  KeySet set;
  set.insert(&key);
  set.insert(&key);
  EXPECT_EQ(set.size(), 1U);
}

TEST(KeySetTest, EraseRemovesThatKeyOnlyAndIgnoresAbsentOnes) {
  const std::list<std::string> keys = {"a", "b", "c"};
  const std::string absent = "zz";
  KeySet set;
  for (const auto& key : keys) set.insert(&key);
  set.erase(&*std::next(keys.begin()));  // "b"
  set.erase(&absent);
  EXPECT_EQ(texts(set), (std::vector<std::string>{"a", "c"}));
  // A different pointer to the same text is not the cache's key: nothing goes.
  const std::string other_a = "a";
  set.erase(&other_a);
  EXPECT_EQ(texts(set), (std::vector<std::string>{"a", "c"}));
  for (const auto& key : keys) set.erase(&key);
  EXPECT_TRUE(set.empty());
}

TEST(KeySetTest, InsertAllIsTheUnionInKeyOrder) {
  const std::list<std::string> keys = {"a", "b", "c", "d"};
  auto at = [&](int i) { return &*std::next(keys.begin(), i); };
  KeySet left;
  left.insert(at(0));
  left.insert(at(2));
  KeySet right;
  right.insert(at(1));
  right.insert(at(2));
  right.insert(at(3));
  left.insert_all(right);
  EXPECT_EQ(texts(left), (std::vector<std::string>{"a", "b", "c", "d"}));
}

TEST(KeySetTest, ASetThatShrankMuchKeepsItsRemainingKeysInOrder) {
  std::list<std::string> keys;
  for (int i = 0; i < 1000; ++i) keys.push_back("ns/key-" + std::to_string(1000 + i));
  KeySet set;
  for (const auto& key : keys) set.insert(&key);
  auto it = keys.begin();
  for (int i = 0; i < 990; ++i, ++it) set.erase(&*it);
  ASSERT_EQ(set.size(), 10U);
  EXPECT_EQ(texts(set).front(), "ns/key-1990");
  EXPECT_EQ(texts(set).back(), "ns/key-1999");
}

}  // namespace
}  // namespace druid::kube
