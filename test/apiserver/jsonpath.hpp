#pragma once
// Kubernetes' JSONPath dialect (k8s.io/client-go/util/jsonpath), the one CRD
// additionalPrinterColumns and `kubectl get -o jsonpath` use:
//   .a.b   .a[0]   .a[-1]   .a[1:3]   .a[*].b   .a[?(@.type=="Ready")].status
//   .a['b']   .a['b','c']   ..name   .a.*   .metadata.labels.app\.kubernetes\.io/name
// Filters compare with == != < > <= >= against strings, numbers, booleans or
// other @-paths, or test existence: [?(@.status)]. Results follow Kubernetes,
// including its particularities:
//   - `['a.b']` is the path .a.b (the bracket form splits on dots); a key with
//     dots is written with escaped dots: .labels.app\.kubernetes\.io/name.
//     `["a.b"]` (double quotes) is a parse error, as in Kubernetes.
//   - absent fields give no result (allow_missing_keys, the API server's and
//     kubectl's setting) or the error "<field> is not found";
//   - an index past the end is an error ("array index out of bounds: ...");
//   - comparing values of different types is an error
//     ("incompatible types for comparison"); integers and floats are different
//     types (as int64 and float64 are in Go).
// `range`/`end` templates are not supported.

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "util/expected.hpp"

namespace druid::testing {

class JsonPath {
 public:
  // One expression, with or without the braces of a kubectl template:
  // ".status.ready" and "{.status.ready}" are the same path. Text containing a
  // brace is a template: text outside braces ("a={.a}") gives literal results. Errors are
  // Kubernetes' parser messages, e.g. "unterminated filter", "invalid array index x".
  static util::Expected<JsonPath, std::string> parse(std::string_view expression);

  // Every value the path selects, in document order (object members by key).
  util::Expected<std::vector<nlohmann::json>, std::string> evaluate(
      const nlohmann::json& root, bool allow_missing_keys = true) const;

  const std::string& text() const { return text_; }

  struct Node;  // the parsed template (defined in jsonpath.cpp)

 private:
  std::string text_;
  std::shared_ptr<const Node> root_;
};

// parse + evaluate with missing keys allowed.
util::Expected<std::vector<nlohmann::json>, std::string> evaluate_jsonpath(
    std::string_view path, const nlohmann::json& root);

// How Kubernetes prints one JSONPath result (JSONPath.PrintResults): objects and
// arrays as compact JSON (Go's encoding/json: sorted keys, HTML-safe escapes),
// everything else as Go's fmt.Print does (strings verbatim, 1e+06 for a large
// float, "<nil>" for null).
std::string print_jsonpath_value(const nlohmann::json& value);

// Go's fmt.Sprint of an unstructured value: "map[a:1 b:[x y]]", "<nil>", ...
// (used in the messages of Kubernetes errors).
std::string go_sprint(const nlohmann::json& value);

// Go's encoding/json.Marshal of an unstructured value.
std::string go_json_marshal(const nlohmann::json& value);

}  // namespace druid::testing
