#pragma once
// metav1.LabelSelector (matchLabels / matchExpressions) as stored in objects.

#include <map>
#include <string>
#include <vector>

#include "api/codec.hpp"

namespace druid::api {

struct LabelSelectorRequirement {
  std::string key;
  std::string operator_;  // In, NotIn, Exists, DoesNotExist
  std::vector<std::string> values;
  UnknownFields unknown;
  friend bool operator==(const LabelSelectorRequirement&,
                         const LabelSelectorRequirement&) = default;
};

template <class V>
void visit_fields(V& v, LabelSelectorRequirement& r) {
  v.required("key", r.key);
  v.required("operator", r.operator_);
  v("values", r.values);
  v.unknown(r.unknown);
}

struct LabelSelector {
  std::map<std::string, std::string> match_labels;
  std::vector<LabelSelectorRequirement> match_expressions;
  UnknownFields unknown;
  friend bool operator==(const LabelSelector&, const LabelSelector&) = default;
};

template <class V>
void visit_fields(V& v, LabelSelector& s) {
  v("matchExpressions", s.match_expressions);
  v("matchLabels", s.match_labels);
  v.unknown(s.unknown);
}

}  // namespace druid::api

// ---------------------------------------------------------------------------
// Selectors as the API machinery evaluates them (k8s.io/apimachinery/pkg/labels).

#include "api/expected.hpp"
#include "api/parse_error.hpp"

namespace druid::api {

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

// metav1.LabelSelectorAsSelector: matchLabels and matchExpressions combined.
// An unknown operator, values on Exists/DoesNotExist, or no values on In/NotIn
// are errors naming the requirement.
Expected<Selector, ParseError> to_selector(const LabelSelector& selector);

}  // namespace druid::api
