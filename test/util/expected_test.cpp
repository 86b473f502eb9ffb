// Expected<T, E> and Expected<void, E>, "an error or nothing".
#include "util/expected.hpp"

#include <gtest/gtest.h>

#include <string>

namespace druid::util {
namespace {

Expected<void, std::string> check_positive(int value) {
  if (value <= 0) return unexpected("must be positive, got " + std::to_string(value));
  return {};
}

TEST(ExpectedVoid, DefaultIsSuccess) {
  const auto result = check_positive(3);
  EXPECT_TRUE(result.has_value());
  EXPECT_TRUE(static_cast<bool>(result));
}

TEST(ExpectedVoid, AnUnexpectedIsTheError) {
  const auto result = check_positive(-2);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(), "must be positive, got -2");
}

TEST(Expected, HoldsAValueOrAnError) {
  const Expected<int, std::string> value = 7;
  ASSERT_TRUE(value);
  EXPECT_EQ(*value, 7);
  const Expected<int, std::string> error = unexpected(std::string("no"));
  ASSERT_FALSE(error);
  EXPECT_EQ(error.error(), "no");
  EXPECT_EQ(error.value_or(1), 1);
}

}  // namespace
}  // namespace druid::util
