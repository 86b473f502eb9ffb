#include "api/label_selector.hpp"

namespace druid::api {

util::Expected<util::Selector, util::ParseError> to_selector(const LabelSelector& selector) {
  std::vector<util::LabelSelectorExpression> expressions;
  expressions.reserve(selector.match_expressions.size());
  for (const auto& expression : selector.match_expressions) {
    expressions.push_back({expression.key, expression.operator_, expression.values});
  }
  return util::label_selector_as_selector(selector.match_labels, expressions);
}

}  // namespace druid::api
