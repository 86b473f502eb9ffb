#pragma once
// Kubernetes resource.Quantity: parse every suffix (n u m k M G T P E, Ki Mi Gi
// Ti Pi Ei, e/E exponents), compare, read as bytes, print in canonical form the
// way Kubernetes does ("1024Mi" -> "1Gi", "1000m" -> "1", "0.5Gi" -> "512Mi").

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "api/codec.hpp"
#include "util/expected.hpp"
#include "util/parse_error.hpp"

namespace druid::api {

enum class QuantityFormat { kDecimalExponent, kBinarySI, kDecimalSI };

class Quantity {
 public:
  Quantity() = default;

  // Errors: `quantities must match the regular expression
  // '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'` (Kubernetes' text) for bad
  // syntax, "unable to parse quantity's suffix" for an unknown suffix (or an
  // exponent beyond int32), "unable to parse numeric part of quantity" for a
  // number without digits where Kubernetes needs one (".e-10"). Kubernetes caps
  // binary-SI values at 2^63-1; other values of magnitude 10^29 or more (beyond
  // nano precision in 128 bits) are refused with "quantity is out of range: ...".
  // Leading/trailing whitespace is refused, as ParseQuantity does.
  static util::Expected<Quantity, util::ParseError> parse(std::string_view text);
  static Quantity from_int(std::int64_t value, QuantityFormat format = QuantityFormat::kDecimalSI);

  // The value rounded up to an integer (Go's Quantity.Value()), e.g. bytes.
  // Fractions round away from zero ("1.5" -> 2, "-1.5" -> -2); values beyond
  // int64 saturate at its limits.
  std::int64_t value() const;
  // The value in thousandths, rounded up (Go's MilliValue()), saturating likewise.
  std::int64_t milli_value() const;
  QuantityFormat format() const { return format_; }
  bool is_zero() const;
  // Canonical text (Go's Quantity.String()). Like Kubernetes, a parsed text that
  // is already in canonical form is kept verbatim (so "+1" and "100Mi" print as
  // written), and DecimalSI values above "E" print in exponent form ("1e21").
  std::string to_string() const;

  friend std::strong_ordering operator<=>(const Quantity& a, const Quantity& b);
  friend bool operator==(const Quantity& a, const Quantity& b) {
    return (a <=> b) == std::strong_ordering::equal;
  }

 private:
  // value = mantissa_ * 10^-9 exactly (nano precision; rounding up below that,
  // as Kubernetes does for values finer than a nano).
  __int128 nanos_ = 0;
  QuantityFormat format_ = QuantityFormat::kDecimalSI;
  // The parsed text when Kubernetes would reuse it as the String() form.
  std::string text_;
};

// A quantity field as stored in an object (int-or-string), read the way
// Quantity.UnmarshalJSON reads it: surrounding whitespace is trimmed.
util::Expected<Quantity, util::ParseError> parse_quantity(const IntOrString& value);

}  // namespace druid::api
