#pragma once
// Label selectors as the API machinery evaluates them (k8s.io/apimachinery/pkg/labels):
// parsing the string form, matching label sets, and metav1.LabelSelectorAsSelector
// on the fields of a LabelSelector.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "util/expected.hpp"
#include "util/parse_error.hpp"

namespace druid::util {

using Labels = std::map<std::string, std::string>;

struct SelectorRequirement {
  enum class Operator {
    kEquals,
    kNotEquals,
    kIn,
    kNotIn,
    kExists,
    kDoesNotExist,
    kGreaterThan,
    kLessThan
  };
  std::string key;
  Operator op = Operator::kEquals;
  std::vector<std::string> values;  // sorted, as Kubernetes keeps them

  bool matches(const Labels& labels) const;
  // "a=b", "a!=b", "a in (x,y)", "a notin (x,y)", "a", "!a", "a>1", "a<1".
  std::string to_string() const;
  friend bool operator==(const SelectorRequirement&, const SelectorRequirement&) = default;
};

class Selector {
 public:
  Selector() = default;  // matches everything

  // The string form of label selectors (kubectl --selector, ?labelSelector=):
  // "a=b,c==d,e!=f,g in (x,y),h notin (z),i,!j". Keys and values are checked as
  // Kubernetes checks them (qualified names, label values); errors say which.
  static Expected<Selector, ParseError> parse(std::string_view text);
  static Selector from_labels(const Labels& labels);  // every key=value

  bool matches(const Labels& labels) const;
  bool empty() const { return requirements_.empty(); }
  // Canonical form: requirements sorted by key, e.g.
  // "app.kubernetes.io/managed-by=etcd-druid,app.kubernetes.io/part-of=etcd-main".
  std::string to_string() const;
  const std::vector<SelectorRequirement>& requirements() const { return requirements_; }
  void add(SelectorRequirement requirement);

 private:
  std::vector<SelectorRequirement> requirements_;  // sorted by key
};

// One matchExpressions entry of a metav1.LabelSelector, as written.
struct LabelSelectorExpression {
  std::string key;
  std::string operator_;  // In, NotIn, Exists, DoesNotExist
  std::vector<std::string> values;
};

// metav1.LabelSelectorAsSelector: matchLabels and matchExpressions combined.
// An unknown operator, values on Exists/DoesNotExist, or no values on In/NotIn
// are errors naming the requirement.
Expected<Selector, ParseError> label_selector_as_selector(
    const Labels& match_labels, const std::vector<LabelSelectorExpression>& match_expressions);

}  // namespace druid::util
