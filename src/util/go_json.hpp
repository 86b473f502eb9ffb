#pragma once
// The bytes Go's encoding/json Marshal writes for a JSON value. Hashes that
// must equal the Go operator's (the pod annotation checksum/etcd-configmap,
// upstream's internal/component/configmap/configmap.go) are taken over exactly these bytes, so
// every detail matters: object keys sorted by bytes, no whitespace, `<`, `>`, `&`, U+2028 and
// U+2029 escaped as \u003c \u003e \u0026 \u2028 \u2029, control bytes as \b \f \n \r \t or \u00XX
// (lowercase hex), invalid UTF-8 bytes replaced by \ufffd, and floats printed the way Go prints a
// float64.
//
// Integers print as written (int64/uint64). Go refuses NaN and ±Inf; so do we.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "util/expected.hpp"

namespace druid::util {

// Errors: `json: unsupported value: NaN` (or `+Inf`, `-Inf`), Go's text.
Expected<std::string, std::string> go_json_marshal(const nlohmann::json& value);

// `text` with every byte that does not start a valid UTF-8 sequence replaced
// by U+FFFD, as Go's decoder (utf8.DecodeRuneInString) sees it: what a string
// becomes after a trip through Go's JSON encoder and decoder.
std::string go_valid_utf8(std::string_view text);

// Go's strconv.FormatFloat(value, format, -1, 64) for a finite value and
// format 'f', 'e' or 'g': the shortest digits that read back as the same
// float64, laid out as Go does ("100000000000000000000", "1e+20", "1e-07";
// 'g' uses exponent form when the exponent is < -4 or >= 6).
std::string go_format_float(double value, char format);

// The number text Go's encoding/json writes for a finite float64: plain
// notation for 1e-6 <= |f| < 1e21, otherwise exponent notation with at least
// one exponent digit ("1e+21", "1e-7").
std::string go_json_float(double value);

}  // namespace druid::util
