#include "api/quantity.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace druid::api {
namespace {

constexpr const char* kFormatWrong =
    "quantities must match the regular expression "
    "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
constexpr const char* kSuffixError = "unable to parse quantity's suffix";
constexpr const char* kNumericError = "unable to parse numeric part of quantity";
constexpr const char* kOutOfRange =
    "quantity is out of range: its magnitude must be below 10^29 (nano precision in 128 bits)";

constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kInt64Min = std::numeric_limits<std::int64_t>::min();

Quantity q(const char* text) {
  auto parsed = Quantity::parse(text);
  EXPECT_TRUE(parsed.has_value()) << text << ": " << parsed.error().message();
  return parsed.has_value() ? *parsed : Quantity{};
}

struct StringCase {
  const char* input;
  const char* canonical;
  QuantityFormat format;
};

TEST(QuantityParse, PrintsCanonicalFormLikeKubernetes) {
  constexpr auto kDec = QuantityFormat::kDecimalSI;
  constexpr auto kBin = QuantityFormat::kBinarySI;
  constexpr auto kExp = QuantityFormat::kDecimalExponent;
  const StringCase cases[] = {
      {"0", "0", kDec},
      {"0n", "0", kDec},
      {"0m", "0", kDec},
      {"0Ki", "0", kBin},
      {"0Gi", "0", kBin},
      {"-0", "0", kDec},
      {"1", "1", kDec},
      {"1Ki", "1Ki", kBin},
      {"8Ki", "8Ki", kBin},
      {"7Mi", "7Mi", kBin},
      {"6Gi", "6Gi", kBin},
      {"5Ti", "5Ti", kBin},
      {"4Pi", "4Pi", kBin},
      {"3Ei", "3Ei", kBin},
      {"100Mi", "100Mi", kBin},
      {"1024Mi", "1Gi", kBin},
      {"0.5Gi", "512Mi", kBin},
      {"1.5Gi", "1536Mi", kBin},
      {"0.5Mi", "512Ki", kBin},
      {"1.5Ki", "1536", kBin},
      {"0.5Ki", "512", kBin},
      {"16Gi", "16Gi", kBin},
      {"8192Mi", "8Gi", kBin},
      {"5n", "5n", kDec},
      {"4u", "4u", kDec},
      {"3m", "3m", kDec},
      {"8k", "8k", kDec},
      {"50k", "50k", kDec},
      {"7M", "7M", kDec},
      {"6G", "6G", kDec},
      {"5T", "5T", kDec},
      {"300T", "300T", kDec},
      {"2P", "2P", kDec},
      {"1E", "1E", kDec},
      {"12E", "12E", kDec},
      {"1000m", "1", kDec},
      {"1500m", "1500m", kDec},
      {"0.1", "100m", kDec},
      {"0.5", "500m", kDec},
      {"1.5", "1500m", kDec},
      {"1000000", "1M", kDec},
      {"1000M", "1G", kDec},
      {"0.001", "1m", kDec},
      {".001", "1m", kDec},
      {".0001k", "100m", kDec},
      {"0.0005k", "500m", kDec},
      {"9.01", "9010m", kDec},
      {"8.1k", "8100", kDec},
      {"1.01E", "1010P", kDec},
      {"1000E", "1e21", kDec},
      {"5000E", "5e21", kDec},
      {"1e3", "1e3", kExp},
      {"1E6", "1E6", kExp},
      {"1000e0", "1e3", kExp},
      {"1.2e3", "1200", kExp},
      {"1.3E+6", "1300e3", kExp},
      {"0.5e-1", "50e-3", kExp},
      {"1e28", "10e27", kExp},
      // Values finer than a nano round up to the next nano.
      {"3.001n", "4n", kDec},
      {"1.1E-9", "2e-9", kExp},
      {"0.0000000001", "1n", kDec},
      {"0.00000000050", "1n", kDec},
      {"0.5e-9", "1e-9", kExp},
      {"0.00000012345", "124n", kDec},
      {"1e-2147483647", "1e-9", kExp},
      {"0.000000000001Ki", "2n", kDec},
      {".001Ki", "1024m", kBin},
      {".000001Ki", "1024u", kDec},
      {".000000001Ki", "1024n", kDec},
      // Fractional binary values print in decimal rather than round.
      {"100.035Ki", "102435840m", kBin},
      {"0.05Gi", "53687091200m", kBin},
      // Binary SI is capped at 2^63-1, as Kubernetes caps it.
      {"9Ei", "9223372036854775807", kBin},
      {"9223372036854775807Ki", "9223372036854775807", kBin},
      {"99999999999999999999999999999999999999999Ei", "9223372036854775807", kBin},
      {"-1Ki", "-1Ki", kBin},
      {"-1024Mi", "-1Gi", kBin},
      {"-1.5", "-1500m", kDec},
      {"-.001Ki", "-1024m", kBin},
      // Kubernetes keeps the text of an already canonical fast-path parse verbatim.
      {"+1", "+1", kDec},
      {"+100Mi", "+100Mi", kBin},
      {"1.", "1.", kDec},
      {"1.G", "1.G", kDec},
      {"100.035k", "100.035k", kDec},
      {"007", "007", kDec},
      // Oddities Kubernetes accepts: no digits before the suffix is zero.
      {".", "0", kDec},
      {"-", "0", kDec},
      {"e5", "0", kExp},
  };
  for (const auto& c : cases) {
    auto parsed = Quantity::parse(c.input);
    ASSERT_TRUE(parsed.has_value()) << c.input << ": " << parsed.error().message();
    EXPECT_EQ(parsed->to_string(), c.canonical) << c.input;
    EXPECT_EQ(parsed->format(), c.format) << c.input;
  }
}

TEST(QuantityParse, RejectsWithKubernetesMessages) {
  struct Case {
    const char* input;
    const char* message;
  };
  const Case cases[] = {
      {"", kFormatWrong},
      {" 1", kFormatWrong},
      {"1 ", kFormatWrong},
      {"1.1.M", kFormatWrong},
      {"1.2.3", kFormatWrong},
      {"1+1.0M", kFormatWrong},
      {"0.1am", kFormatWrong},
      {"aoeu", kFormatWrong},
      {"1\xC2\xB5", kFormatWrong},
      {"1Gi ", kFormatWrong},
      {"1e3.5", kFormatWrong},
      {"--1", kSuffixError},
      {"0.1mi", kSuffixError},
      {".5i", kSuffixError},
      {"1i", kSuffixError},
      {"-3.01i", kSuffixError},
      {"-3.01e-", kSuffixError},
      {"1e", kSuffixError},
      {"1K", kSuffixError},
      {"1gi", kFormatWrong},
      {"1Mi5", kSuffixError},
      {"1e4294967297", kSuffixError},
      {"1e2147483648", kSuffixError},
      {"1e99999999999999999999", kSuffixError},
      {".e-10", kNumericError},
      {"-.e-99", kNumericError},
      {"1e29", kOutOfRange},
      {"100000000000000000000000000000", kOutOfRange},
      {"1e2147483647", kOutOfRange},
      {"-1000000000000000000000000000000E", kOutOfRange},
  };
  for (const auto& c : cases) {
    auto parsed = Quantity::parse(c.input);
    ASSERT_FALSE(parsed.has_value()) << c.input;
    EXPECT_EQ(parsed.error().message(), c.message) << c.input;
    EXPECT_EQ(parsed.error().input, c.input);
  }
}

TEST(QuantityParse, LargestAcceptedDecimalMagnitude) {
  auto largest = Quantity::parse("99999999999999999999999999999");
  ASSERT_TRUE(largest.has_value());
  EXPECT_EQ(largest->to_string(), "99999999999999999999999999999");
  EXPECT_EQ(largest->value(), kInt64Max);
}

TEST(QuantityValue, RoundsUpAwayFromZero) {
  struct Case {
    const char* input;
    std::int64_t value;
    std::int64_t milli;
  };
  const Case cases[] = {
      {"0", 0, 0},
      {"1", 1, 1000},
      {"1.5", 2, 1500},
      {"100m", 1, 100},
      {"1n", 1, 1},
      {"0.0001", 1, 1},
      {"1.0001", 2, 1001},
      {"-1.5", -2, -1500},
      {"-1n", -1, -1},
      {"1Ki", 1024, 1024000},
      {"8Gi", 8589934592, 8589934592000},
      {"1Gi", 1073741824, 1073741824000},
      {"9Ei", kInt64Max, kInt64Max},
      {"1e28", kInt64Max, kInt64Max},
      {"-1e28", kInt64Min, kInt64Min},
      {"9223372036854775807", kInt64Max, kInt64Max},
      {"-9223372036854775808", kInt64Min, kInt64Min},
  };
  for (const auto& c : cases) {
    const Quantity parsed = q(c.input);
    EXPECT_EQ(parsed.value(), c.value) << c.input;
    EXPECT_EQ(parsed.milli_value(), c.milli) << c.input;
  }
}

TEST(QuantityCompare, ByNumericValue) {
  EXPECT_EQ(q("1Gi"), q("1024Mi"));
  EXPECT_EQ(q("1000m"), q("1"));
  EXPECT_EQ(q("0"), q("0Ki"));
  EXPECT_EQ(q("1e3"), q("1k"));
  EXPECT_GT(q("10000T"), q("100Gi"));
  EXPECT_GT(q("100m"), q("50m"));
  EXPECT_LT(q("1k"), q("1Ki"));
  EXPECT_LT(q("-1"), q("0"));
  EXPECT_NE(q("1n"), q("0"));
  EXPECT_TRUE(q("0m").is_zero());
  EXPECT_FALSE(q("1n").is_zero());
}

TEST(QuantityFromInt, PrintsCanonically) {
  EXPECT_EQ(Quantity::from_int(0).to_string(), "0");
  EXPECT_EQ(Quantity::from_int(1000000000).to_string(), "1G");
  EXPECT_EQ(Quantity::from_int(1234567000000).to_string(), "1234567M");
  EXPECT_EQ(Quantity::from_int(5, QuantityFormat::kBinarySI).to_string(), "5");
  EXPECT_EQ(Quantity::from_int(1024, QuantityFormat::kBinarySI).to_string(), "1Ki");
  EXPECT_EQ(Quantity::from_int(1025, QuantityFormat::kBinarySI).to_string(), "1025");
  EXPECT_EQ(Quantity::from_int(2000, QuantityFormat::kBinarySI).to_string(), "2000");
  EXPECT_EQ(Quantity::from_int(-2000, QuantityFormat::kBinarySI).to_string(), "-2000");
  EXPECT_EQ(Quantity::from_int(8589934592, QuantityFormat::kBinarySI).to_string(), "8Gi");
  EXPECT_EQ(Quantity::from_int(3000, QuantityFormat::kDecimalExponent).to_string(), "3e3");
  EXPECT_EQ(Quantity::from_int(kInt64Max).value(), kInt64Max);
  EXPECT_EQ(Quantity::from_int(kInt64Min).to_string(), "-9223372036854775808");
  EXPECT_EQ(Quantity::from_int(7).format(), QuantityFormat::kDecimalSI);
}

TEST(QuantityIntOrString, ReadsBothForms) {
  auto from_int = parse_quantity(IntOrString(std::int64_t{3}));
  ASSERT_TRUE(from_int.has_value());
  EXPECT_EQ(from_int->value(), 3);
  EXPECT_EQ(from_int->to_string(), "3");

  auto negative = parse_quantity(IntOrString(std::int64_t{-5}));
  ASSERT_TRUE(negative.has_value());
  EXPECT_EQ(negative->value(), -5);

  auto text = parse_quantity(IntOrString("8Gi"));
  ASSERT_TRUE(text.has_value());
  EXPECT_EQ(text->value(), 8589934592);

  // Quantity.UnmarshalJSON trims surrounding whitespace.
  auto padded = parse_quantity(IntOrString(" 1Gi\t"));
  ASSERT_TRUE(padded.has_value());
  EXPECT_EQ(padded->to_string(), "1Gi");

  auto empty = parse_quantity(IntOrString(""));
  ASSERT_FALSE(empty.has_value());
  EXPECT_EQ(empty.error().message(), kFormatWrong);

  auto blank = parse_quantity(IntOrString("   "));
  ASSERT_FALSE(blank.has_value());
  EXPECT_EQ(blank.error().input, "   ");

  auto bad = parse_quantity(IntOrString(" 1x "));
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().message(), kFormatWrong);
  EXPECT_EQ(bad.error().input, " 1x ");
}

TEST(QuantityParse, HandlesVeryLongInput) {
  const std::string long_fraction = "0." + std::string(100000, '0') + "1";
  auto tiny = Quantity::parse(long_fraction);
  ASSERT_TRUE(tiny.has_value());
  EXPECT_EQ(tiny->to_string(), "1n");

  const std::string long_binary = "1." + std::string(50000, '0') + "1Ki";
  auto binary = Quantity::parse(long_binary);
  ASSERT_TRUE(binary.has_value());
  EXPECT_EQ(binary->to_string(), "1024000000001n");

  auto huge = Quantity::parse(std::string(100000, '9'));
  ASSERT_FALSE(huge.has_value());
  EXPECT_EQ(huge.error().message(), kOutOfRange);
}

}  // namespace
}  // namespace druid::api
