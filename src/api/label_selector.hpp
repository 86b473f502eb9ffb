#pragma once
// metav1.LabelSelector (matchLabels / matchExpressions) as stored in objects.

#include <map>
#include <string>
#include <vector>

#include "api/codec.hpp"
#include "util/expected.hpp"
#include "util/label_selector.hpp"
#include "util/parse_error.hpp"

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

// metav1.LabelSelectorAsSelector: matchLabels and matchExpressions combined.
// An unknown operator, values on Exists/DoesNotExist, or no values on In/NotIn
// are errors naming the requirement.
util::Expected<util::Selector, util::ParseError> to_selector(const LabelSelector& selector);

}  // namespace druid::api
