#include "util/label_selector.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>

#include "util/name_syntax.hpp"

namespace druid::util {
namespace {

using Operator = SelectorRequirement::Operator;

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += separator;
    out += parts[i];
  }
  return out;
}

// --- Go's printing of values in field errors ---------------------------------

// Length of the valid UTF-8 sequence starting at s[i], or 0.
std::size_t utf8_length(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char lead = byte(i);
  std::size_t length = 0;
  if (lead >= 0xC2 && lead <= 0xDF)
    length = 2;
  else if (lead >= 0xE0 && lead <= 0xEF)
    length = 3;
  else if (lead >= 0xF0 && lead <= 0xF4)
    length = 4;
  if (length == 0 || i + length > s.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  }
  // Reject overlong forms, surrogates and values above U+10FFFF.
  if (lead == 0xE0 && byte(i + 1) < 0xA0) return 0;
  if (lead == 0xED && byte(i + 1) > 0x9F) return 0;
  if (lead == 0xF0 && byte(i + 1) < 0x90) return 0;
  if (lead == 0xF4 && byte(i + 1) > 0x8F) return 0;
  return length;
}

// Go's %q (strconv.Quote) for the characters label input can hold.
std::string go_quote(std::string_view s) {
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      if (const std::size_t length = utf8_length(s, i)) {
        out += s.substr(i, length);
        i += length;
      } else {
        out += fmt::format("\\x{:02x}", c);
        ++i;
      }
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\a':
        out += "\\a";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\v':
        out += "\\v";
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          out += fmt::format("\\x{:02x}", c);
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
  return out + "\"";
}

// Go's %#v of a []string: `[]string(nil)`, `[]string{}`, `[]string{"a", "b"}`.
std::string go_string_slice(const std::vector<std::string>& values, bool is_nil) {
  if (is_nil) return "[]string(nil)";
  std::vector<std::string> quoted;
  quoted.reserve(values.size());
  for (const auto& v : values) quoted.push_back(go_quote(v));
  return "[]string{" + join(quoted, ", ") + "}";
}

std::string invalid_value(std::string_view field, std::string_view value_text,
                          std::string_view detail) {
  return fmt::format("{}: Invalid value: {}: {}", field, value_text, detail);
}

// Kubernetes' aggregate error text: one message as is, several as "[a, b]".
std::string aggregate(const std::vector<std::string>& messages) {
  std::vector<std::string> unique;
  for (const auto& m : messages) {
    if (std::find(unique.begin(), unique.end(), m) == unique.end()) unique.push_back(m);
  }
  if (unique.size() == 1) return unique.front();
  return "[" + join(unique, ", ") + "]";
}

std::optional<std::int64_t> parse_int64(std::string_view s) {
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return std::nullopt;
  std::uint64_t magnitude = 0;
  const std::uint64_t limit =
      static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) + (negative ? 1 : 0);
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    if (magnitude > (limit - static_cast<std::uint64_t>(c - '0')) / 10) return std::nullopt;
    magnitude = magnitude * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return negative ? static_cast<std::int64_t>(~magnitude + 1)
                  : static_cast<std::int64_t>(magnitude);
}

// labels.NewRequirement's checks; each message as Kubernetes prints it (field
// paths "key", "values", "values[i]", "values[i][<key>]"). `nil_values` tells
// how an empty values list prints (Go's nil slice vs empty slice).
std::vector<std::string> requirement_errors(const std::string& key, Operator op,
                                            const std::vector<std::string>& values,
                                            bool nil_values) {
  std::vector<std::string> errors;
  if (auto key_errors = qualified_name_errors(key); !key_errors.empty()) {
    errors.push_back(invalid_value("key", go_quote(key), join(key_errors, "; ")));
  }
  const std::string values_text = go_string_slice(values, nil_values && values.empty());
  switch (op) {
    case Operator::kIn:
    case Operator::kNotIn:
      if (values.empty()) {
        errors.push_back(invalid_value("values", values_text,
                                       "for 'in', 'notin' operators, values set can't be empty"));
      }
      break;
    case Operator::kEquals:
    case Operator::kNotEquals:
      if (values.size() != 1) {
        errors.push_back(invalid_value("values", values_text,
                                       "exact-match compatibility requires one single value"));
      }
      break;
    case Operator::kExists:
    case Operator::kDoesNotExist:
      if (!values.empty()) {
        errors.push_back(invalid_value("values", values_text,
                                       "values set must be empty for exists and does not exist"));
      }
      break;
    case Operator::kGreaterThan:
    case Operator::kLessThan:
      if (values.size() != 1) {
        errors.push_back(invalid_value("values", values_text,
                                       "for 'Gt', 'Lt' operators, exactly one value is required"));
      }
      for (std::size_t i = 0; i < values.size(); ++i) {
        if (!parse_int64(values[i])) {
          errors.push_back(invalid_value(fmt::format("values[{}]", i), go_quote(values[i]),
                                         "for 'Gt', 'Lt' operators, the value must be an integer"));
        }
      }
      break;
  }
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (auto value_errors = label_value_errors(values[i]); !value_errors.empty()) {
      errors.push_back(invalid_value(fmt::format("values[{}][{}]", i, key), go_quote(values[i]),
                                     join(value_errors, "; ")));
    }
  }
  return errors;
}

bool key_less(const SelectorRequirement& a, const SelectorRequirement& b) {
  return a.key < b.key;
}

// --- the string syntax: lexer and parser (k8s.io/apimachinery/pkg/labels) ------

enum class Token {
  kError,
  kEndOfString,
  kClosedPar,
  kComma,
  kDoesNotExist,
  kDoubleEquals,
  kEquals,
  kGreaterThan,
  kIdentifier,
  kIn,
  kLessThan,
  kNotEquals,
  kNotIn,
  kOpenPar,
};

struct Item {
  Token token;
  std::string literal;
};

std::optional<Token> keyword(std::string_view s) {
  if (s == ")") return Token::kClosedPar;
  if (s == ",") return Token::kComma;
  if (s == "!") return Token::kDoesNotExist;
  if (s == "==") return Token::kDoubleEquals;
  if (s == "=") return Token::kEquals;
  if (s == ">") return Token::kGreaterThan;
  if (s == "in") return Token::kIn;
  if (s == "<") return Token::kLessThan;
  if (s == "!=") return Token::kNotEquals;
  if (s == "notin") return Token::kNotIn;
  if (s == "(") return Token::kOpenPar;
  return std::nullopt;
}

bool is_whitespace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool is_special(char c) {
  return c == '=' || c == '!' || c == '(' || c == ')' || c == ',' || c == '>' || c == '<';
}

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  std::vector<Item> scan_all() {
    std::vector<Item> items;
    while (true) {
      items.push_back(lex());
      if (items.back().token == Token::kEndOfString) return items;
    }
  }

 private:
  // A NUL byte ends the input, as in Kubernetes' lexer.
  char read() { return pos_ < text_.size() ? text_[pos_++] : '\0'; }
  void unread() { --pos_; }

  Item lex() {
    char c = read();
    while (is_whitespace(c)) c = read();
    if (c == '\0') return {Token::kEndOfString, ""};
    unread();
    return is_special(c) ? scan_special() : scan_identifier();
  }

  Item scan_identifier() {
    std::string buffer;
    while (true) {
      const char c = read();
      if (c == '\0') break;
      if (is_special(c) || is_whitespace(c)) {
        unread();
        break;
      }
      buffer += c;
    }
    if (auto token = keyword(buffer)) return {*token, buffer};
    return {Token::kIdentifier, buffer};
  }

  // The longest operator made of special characters ("!=", "==", ...).
  Item scan_special() {
    std::string buffer;
    std::optional<Item> last;
    while (true) {
      const char c = read();
      if (c == '\0') break;
      if (!is_special(c)) {
        unread();
        break;
      }
      buffer += c;
      if (auto token = keyword(buffer)) {
        last = Item{*token, buffer};
      } else if (last) {
        unread();
        break;
      }
    }
    if (!last) return {Token::kError, fmt::format("error expected: keyword found '{}'", buffer)};
    return *last;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

class Parser {
 public:
  explicit Parser(std::string_view text) : items_(Lexer(text).scan_all()) {}

  Expected<std::vector<SelectorRequirement>, std::string> parse() {
    std::vector<SelectorRequirement> requirements;
    while (true) {
      const Item& next = lookahead_value();
      const Token token = as_value(next.token);
      if (token == Token::kEndOfString) return requirements;
      if (token != Token::kIdentifier && token != Token::kDoesNotExist) {
        return unexpected(
            fmt::format("found '{}', expected: !, identifier, or 'end of string'", next.literal));
      }
      auto requirement = parse_requirement();
      if (!requirement) return unexpected("unable to parse requirement: " + requirement.error());
      requirements.push_back(std::move(*requirement));
      const Item& after = consume();
      switch (as_value(after.token)) {
        case Token::kEndOfString:
          return requirements;
        case Token::kComma: {
          const Item& following = lookahead_value();
          const Token t = as_value(following.token);
          if (t != Token::kIdentifier && t != Token::kDoesNotExist) {
            return unexpected(
                fmt::format("found '{}', expected: identifier after ','", following.literal));
          }
          break;
        }
        default:
          return unexpected(
              fmt::format("found '{}', expected: ',' or 'end of string'", after.literal));
      }
    }
  }

 private:
  // In value position "in" and "notin" are plain identifiers.
  static Token as_value(Token t) {
    return (t == Token::kIn || t == Token::kNotIn) ? Token::kIdentifier : t;
  }
  // The cursor never moves past the final end-of-string token.
  const Item& lookahead_value() const { return items_[std::min(position_, items_.size() - 1)]; }
  const Item& consume() {
    const Item& item = lookahead_value();
    if (position_ < items_.size()) ++position_;
    return item;
  }

  Expected<SelectorRequirement, std::string> parse_requirement() {
    SelectorRequirement r;
    bool does_not_exist = false;
    const Item* key = &consume();
    if (key->token == Token::kDoesNotExist) {
      does_not_exist = true;
      key = &consume();
    }
    if (as_value(key->token) != Token::kIdentifier) {
      return unexpected(fmt::format("found '{}', expected: identifier", key->literal));
    }
    if (auto errors = qualified_name_errors(key->literal); !errors.empty()) {
      return unexpected(invalid_value("<nil>", go_quote(key->literal), join(errors, "; ")));
    }
    r.key = key->literal;
    const Token after_key = as_value(lookahead_value().token);
    if (does_not_exist || after_key == Token::kEndOfString || after_key == Token::kComma) {
      r.op = does_not_exist ? Operator::kDoesNotExist : Operator::kExists;
      return finish(std::move(r));
    }
    const Item& op = consume();
    switch (op.token) {
      case Token::kIn:
        r.op = Operator::kIn;
        break;
      case Token::kNotIn:
        r.op = Operator::kNotIn;
        break;
      case Token::kEquals:
      case Token::kDoubleEquals:
        r.op = Operator::kEquals;
        break;
      case Token::kNotEquals:
        r.op = Operator::kNotEquals;
        break;
      case Token::kGreaterThan:
        r.op = Operator::kGreaterThan;
        break;
      case Token::kLessThan:
        r.op = Operator::kLessThan;
        break;
      default:
        return unexpected(
            fmt::format("found '{}', expected: in, notin, =, ==, !=, gt, lt", op.literal));
    }
    auto values = (r.op == Operator::kIn || r.op == Operator::kNotIn) ? parse_value_set()
                                                                      : parse_exact_value();
    if (!values) return unexpected(values.error());
    r.values = std::move(*values);
    std::sort(r.values.begin(), r.values.end());
    r.values.erase(std::unique(r.values.begin(), r.values.end()), r.values.end());
    return finish(std::move(r));
  }

  static Expected<SelectorRequirement, std::string> finish(SelectorRequirement r) {
    if (auto errors = requirement_errors(r.key, r.op, r.values, false); !errors.empty()) {
      return unexpected(aggregate(errors));
    }
    return r;
  }

  // "(a,b,,c)"; empty entries are the empty value.
  Expected<std::vector<std::string>, std::string> parse_value_set() {
    const Item& open = consume();
    if (as_value(open.token) != Token::kOpenPar) {
      return unexpected(fmt::format("found '{}' expected: '('", open.literal));
    }
    const Item& first = lookahead_value();
    switch (as_value(first.token)) {
      case Token::kIdentifier:
      case Token::kComma: {
        auto values = parse_identifier_list();
        if (!values) return values;
        if (as_value(consume().token) != Token::kClosedPar) {
          return unexpected(fmt::format("found '{}', expected: ')'", first.literal));
        }
        return values;
      }
      case Token::kClosedPar:
        consume();
        return std::vector<std::string>{""};
      default:
        return unexpected(
            fmt::format("found '{}', expected: ',', ')' or identifier", first.literal));
    }
  }

  Expected<std::vector<std::string>, std::string> parse_identifier_list() {
    std::vector<std::string> values;
    while (true) {
      const Item& item = consume();
      switch (as_value(item.token)) {
        case Token::kIdentifier: {
          values.push_back(item.literal);
          const Item& next = lookahead_value();
          const Token t = as_value(next.token);
          if (t == Token::kComma) continue;
          if (t == Token::kClosedPar) return values;
          return unexpected(fmt::format("found '{}', expected: ',' or ')'", next.literal));
        }
        case Token::kComma: {
          if (values.empty()) values.emplace_back();  // "(,"
          const Token t = as_value(lookahead_value().token);
          if (t == Token::kClosedPar) {
            values.emplace_back();  // ",)"
            return values;
          }
          if (t == Token::kComma) {
            consume();
            values.emplace_back();  // ",,"
          }
          break;
        }
        default:
          return unexpected(fmt::format("found '{}', expected: ',', or identifier", item.literal));
      }
    }
  }

  Expected<std::vector<std::string>, std::string> parse_exact_value() {
    const Token t = as_value(lookahead_value().token);
    if (t == Token::kEndOfString || t == Token::kComma) return std::vector<std::string>{""};
    const Item& value = consume();
    if (as_value(value.token) == Token::kIdentifier) return std::vector<std::string>{value.literal};
    return unexpected(fmt::format("found '{}', expected: identifier", value.literal));
  }

  std::vector<Item> items_;
  std::size_t position_ = 0;
};

}  // namespace

bool SelectorRequirement::matches(const Labels& labels) const {
  const auto found = labels.find(key);
  const bool has_value = found != labels.end() &&
                         std::find(values.begin(), values.end(), found->second) != values.end();
  switch (op) {
    case Operator::kEquals:
    case Operator::kIn:
      return has_value;
    case Operator::kNotEquals:
    case Operator::kNotIn:
      return !has_value;  // an absent key matches too
    case Operator::kExists:
      return found != labels.end();
    case Operator::kDoesNotExist:
      return found == labels.end();
    case Operator::kGreaterThan:
    case Operator::kLessThan: {
      if (found == labels.end() || values.size() != 1) return false;
      const auto actual = parse_int64(found->second);
      const auto bound = parse_int64(values.front());
      if (!actual || !bound) return false;
      return op == Operator::kGreaterThan ? *actual > *bound : *actual < *bound;
    }
  }
  return false;
}

std::string SelectorRequirement::to_string() const {
  std::string out = op == Operator::kDoesNotExist ? "!" + key : key;
  switch (op) {
    case Operator::kExists:
    case Operator::kDoesNotExist:
      return out;
    case Operator::kEquals:
      out += "=";
      break;
    case Operator::kNotEquals:
      out += "!=";
      break;
    case Operator::kIn:
      out += " in (";
      break;
    case Operator::kNotIn:
      out += " notin (";
      break;
    case Operator::kGreaterThan:
      out += ">";
      break;
    case Operator::kLessThan:
      out += "<";
      break;
  }
  std::vector<std::string> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  out += join(sorted, ",");
  if (op == Operator::kIn || op == Operator::kNotIn) out += ")";
  return out;
}

Expected<Selector, ParseError> Selector::parse(std::string_view text) {
  auto requirements = Parser(text).parse();
  if (!requirements) return unexpected(ParseError{std::string(text), requirements.error()});
  Selector selector;
  for (auto& r : *requirements) selector.add(std::move(r));
  return selector;
}

Selector Selector::from_labels(const Labels& labels) {
  Selector selector;
  for (const auto& [key, value] : labels) {
    selector.add(SelectorRequirement{key, Operator::kEquals, {value}});
  }
  return selector;
}

bool Selector::matches(const Labels& labels) const {
  return std::all_of(requirements_.begin(), requirements_.end(),
                     [&](const SelectorRequirement& r) { return r.matches(labels); });
}

std::string Selector::to_string() const {
  std::vector<std::string> parts;
  parts.reserve(requirements_.size());
  for (const auto& r : requirements_) parts.push_back(r.to_string());
  return join(parts, ",");
}

void Selector::add(SelectorRequirement requirement) {
  const auto at =
      std::upper_bound(requirements_.begin(), requirements_.end(), requirement, key_less);
  requirements_.insert(at, std::move(requirement));
}

Expected<Selector, ParseError> label_selector_as_selector(
    const Labels& match_labels, const std::vector<LabelSelectorExpression>& match_expressions) {
  Selector result;
  for (const auto& [key, value] : match_labels) {
    std::vector<std::string> values{value};
    if (auto errors = requirement_errors(key, Operator::kEquals, values, false); !errors.empty()) {
      return unexpected(ParseError{key, aggregate(errors)});
    }
    result.add(SelectorRequirement{key, Operator::kEquals, std::move(values)});
  }
  for (const auto& expression : match_expressions) {
    Operator op{};
    if (expression.operator_ == "In") {
      op = Operator::kIn;
    } else if (expression.operator_ == "NotIn") {
      op = Operator::kNotIn;
    } else if (expression.operator_ == "Exists") {
      op = Operator::kExists;
    } else if (expression.operator_ == "DoesNotExist") {
      op = Operator::kDoesNotExist;
    } else {
      return unexpected(
          ParseError{expression.operator_, fmt::format("{} is not a valid label selector operator",
                                                       go_quote(expression.operator_))});
    }
    // Kubernetes copies the values into a nil slice: none prints as []string(nil).
    if (auto errors = requirement_errors(expression.key, op, expression.values, true);
        !errors.empty()) {
      return unexpected(ParseError{expression.key, aggregate(errors)});
    }
    std::vector<std::string> values = expression.values;
    std::sort(values.begin(), values.end());
    result.add(SelectorRequirement{expression.key, op, std::move(values)});
  }
  return result;
}

}  // namespace druid::util
