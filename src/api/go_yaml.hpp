#pragma once
// The bytes Go's sigs.k8s.io/yaml Marshal writes for a JSON value: Go's
// encoding/json first, then JSONToYAML, which reads that JSON with yaml.v2
// (v2.4.0) and writes the result with yaml.v2's emitter. The Go operator
// writes etcd.conf.yaml this way and its SHA-256 rolls the etcd pods
// (upstream's internal/component/configmap/configmap.go), so ours must be the same bytes, not
// merely the same YAML.
//
// What that pipeline produces, and this function reproduces:
// - mapping keys sorted by yaml.v2's key order (letters after other runes,
//   runs of digits compared as numbers: "m-2" < "m-10");
// - block style with 2-space indentation; a sequence that is a mapping value
//   is not indented ("key:\n- a"); empty maps and lists print as {} and [];
// - strings plain when yaml.v2 would read them back as strings, double-quoted
//   when they would read as another type ("true", "10", "", "null", "1e3",
//   "0x1f", "2024-01-02", "1:20"), single-quoted when an indicator or
//   surrounding space forbids plain style ("- a", "a: b", "*x", " a"),
//   double-quoted with escapes for control and non-BMP characters, and in a
//   literal block (|, |-, |+) when they contain a newline;
// - long plain and quoted strings folded at spaces after column 80;
// - integers as integers; a float as Go's JSON prints it, read back: an
//   integer when that text is integral and fits 64 bits, else Go's %g;
// - what yaml.v2's reader does to characters Go's JSON leaves raw: a NEL
//   (U+0085) folds like a line break, DEL, the other C1 controls and
//   U+FFFE/U+FFFF fail ("control characters are not allowed"), and so does a
//   key that cannot be a flow-mapping simple key (a NEL in it, or more than
//   1024 characters of JSON text).
//
// Timestamp-like strings are recognised with current Go's time.Parse rules.
// Not reproducible, and left alone: keys on which yaml.v2's order is not
// transitive ("a1", "a01", "a0b01"), where Go's output depends on map
// iteration order; and non-ASCII key characters, which yaml.v2 classifies
// with Unicode's tables while here every non-ASCII character is a letter.
// No key druid writes is either.

#include <nlohmann/json.hpp>
#include <string>

#include "util/expected.hpp"

namespace druid::api {

// Errors as sigs.k8s.io/yaml words them: `error marshaling into JSON: json:
// unsupported value: NaN` (Go's JSON refuses NaN and ±Inf), `error converting
// JSON to YAML: yaml: control characters are not allowed`, ...
util::Expected<std::string, std::string> go_yaml_marshal(const nlohmann::json& value);

}  // namespace druid::api
