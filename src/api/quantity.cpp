#include "api/quantity.hpp"

#include <array>
#include <cstdint>
#include <limits>
#include <optional>

#include "util/text.hpp"

namespace druid::api {
namespace {

using Int128 = __int128;

constexpr const char* kFormatWrong =
    "quantities must match the regular expression "
    "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
constexpr const char* kSuffixError = "unable to parse quantity's suffix";
constexpr const char* kNumericError = "unable to parse numeric part of quantity";
constexpr const char* kOutOfRange =
    "quantity is out of range: its magnitude must be below 10^29 (nano precision in 128 bits)";

constexpr std::int64_t kNanosPerUnit = 1'000'000'000;
// Magnitudes are kept below 10^38 nanos, well inside __int128.
constexpr std::size_t kMaxNanoDigits = 38;
// Kubernetes caps binary-SI quantities at 2^63-1.
constexpr Int128 kBinaryCapNanos = Int128{std::numeric_limits<std::int64_t>::max()} * kNanosPerUnit;

// The pieces of a quantity's text, split the way Kubernetes' scanner does.
struct Scanned {
  bool positive = true;
  bool has_digits = true;  // whether the number part holds any digit at all
  std::string num = "0";   // integer digits, leading zeros stripped ("0" if none)
  std::string denom;       // fraction digits as written
  std::string suffix;
};

util::Expected<Scanned, std::string> scan(std::string_view str) {
  Scanned s;
  std::size_t pos = 0;
  const std::size_t end = str.size();
  if (pos < end && (str[0] == '-' || str[0] == '+')) {
    s.positive = str[0] == '+';
    ++pos;
  }
  const std::size_t zeros_start = pos;
  while (pos < end && str[pos] == '0') ++pos;
  if (pos >= end) return s;  // only a sign and zeros (or nothing): zero
  const bool stripped_zeros = pos > zeros_start;

  std::size_t i = pos;
  while (i < end && util::is_digit(str[i])) ++i;
  if (i > pos) s.num = std::string(str.substr(pos, i - pos));
  const bool has_num_digits = i > pos;
  pos = i;
  if (pos >= end) return s;

  bool has_denom_digits = false;
  if (str[pos] == '.') {
    ++pos;
    i = pos;
    while (i < end && util::is_digit(str[i])) ++i;
    s.denom = std::string(str.substr(pos, i - pos));
    has_denom_digits = i > pos;
    pos = i;
  }
  s.has_digits = stripped_zeros || has_num_digits || has_denom_digits;
  if (pos >= end) return s;

  const std::size_t suffix_start = pos;
  constexpr std::string_view kSuffixChars = "eEinumkKMGTP";
  while (pos < end && kSuffixChars.find(str[pos]) != std::string_view::npos) ++pos;
  if (pos < end && (str[pos] == '-' || str[pos] == '+')) ++pos;
  while (pos < end && util::is_digit(str[pos])) ++pos;
  if (pos < end) return util::unexpected(std::string(kFormatWrong));
  s.suffix = std::string(str.substr(suffix_start));
  return s;
}

struct Suffix {
  int base = 10;  // 10 or 2
  std::int64_t exponent = 0;
  QuantityFormat format = QuantityFormat::kDecimalSI;
};

// Go's strconv.ParseInt(s, 10, 64) limited to int32 magnitudes, as Kubernetes
// limits exponents.
std::optional<std::int64_t> parse_exponent(std::string_view s) {
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return std::nullopt;
  std::int64_t value = 0;
  for (char c : s) {
    if (!util::is_digit(c)) return std::nullopt;
    value = value * 10 + (c - '0');
    if (value > std::numeric_limits<std::int32_t>::max()) return std::nullopt;
  }
  return negative ? -value : value;
}

std::optional<Suffix> interpret(std::string_view suffix) {
  struct Entry {
    std::string_view text;
    int base;
    int exponent;
  };
  static constexpr std::array<Entry, 16> kTable{{
      {"", 10, 0},
      {"n", 10, -9},
      {"u", 10, -6},
      {"m", 10, -3},
      {"k", 10, 3},
      {"M", 10, 6},
      {"G", 10, 9},
      {"T", 10, 12},
      {"P", 10, 15},
      {"E", 10, 18},
      {"Ki", 2, 10},
      {"Mi", 2, 20},
      {"Gi", 2, 30},
      {"Ti", 2, 40},
      {"Pi", 2, 50},
      {"Ei", 2, 60},
  }};
  for (const auto& e : kTable) {
    if (e.text == suffix) {
      return Suffix{e.base, e.exponent,
                    e.base == 2 ? QuantityFormat::kBinarySI : QuantityFormat::kDecimalSI};
    }
  }
  if (suffix.size() > 1 && (suffix[0] == 'e' || suffix[0] == 'E')) {
    if (auto exponent = parse_exponent(suffix.substr(1))) {
      return Suffix{10, *exponent, QuantityFormat::kDecimalExponent};
    }
  }
  return std::nullopt;
}

// Kubernetes keeps the parsed text as the String() form when its int64 fast
// path takes the number and the text is already canonical.
struct FastPath {
  bool taken = false;
  bool keeps_text = false;
};

FastPath fast_path(const Scanned& s, const Suffix& suffix) {
  const auto digits = static_cast<std::int64_t>(s.num.size() + s.denom.size());
  if (suffix.base == 10) {
    const std::int64_t scale = suffix.exponent - static_cast<std::int64_t>(s.denom.size());
    if (18 - digits < 0 || scale < -9) return {};
    const std::string shifted = s.num + s.denom;
    const bool ends_in_000 =
        shifted.size() >= 3 && shifted.compare(shifted.size() - 3, 3, "000") == 0;
    return {true, scale % 3 == 0 && !ends_in_000 && shifted[0] != '0'};
  }
  if (!s.denom.empty()) return {};
  const auto precision =
      15 - static_cast<std::int64_t>(s.num.size()) - suffix.exponent * 3 / 10 - 1;
  if (precision < 0) return {};
  std::int64_t value = 0;
  for (char c : s.num) value = value * 10 + (c - '0');
  std::int64_t product = 0;
  if (__builtin_mul_overflow(value, std::int64_t{1} << suffix.exponent, &product)) return {};
  return {true, (value & 0x07) != 0};
}

// Multiplies a decimal digit string by 2^bits.
std::string times_power_of_two(std::string digits, int bits) {
  while (bits > 0) {
    const int step = bits > 30 ? 30 : bits;
    bits -= step;
    const std::uint64_t factor = std::uint64_t{1} << step;
    std::uint64_t carry = 0;
    for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
      const std::uint64_t cur = static_cast<std::uint64_t>(*it - '0') * factor + carry;
      *it = static_cast<char>('0' + cur % 10);
      carry = cur / 10;
    }
    while (carry > 0) {
      digits.insert(digits.begin(), static_cast<char>('0' + carry % 10));
      carry /= 10;
    }
  }
  return digits;
}

Int128 digits_to_int(std::string_view digits) {
  Int128 value = 0;
  for (char c : digits) value = value * 10 + (c - '0');
  return value;
}

// |value| in nanos, rounded up to the next nano; nullopt above 10^38 nanos.
std::optional<Int128> magnitude_nanos(const Scanned& s, const Suffix& suffix) {
  std::string digits = s.num + s.denom;
  std::int64_t exp10 = 9 - static_cast<std::int64_t>(s.denom.size());
  if (suffix.base == 10) exp10 += suffix.exponent;
  const std::size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) return Int128{0};
  digits.erase(0, first);
  if (suffix.base == 2)
    digits = times_power_of_two(std::move(digits), static_cast<int>(suffix.exponent));
  const std::size_t last = digits.find_last_not_of('0');
  exp10 += static_cast<std::int64_t>(digits.size() - last - 1);
  digits.erase(last + 1);

  if (exp10 >= 0) {
    if (static_cast<std::int64_t>(digits.size()) + exp10 >
        static_cast<std::int64_t>(kMaxNanoDigits)) {
      return std::nullopt;
    }
    Int128 value = digits_to_int(digits);
    for (std::int64_t i = 0; i < exp10; ++i) value *= 10;
    return value;
  }
  // Some non-zero digit lies below a nano: keep the whole nanos, round up.
  const std::int64_t below = -exp10;
  if (below >= static_cast<std::int64_t>(digits.size())) return Int128{1};
  const std::string_view whole =
      std::string_view(digits).substr(0, digits.size() - static_cast<std::size_t>(below));
  if (whole.size() > kMaxNanoDigits) return std::nullopt;
  return digits_to_int(whole) + 1;
}

std::string int128_to_string(Int128 v) {
  if (v == 0) return "0";
  const bool negative = v < 0;
  std::string out;
  while (v != 0) {
    const int digit = static_cast<int>(v % 10);
    out.insert(out.begin(), static_cast<char>('0' + (digit < 0 ? -digit : digit)));
    v /= 10;
  }
  if (negative) out.insert(out.begin(), '-');
  return out;
}

Int128 abs128(Int128 v) {
  return v < 0 ? -v : v;
}

// ceil(|nanos| / divisor) with the sign of nanos, saturated to int64.
std::int64_t scaled_rounding_up(Int128 nanos, std::int64_t divisor) {
  const Int128 magnitude = abs128(nanos);
  Int128 result = magnitude / divisor + (magnitude % divisor != 0 ? 1 : 0);
  if (nanos < 0) result = -result;
  if (result > std::numeric_limits<std::int64_t>::max())
    return std::numeric_limits<std::int64_t>::max();
  if (result < std::numeric_limits<std::int64_t>::min())
    return std::numeric_limits<std::int64_t>::min();
  return static_cast<std::int64_t>(result);
}

std::string decimal_suffix(std::int64_t exponent, QuantityFormat format) {
  if (format == QuantityFormat::kDecimalSI) {
    switch (exponent) {
      case -9:
        return "n";
      case -6:
        return "u";
      case -3:
        return "m";
      case 0:
        return "";
      case 3:
        return "k";
      case 6:
        return "M";
      case 9:
        return "G";
      case 12:
        return "T";
      case 15:
        return "P";
      case 18:
        return "E";
      default:
        break;  // beyond "E": exponent form, as Kubernetes does
    }
  }
  return exponent == 0 ? "" : "e" + std::to_string(exponent);
}

}  // namespace

util::Expected<Quantity, util::ParseError> Quantity::parse(std::string_view text) {
  auto fail = [&](const char* reason) {
    return util::unexpected(util::ParseError{std::string(text), reason});
  };
  if (text.empty()) return fail(kFormatWrong);
  Quantity q;
  if (text == "0") {
    q.text_ = "0";
    return q;
  }
  auto scanned = scan(text);
  if (!scanned) return fail(kFormatWrong);
  auto suffix = interpret(scanned->suffix);
  if (!suffix) return fail(kSuffixError);

  const FastPath fast = fast_path(*scanned, *suffix);
  if (!fast.taken && !scanned->has_digits) return fail(kNumericError);

  auto magnitude = magnitude_nanos(*scanned, *suffix);
  q.format_ = suffix->format;
  if (q.format_ == QuantityFormat::kBinarySI) {
    if (!magnitude || *magnitude > kBinaryCapNanos) magnitude = kBinaryCapNanos;
    // Binary SI cannot show a fraction of one; Kubernetes switches the format.
    if (*magnitude > 0 && *magnitude < kNanosPerUnit) q.format_ = QuantityFormat::kDecimalSI;
  } else if (!magnitude) {
    return fail(kOutOfRange);
  }
  q.nanos_ = scanned->positive ? *magnitude : -*magnitude;
  if (fast.keeps_text) q.text_ = std::string(text);
  return q;
}

Quantity Quantity::from_int(std::int64_t value, QuantityFormat format) {
  Quantity q;
  q.nanos_ = Int128{value} * kNanosPerUnit;
  q.format_ = format;
  return q;
}

std::int64_t Quantity::value() const {
  return scaled_rounding_up(nanos_, kNanosPerUnit);
}

std::int64_t Quantity::milli_value() const {
  return scaled_rounding_up(nanos_, 1'000'000);
}

bool Quantity::is_zero() const {
  return nanos_ == 0;
}

std::string Quantity::to_string() const {
  if (!text_.empty()) return text_;
  if (nanos_ == 0) return "0";
  QuantityFormat format = format_;
  if (format == QuantityFormat::kBinarySI &&
      (abs128(nanos_) < Int128{1024} * kNanosPerUnit || nanos_ % kNanosPerUnit != 0)) {
    // Small or fractional binary values print in decimal rather than round.
    format = QuantityFormat::kDecimalSI;
  }
  if (format == QuantityFormat::kBinarySI) {
    static constexpr std::array<const char*, 7> kBinarySuffixes{"",   "Ki", "Mi", "Gi",
                                                                "Ti", "Pi", "Ei"};
    Int128 units = nanos_ / kNanosPerUnit;
    std::size_t power = 0;
    while (abs128(units) >= 1024 && units % 1024 == 0 && power + 1 < kBinarySuffixes.size()) {
      units /= 1024;
      ++power;
    }
    return int128_to_string(units) + kBinarySuffixes[power];
  }
  Int128 mantissa = nanos_;
  std::int64_t exponent = -9;
  while (abs128(mantissa) >= 10 && mantissa % 10 == 0) {
    mantissa /= 10;
    ++exponent;
  }
  while (exponent % 3 != 0) {  // down to a multiple of three
    mantissa *= 10;
    --exponent;
  }
  return int128_to_string(mantissa) + decimal_suffix(exponent, format);
}

std::strong_ordering operator<=>(const Quantity& a, const Quantity& b) {
  if (a.nanos_ < b.nanos_) return std::strong_ordering::less;
  if (a.nanos_ > b.nanos_) return std::strong_ordering::greater;
  return std::strong_ordering::equal;
}

util::Expected<Quantity, util::ParseError> parse_quantity(const IntOrString& value) {
  if (value.is_int()) return Quantity::parse(std::to_string(std::get<std::int64_t>(value.value)));
  const std::string& text = std::get<std::string>(value.value);
  constexpr std::string_view kSpace = " \t\n\v\f\r";
  const std::size_t first = text.find_first_not_of(kSpace);
  const std::string_view trimmed =
      first == std::string::npos
          ? std::string_view()
          : std::string_view(text).substr(first, text.find_last_not_of(kSpace) - first + 1);
  auto parsed = Quantity::parse(trimmed);
  if (!parsed) return util::unexpected(util::ParseError{text, parsed.error().reason});
  return parsed;
}

}  // namespace druid::api
