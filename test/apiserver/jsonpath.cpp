#include "apiserver/jsonpath.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <deque>
#include <optional>
#include <regex>

#include "util/go_json.hpp"

namespace druid::testing {

using nlohmann::json;

// ---------------------------------------------------------------------------
// Go value printing

namespace {

// A number as fmt's %v prints it, or as encoding/json does (`json_style`).
std::string go_number(const json& value, bool json_style) {
  if (!value.is_number_float()) return value.dump();
  const double number = value.get<double>();
  return json_style ? util::go_json_float(number) : util::go_format_float(number, 'g');
}

void sprint(std::string& out, const json& value) {
  switch (value.type()) {
    case json::value_t::object: {
      out += "map[";
      bool first = true;
      for (const auto& [key, member] : value.items()) {
        if (!first) out += ' ';
        first = false;
        out += key + ":";
        sprint(out, member);
      }
      out += ']';
      break;
    }
    case json::value_t::array: {
      out += '[';
      for (std::size_t i = 0; i < value.size(); ++i) {
        if (i > 0) out += ' ';
        sprint(out, value[i]);
      }
      out += ']';
      break;
    }
    case json::value_t::string:
      out += value.get_ref<const std::string&>();
      break;
    case json::value_t::null:
      out += "<nil>";
      break;
    case json::value_t::boolean:
      out += value.get<bool>() ? "true" : "false";
      break;
    default:
      out += go_number(value, false);
  }
}

}  // namespace

std::string go_json_marshal(const json& value) {
  auto text = util::go_json_marshal(value);
  return text ? *text : value.dump();
}

std::string go_sprint(const json& value) {
  std::string out;
  sprint(out, value);
  return out;
}

std::string print_jsonpath_value(const json& value) {
  if (value.is_object() || value.is_array()) return go_json_marshal(value);
  return go_sprint(value);
}

// ---------------------------------------------------------------------------
// The parse tree (client-go/util/jsonpath/node.go)

struct ParamsEntry {
  long long value = 0;
  bool known = false;
  bool derived = false;
};

struct JsonPath::Node {
  enum class Kind {
    kList,
    kText,
    kField,
    kArray,
    kFilter,
    kInt,
    kFloat,
    kBool,
    kWildcard,
    kRecursive,
    kUnion,
    kIdentifier
  };
  Kind kind = Kind::kList;
  std::vector<std::shared_ptr<Node>>
      nodes;                            // kList: children; kFilter: [left, right]; kUnion: branches
  std::string text;                     // kText, kField, kIdentifier; kFilter: the operator
  std::array<ParamsEntry, 3> params{};  // kArray
  long long int_value = 0;
  double float_value = 0;
  bool bool_value = false;
};

namespace {

using Node = JsonPath::Node;
using NodePtr = std::shared_ptr<Node>;
constexpr int kEof = -1;

NodePtr make_node(Node::Kind kind, std::string text = {}) {
  auto node = std::make_shared<Node>();
  node->kind = kind;
  node->text = std::move(text);
  return node;
}

bool is_space(int r) {
  return r == ' ' || r == '\t';
}
bool is_end_of_line(int r) {
  return r == '\r' || r == '\n';
}
bool is_digit(int r) {
  return r >= '0' && r <= '9';
}
// unicode.IsLetter for ASCII; bytes of multi-byte UTF-8 sequences count as letters.
bool is_alphanumeric(int r) {
  return r == '_' || is_digit(r) || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || r >= 0x80;
}
bool is_terminator(int r) {
  if (is_space(r) || is_end_of_line(r)) return true;
  switch (r) {
    case kEof:
    case '.':
    case ',':
    case '[':
    case ']':
    case '$':
    case '@':
    case '{':
    case '}':
      return true;
    default:
      return false;
  }
}

std::string trim_spaces(std::string_view text) {
  auto begin = text.find_first_not_of(' ');
  if (begin == std::string_view::npos) return {};
  auto end = text.find_last_not_of(' ');
  return std::string(text.substr(begin, end - begin + 1));
}

void append_utf8(std::string& out, unsigned long code) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

// jsonpath.UnquoteExtend: strconv.Unquote that also accepts single quotes.
std::optional<std::string> unquote_extend(std::string_view quoted) {
  if (quoted.size() < 2) return std::nullopt;
  char quote = quoted.front();
  if ((quote != '"' && quote != '\'') || quoted.back() != quote) return std::nullopt;
  std::string_view body = quoted.substr(1, quoted.size() - 2);
  std::string out;
  for (std::size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c == quote) return std::nullopt;
    if (c != '\\') {
      out += c;
      continue;
    }
    if (++i >= body.size()) return std::nullopt;
    char e = body[i];
    auto hex = [&](std::size_t count) -> std::optional<unsigned long> {
      if (i + count >= body.size()) return std::nullopt;
      unsigned long code = 0;
      auto digits = body.substr(i + 1, count);
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), code, 16);
      if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
      i += count;
      return code;
    };
    switch (e) {
      case 'a':
        out += '\a';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'v':
        out += '\v';
        break;
      case '\\':
        out += '\\';
        break;
      case 'x': {
        auto code = hex(2);
        if (!code) return std::nullopt;
        out += static_cast<char>(*code);
        break;
      }
      case 'u':
      case 'U': {
        auto code = hex(e == 'u' ? 4 : 8);
        if (!code) return std::nullopt;
        append_utf8(out, *code);
        break;
      }
      default:
        if (e == quote) {
          out += e;
          break;
        }
        return std::nullopt;
    }
  }
  return out;
}

// A port of client-go/util/jsonpath/parser.go: the same scanner, the same
// grammar and the same error texts.
class Parser {
 public:
  explicit Parser(std::string input) : input_(std::move(input)) {}

  util::Expected<NodePtr, std::string> parse() {
    root_ = make_node(Node::Kind::kList);
    if (auto error = parse_text(root_)) return util::unexpected(*error);
    return root_;
  }

 private:
  using Error = std::optional<std::string>;

  std::string consume_text() {
    std::string value = input_.substr(start_, pos_ - start_);
    start_ = pos_;
    return value;
  }
  int next() {
    if (pos_ >= input_.size()) {
      width_ = 0;
      return kEof;
    }
    width_ = 1;
    return static_cast<unsigned char>(input_[pos_++]);
  }
  int peek() {
    int r = next();
    backup();
    return r;
  }
  void backup() { pos_ -= width_; }
  bool has_prefix(std::string_view prefix) const {
    return std::string_view(input_).substr(pos_).starts_with(prefix);
  }

  // Parses `text` as the inside of an action (parseAction): the list of the action.
  static util::Expected<NodePtr, std::string> parse_action(const std::string& text) {
    Parser parser("{" + text + "}");
    auto root = parser.parse();
    if (!root) return root;
    return (*root)->nodes.front();
  }

  Error parse_text(const NodePtr& current) {
    while (true) {
      if (has_prefix("{")) {
        if (pos_ > start_) current->nodes.push_back(make_node(Node::Kind::kText, consume_text()));
        return parse_left_delim(current);
      }
      if (next() == kEof) break;
    }
    if (pos_ > start_) current->nodes.push_back(make_node(Node::Kind::kText, consume_text()));
    return std::nullopt;
  }

  Error parse_left_delim(const NodePtr& current) {
    pos_ += 1;
    consume_text();
    auto list = make_node(Node::Kind::kList);
    current->nodes.push_back(list);
    return parse_inside_action(list);
  }

  Error parse_inside_action(const NodePtr& current) {
    // Each parse step returns to here; a loop keeps the stack flat.
    while (true) {
      if (has_prefix("}")) {
        pos_ += 1;
        consume_text();
        return parse_text(root_);
      }
      if (has_prefix("[?(")) {
        if (auto error = parse_filter(current)) return error;
        continue;
      }
      if (has_prefix("..")) {
        if (auto error = parse_recursive(current)) return error;
        continue;
      }
      int r = next();
      Error error;
      if (r == kEof || is_end_of_line(r)) {
        return "unclosed action";
      } else if (r == ' ' || r == '@' || r == '$') {
        consume_text();  // spaces and the current/root object markers carry no meaning
      } else if (r == '[') {
        error = parse_array(current);
      } else if (r == '"' || r == '\'') {
        error = parse_quote(current, r);
      } else if (r == '.') {
        error = parse_field(current);
      } else if (r == '+' || r == '-' || is_digit(r)) {
        backup();
        error = parse_number(current);
      } else if (is_alphanumeric(r)) {
        backup();
        error = parse_identifier(current);
      } else {
        return fmt::format("unrecognized character in action: U+{:04X} '{}'", r,
                           static_cast<char>(r));
      }
      if (error) return error;
    }
  }

  Error parse_identifier(const NodePtr& current) {
    while (true) {
      int r = next();
      if (is_terminator(r)) {
        backup();
        break;
      }
    }
    std::string value = consume_text();
    if (value == "true" || value == "false") {
      auto node = make_node(Node::Kind::kBool);
      node->bool_value = value == "true";
      current->nodes.push_back(node);
    } else {
      current->nodes.push_back(make_node(Node::Kind::kIdentifier, value));
    }
    return std::nullopt;
  }

  Error parse_recursive(const NodePtr& current) {
    if (!current->nodes.empty() && current->nodes.back()->kind == Node::Kind::kRecursive) {
      return "invalid multiple recursive descent";
    }
    pos_ += 2;
    consume_text();
    current->nodes.push_back(make_node(Node::Kind::kRecursive));
    if (is_alphanumeric(peek())) return parse_field(current);
    return std::nullopt;
  }

  Error parse_number(const NodePtr& current) {
    int r = peek();
    if (r == '+' || r == '-') next();
    while (true) {
      r = next();
      if (r != '.' && !is_digit(r)) {
        backup();
        break;
      }
    }
    std::string value = consume_text();
    std::string_view digits = value;
    if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
    long long integer = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), integer);
    if (ec == std::errc() && end == digits.data() + digits.size() && !digits.empty()) {
      auto node = make_node(Node::Kind::kInt);
      node->int_value = integer;
      current->nodes.push_back(node);
      return std::nullopt;
    }
    double floating = 0;
    auto [fend, fec] = std::from_chars(digits.data(), digits.data() + digits.size(), floating);
    if (fec == std::errc() && fend == digits.data() + digits.size() && !digits.empty()) {
      auto node = make_node(Node::Kind::kFloat);
      node->float_value = floating;
      current->nodes.push_back(node);
      return std::nullopt;
    }
    return fmt::format("cannot parse number {}", value);
  }

  Error parse_array(const NodePtr& current) {
    while (true) {
      int r = next();
      if (r == kEof || r == '\n') return "unterminated array";
      if (r == ']') break;
    }
    std::string text = consume_text();
    text = text.substr(1, text.size() - 2);
    if (text == "*") text = ":";

    // union operator
    if (text.find(',') != std::string::npos) {
      auto union_node = make_node(Node::Kind::kUnion);
      std::size_t begin = 0;
      while (true) {
        std::size_t comma = text.find(',', begin);
        std::string part =
            text.substr(begin, comma == std::string::npos ? std::string::npos : comma - begin);
        auto branch = parse_action("[" + trim_spaces(part) + "]");
        if (!branch) return branch.error();
        union_node->nodes.push_back(*branch);
        if (comma == std::string::npos) break;
        begin = comma + 1;
      }
      current->nodes.push_back(union_node);
      return std::nullopt;
    }

    // dict key: ['a.b'] is the path .a.b
    static const std::regex kDictKey(R"(^'([^']*)'$)");
    std::smatch match;
    if (std::regex_match(text, match, kDictKey)) {
      auto parsed = parse_action("." + match[1].str());
      if (!parsed) return parsed.error();
      for (const auto& node : (*parsed)->nodes) current->nodes.push_back(node);
      return std::nullopt;
    }

    // slice operator
    static const std::regex kSlice(R"(^(-?[\d]*)(:-?[\d]*)?(:-?[\d]*)?$)");
    if (!std::regex_match(text, match, kSlice)) return fmt::format("invalid array index {}", text);
    auto node = make_node(Node::Kind::kArray);
    for (int i = 0; i < 3; ++i) {
      std::string value = match[i + 1].str();
      ParamsEntry& entry = node->params[static_cast<std::size_t>(i)];
      if (!value.empty()) {
        if (i > 0) value = value.substr(1);
        if (i > 0 && value.empty()) {
          entry.known = false;
        } else {
          entry.known = true;
          auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), entry.value);
          if (ec != std::errc() || end != value.data() + value.size()) {
            return fmt::format("array index {} is not a number", value);
          }
        }
      } else if (i == 1) {
        entry.known = true;
        entry.value = node->params[0].value + 1;
        entry.derived = true;
      } else {
        entry.known = false;
        entry.value = 0;
      }
    }
    current->nodes.push_back(node);
    return std::nullopt;
  }

  Error parse_filter(const NodePtr& current) {
    pos_ += 3;
    consume_text();
    bool begin = false;
    bool end = false;
    int pair = 0;
    while (true) {
      int r = next();
      if (r == kEof || r == '\n') return "unterminated filter";
      if (r == '"' || r == '\'') {
        if (!begin) {
          begin = true;
          pair = r;
          continue;
        }
        if (input_[pos_ - 2] != '\\' && r == pair) end = true;
      } else if (r == ')') {
        if (begin == end) break;
      }
    }
    if (next() != ']') return "unclosed array expect ]";
    std::string text = consume_text();
    text = text.substr(0, text.size() - 2);
    static const std::regex kComparison(R"(^([^!<>=]+)([!<>=]+)(.+?)$)");
    std::smatch match;
    auto filter = make_node(Node::Kind::kFilter);
    if (!std::regex_match(text, match, kComparison)) {
      auto left = parse_action(text);
      if (!left) return left.error();
      filter->nodes = {*left, make_node(Node::Kind::kList)};
      filter->text = "exists";
    } else {
      auto left = parse_action(match[1].str());
      if (!left) return left.error();
      auto right = parse_action(match[3].str());
      if (!right) return right.error();
      filter->nodes = {*left, *right};
      filter->text = match[2].str();
    }
    current->nodes.push_back(filter);
    return std::nullopt;
  }

  Error parse_quote(const NodePtr& current, int end) {
    while (true) {
      int r = next();
      if (r == kEof || r == '\n') return "unterminated quoted string";
      if (r == end && input_[pos_ - 2] != '\\') break;
    }
    std::string value = consume_text();
    auto unquoted = unquote_extend(value);
    if (!unquoted) return fmt::format("unquote string {} error invalid syntax", value);
    current->nodes.push_back(make_node(Node::Kind::kText, *unquoted));
    return std::nullopt;
  }

  // advance scans until the next non-escaped terminator.
  bool advance() {
    int r = next();
    if (r == '\\') {
      next();
    } else if (is_terminator(r)) {
      backup();
      return false;
    }
    return true;
  }

  Error parse_field(const NodePtr& current) {
    consume_text();
    while (advance()) {
    }
    std::string value = consume_text();
    if (value == "*") {
      current->nodes.push_back(make_node(Node::Kind::kWildcard));
    } else {
      std::string field;
      for (char c : value) {
        if (c != '\\') field += c;
      }
      current->nodes.push_back(make_node(Node::Kind::kField, field));
    }
    return std::nullopt;
  }

  std::string input_;
  std::size_t pos_ = 0;
  std::size_t start_ = 0;
  std::size_t width_ = 0;
  NodePtr root_;
};

// ---------------------------------------------------------------------------
// Evaluation (jsonpath.go)

// Go's reflect type names of unstructured values, for error texts.
std::string go_type_name(const json& value) {
  switch (value.type()) {
    case json::value_t::object:
      return "map[string]interface {}";
    case json::value_t::array:
      return "[]interface {}";
    case json::value_t::string:
      return "string";
    case json::value_t::boolean:
      return "bool";
    case json::value_t::number_float:
      return "float64";
    default:
      return "int64";
  }
}

// text/template's comparison kinds.
enum class BasicKind { kBool, kInt, kFloat, kString };

std::optional<BasicKind> basic_kind(const json& value) {
  switch (value.type()) {
    case json::value_t::boolean:
      return BasicKind::kBool;
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return BasicKind::kInt;
    case json::value_t::number_float:
      return BasicKind::kFloat;
    case json::value_t::string:
      return BasicKind::kString;
    default:
      return std::nullopt;
  }
}

constexpr std::string_view kBadComparisonType = "invalid type for comparison";
constexpr std::string_view kBadComparison = "incompatible types for comparison";

util::Expected<bool, std::string> template_equal(const json& left, const json& right) {
  auto k1 = basic_kind(left);
  auto k2 = basic_kind(right);
  if (!k1 || !k2) return util::unexpected(std::string(kBadComparisonType));
  if (*k1 != *k2) return util::unexpected(std::string(kBadComparison));
  switch (*k1) {
    case BasicKind::kBool:
      return left.get<bool>() == right.get<bool>();
    case BasicKind::kInt:
      return left.get<long long>() == right.get<long long>();
    case BasicKind::kFloat:
      return left.get<double>() == right.get<double>();
    case BasicKind::kString:
      return left.get_ref<const std::string&>() == right.get_ref<const std::string&>();
  }
  return false;
}

util::Expected<bool, std::string> template_less(const json& left, const json& right) {
  auto k1 = basic_kind(left);
  auto k2 = basic_kind(right);
  if (!k1 || !k2) return util::unexpected(std::string(kBadComparisonType));
  if (*k1 != *k2) return util::unexpected(std::string(kBadComparison));
  switch (*k1) {
    case BasicKind::kBool:
      return util::unexpected(std::string(kBadComparisonType));
    case BasicKind::kInt:
      return left.get<long long>() < right.get<long long>();
    case BasicKind::kFloat:
      return left.get<double>() < right.get<double>();
    case BasicKind::kString:
      return left.get_ref<const std::string&>() < right.get_ref<const std::string&>();
  }
  return false;
}

util::Expected<bool, std::string> compare(const std::string& op, const json& left,
                                          const json& right) {
  if (op != "==" && op != "!=" && op != "<" && op != ">" && op != "<=" && op != ">=") {
    return util::unexpected(fmt::format("unrecognized filter operator {}", op));
  }
  if (op == "==") return template_equal(left, right);
  if (op == "!=") {
    auto equal = template_equal(left, right);
    if (!equal) return equal;
    return !*equal;
  }
  if (op == "<") return template_less(left, right);
  auto less = template_less(left, right);
  if (!less) return less;
  if (op == ">=") return !*less;
  // <= is < or ==; > is not <=.
  bool less_or_equal = *less;
  if (!less_or_equal) {
    auto equal = template_equal(left, right);
    if (!equal) return equal;
    less_or_equal = *equal;
  }
  if (op == "<=") return less_or_equal;
  return !less_or_equal;  // >
}

using Values = std::vector<const json*>;
using EvalResult = util::Expected<Values, std::string>;

class Evaluator {
 public:
  explicit Evaluator(bool allow_missing_keys) : allow_missing_keys_(allow_missing_keys) {}

  EvalResult walk(const Values& input, const Node& node) {
    switch (node.kind) {
      case Node::Kind::kList:
        return eval_list(input, node);
      case Node::Kind::kText:
        return Values{literal(node.text)};
      case Node::Kind::kField:
        return eval_field(input, node);
      case Node::Kind::kArray:
        return eval_array(input, node);
      case Node::Kind::kFilter:
        return eval_filter(input, node);
      case Node::Kind::kInt:
        return repeat(input, json(node.int_value));
      case Node::Kind::kFloat:
        return repeat(input, json(node.float_value));
      case Node::Kind::kBool:
        return repeat(input, json(node.bool_value));
      case Node::Kind::kWildcard:
        return eval_wildcard(input);
      case Node::Kind::kRecursive:
        return eval_recursive(input);
      case Node::Kind::kUnion:
        return eval_union(input, node);
      case Node::Kind::kIdentifier:
        if (node.text == "range" || node.text == "end") {
          return util::unexpected(
              fmt::format("{} is not supported by this JSONPath evaluator", node.text));
        }
        return util::unexpected(fmt::format("unrecognized identifier {}", node.text));
    }
    return util::unexpected(std::string("unexpected Node"));
  }

 private:
  const json* literal(json value) {
    literals_.push_back(std::move(value));
    return &literals_.back();
  }

  Values repeat(const Values& input, const json& value) {
    Values out;
    for (std::size_t i = 0; i < input.size(); ++i) out.push_back(literal(value));
    return out;
  }

  EvalResult eval_list(const Values& input, const Node& node) {
    Values current = input;
    for (const auto& child : node.nodes) {
      auto next = walk(current, *child);
      if (!next) return next;
      current = std::move(*next);
    }
    return current;
  }

  EvalResult eval_field(const Values& input, const Node& node) {
    Values results;
    if (input.empty()) return results;
    for (const json* value : input) {
      if (value->is_null() || !value->is_object()) continue;
      auto it = value->find(node.text);
      if (it != value->end()) results.push_back(&*it);
    }
    if (results.empty() && !allow_missing_keys_) {
      return util::unexpected(fmt::format("{} is not found", node.text));
    }
    return results;
  }

  EvalResult eval_array(const Values& input, const Node& node) {
    Values results;
    for (const json* value : input) {
      if (value->is_null()) continue;
      if (!value->is_array())
        return util::unexpected(fmt::format("{} is not array or slice", go_type_name(*value)));
      auto params = node.params;
      const auto length = static_cast<long long>(value->size());
      if (!params[0].known) params[0].value = 0;
      if (params[0].value < 0) params[0].value += length;
      if (!params[1].known) params[1].value = length;
      if (params[1].value < 0 || (params[1].value == 0 && params[1].derived))
        params[1].value += length;
      if (params[1].value == params[0].value) return results;  // zero elements requested
      if (params[0].value >= length || params[0].value < 0) {
        return util::unexpected(
            fmt::format("array index out of bounds: index {}, length {}", params[0].value, length));
      }
      if (params[1].value > length || params[1].value < 0) {
        return util::unexpected(fmt::format("array index out of bounds: index {}, length {}",
                                            params[1].value - 1, length));
      }
      if (params[0].value > params[1].value) {
        return util::unexpected(fmt::format("starting index {} is greater than ending index {}",
                                            params[0].value, params[1].value));
      }
      long long step = 1;
      if (params[2].known) {
        if (params[2].value <= 0) return util::unexpected(std::string("step must be > 0"));
        step = params[2].value;
      }
      for (long long i = params[0].value; i < params[1].value; i += step) {
        results.push_back(&(*value)[static_cast<std::size_t>(i)]);
      }
    }
    return results;
  }

  EvalResult eval_filter(const Values& input, const Node& node) {
    Values results;
    const Node& left_node = *node.nodes[0];
    const Node& right_node = *node.nodes[1];
    for (const json* value : input) {
      if (!value->is_array()) {
        return util::unexpected(
            fmt::format("{} is not array or slice and cannot be filtered", go_sprint(*value)));
      }
      for (const json& element : *value) {
        Values item{&element};
        auto lefts = eval_list(item, left_node);
        if (node.text == "exists") {
          if (lefts && !lefts->empty()) results.push_back(&element);
          continue;
        }
        if (!lefts) return lefts;
        if (lefts->empty()) continue;
        if (lefts->size() > 1)
          return util::unexpected(std::string("can only compare one element at a time"));
        auto rights = eval_list(item, right_node);
        if (!rights) return rights;
        if (rights->empty()) continue;
        if (rights->size() > 1)
          return util::unexpected(std::string("can only compare one element at a time"));
        auto pass = compare(node.text, *lefts->front(), *rights->front());
        if (!pass) return util::unexpected(pass.error());
        if (*pass) results.push_back(&element);
      }
    }
    return results;
  }

  EvalResult eval_wildcard(const Values& input) {
    Values results;
    for (const json* value : input) {
      if (value->is_object() || value->is_array()) {
        for (const json& child : *value) results.push_back(&child);
      }
    }
    return results;
  }

  EvalResult eval_recursive(const Values& input) {
    Values results;
    for (const json* value : input) {
      if (!value->is_object() && !value->is_array()) continue;
      if (value->empty()) continue;
      Values children;
      for (const json& child : *value) children.push_back(&child);
      results.push_back(value);
      auto nested = eval_recursive(children);
      if (!nested) return nested;
      results.insert(results.end(), nested->begin(), nested->end());
    }
    return results;
  }

  EvalResult eval_union(const Values& input, const Node& node) {
    Values results;
    for (const auto& branch : node.nodes) {
      auto values = eval_list(input, *branch);
      if (!values) return values;
      results.insert(results.end(), values->begin(), values->end());
    }
    return results;
  }

  bool allow_missing_keys_;
  std::deque<json> literals_;  // stable addresses for literal results
};

}  // namespace

util::Expected<JsonPath, std::string> JsonPath::parse(std::string_view expression) {
  std::string text(expression);
  // A bare expression is one action, as the API server wraps printer columns: "{%s}".
  std::string source = text.find('{') != std::string::npos ? text : "{" + text + "}";
  Parser parser(source);
  auto root = parser.parse();
  if (!root) return util::unexpected(root.error());
  JsonPath path;
  path.text_ = std::move(text);
  path.root_ = std::move(*root);
  return path;
}

util::Expected<std::vector<json>, std::string> JsonPath::evaluate(const json& root,
                                                                  bool allow_missing_keys) const {
  Evaluator evaluator(allow_missing_keys);
  std::vector<json> results;
  Values start{&root};
  for (const auto& node : root_->nodes) {
    auto values = evaluator.walk(start, *node);
    if (!values) return util::unexpected(values.error());
    for (const json* value : *values) results.push_back(*value);
  }
  return results;
}

util::Expected<std::vector<json>, std::string> evaluate_jsonpath(std::string_view path,
                                                                 const json& root) {
  auto parsed = JsonPath::parse(path);
  if (!parsed) return util::unexpected(parsed.error());
  return parsed->evaluate(root);
}

}  // namespace druid::testing
