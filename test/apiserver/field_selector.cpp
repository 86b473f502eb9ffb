#include "apiserver/field_selector.hpp"

namespace druid::testing {
namespace {

// Splits on unescaped separators; keeps escapes for the second pass.
std::vector<std::string> split_unescaped(std::string_view text, char sep) {
  std::vector<std::string> parts;
  std::string current;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\\' && i + 1 < text.size()) {
      current += c;
      current += text[++i];
    } else if (c == sep) {
      parts.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  parts.push_back(current);
  return parts;
}

std::string unescape(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) ++i;
    out += s[i];
  }
  return out;
}

// Position of the first unescaped operator: "!=", "==" or "=".
bool split_term(std::string_view term, FieldRequirement& out) {
  for (std::size_t i = 0; i < term.size(); ++i) {
    if (term[i] == '\\') {
      ++i;
      continue;
    }
    if (term.substr(i, 2) == "!=") {
      out.field = std::string(term.substr(0, i));
      out.equals = false;
      out.value = unescape(term.substr(i + 2));
      return true;
    }
    if (term.substr(i, 2) == "==") {
      out.field = std::string(term.substr(0, i));
      out.value = unescape(term.substr(i + 2));
      return true;
    }
    if (term[i] == '=') {
      out.field = std::string(term.substr(0, i));
      out.value = unescape(term.substr(i + 1));
      return true;
    }
  }
  return false;
}

}  // namespace

util::Expected<FieldSelector, util::ParseError> FieldSelector::parse(std::string_view text) {
  FieldSelector selector;
  if (text.empty()) return selector;
  for (const auto& term : split_unescaped(text, ',')) {
    if (term.empty()) continue;
    FieldRequirement r;
    if (!split_term(term, r) || r.field.empty()) {
      return util::unexpected(util::ParseError{
          std::string(text),
          "invalid selector: '" + std::string(text) + "'; can't understand '" + term + "'"});
    }
    selector.requirements_.push_back(std::move(r));
  }
  return selector;
}

std::string field_value(const nlohmann::json& object, std::string_view path) {
  const nlohmann::json* node = &object;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t dot = path.find('.', start);
    std::string key(
        path.substr(start, dot == std::string_view::npos ? path.size() - start : dot - start));
    if (!node->is_object()) return {};
    auto it = node->find(key);
    if (it == node->end()) return {};
    node = &*it;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (node->is_string()) return node->get<std::string>();
  if (node->is_null()) return {};
  return node->dump();
}

bool FieldSelector::matches(const nlohmann::json& object) const {
  for (const auto& r : requirements_) {
    bool equal = field_value(object, r.field) == r.value;
    if (equal != r.equals) return false;
  }
  return true;
}

std::optional<std::string> FieldSelector::required_value(std::string_view field) const {
  for (const auto& r : requirements_) {
    if (r.equals && r.field == field) return r.value;
  }
  return std::nullopt;
}

}  // namespace druid::testing
