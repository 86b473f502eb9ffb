// The byte-level text helpers every parser under src/ shares (util/text.hpp),
// with Go's meanings.

#include "util/text.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace druid::util {
namespace {

TEST(Text, DigitsAreTheTenAsciiDigits) {
  for (char c = '0'; c <= '9'; ++c) EXPECT_TRUE(is_digit(c)) << c;
  for (char c : {'/', ':', 'a', ' ', '\xd9'}) EXPECT_FALSE(is_digit(c)) << c;
}

// unicode.IsSpace: the vertical tab counts too (two copies of this helper
// left it out, one did not).
TEST(Text, GoSpacesIncludeTheVerticalTab) {
  for (char c : {' ', '\t', '\n', '\v', '\f', '\r'}) EXPECT_TRUE(is_go_space(c)) << int(c);
  for (char c : {'\0', 'x', '\x1c', '\x85', '\xa0'}) EXPECT_FALSE(is_go_space(c)) << int(c);
}

TEST(Text, TrimSpaceAsGo) {
  EXPECT_EQ(trim_go_space(" \t\v a b \r\n"), "a b");
  EXPECT_EQ(trim_go_space(" \f "), "");
  EXPECT_EQ(trim_go_space(""), "");
  EXPECT_EQ(trim_go_space("x"), "x");
}

TEST(Text, LowerChangesOnlyAsciiLetters) {
  EXPECT_EQ(ascii_lower("MON-Fri @Every 5M"), "mon-fri @every 5m");
  EXPECT_EQ(ascii_lower("\xc3\x84"), "\xc3\x84");
}

TEST(Text, SplitAsGo) {
  using Parts = std::vector<std::string_view>;
  EXPECT_EQ(split("", ','), Parts{""});
  EXPECT_EQ(split("a", ','), Parts{"a"});
  EXPECT_EQ(split("a,b", ','), (Parts{"a", "b"}));
  EXPECT_EQ(split(",a,,", ','), (Parts{"", "a", "", ""}));
}

TEST(UrlEncode, KeepsOnlyUnreservedCharacters) {
  EXPECT_EQ(url_encode("etcd-main_0.x~"), "etcd-main_0.x~");
  EXPECT_EQ(url_encode("a b/c"), "a%20b%2Fc");
  EXPECT_EQ(url_encode("app=x,tier!=db"), "app%3Dx%2Ctier%21%3Ddb");
  EXPECT_EQ(url_encode("\xC3\xA9"), "%C3%A9");
}

}  // namespace
}  // namespace druid::util
