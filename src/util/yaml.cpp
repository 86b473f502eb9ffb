#include "util/yaml.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <regex>
#include <sstream>
#include <string>

namespace druid::util {
namespace {

// The characters yaml.v2's reader accepts (readerc.go): tab, line feed,
// carriage return, printable ASCII, NEL, and the rest of Unicode but
// surrogates, U+FFFE and U+FFFF.
bool printable(char32_t c) {
  return c == 0x09 || c == 0x0A || c == 0x0D || (c >= 0x20 && c <= 0x7E) || c == 0x85 ||
         (c >= 0xA0 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) ||
         (c >= 0x10000 && c <= 0x10FFFF);
}

// One UTF-8 sequence read at s[i]: its width and code point, or what is wrong
// with it in the words of yaml.v2's reader (gopkg.in/yaml.v2 readerc.go,
// yaml_parser_update_buffer).
struct Utf8Sequence {
  std::size_t width = 0;
  char32_t value = 0;
  const char* error = nullptr;
};

Utf8Sequence read_utf8(std::string_view s, std::size_t i) {
  const auto lead = static_cast<unsigned char>(s[i]);
  Utf8Sequence sequence;
  if (lead < 0x80) return {1, lead, nullptr};
  if ((lead & 0xE0) == 0xC0) {
    sequence = {2, static_cast<char32_t>(lead & 0x1F), nullptr};
  } else if ((lead & 0xF0) == 0xE0) {
    sequence = {3, static_cast<char32_t>(lead & 0x0F), nullptr};
  } else if ((lead & 0xF8) == 0xF0) {
    sequence = {4, static_cast<char32_t>(lead & 0x07), nullptr};
  } else {
    return {0, 0, "invalid leading UTF-8 octet"};
  }
  if (s.size() - i < sequence.width) return {0, 0, "incomplete UTF-8 octet sequence"};
  for (std::size_t k = 1; k < sequence.width; ++k) {
    const auto octet = static_cast<unsigned char>(s[i + k]);
    if ((octet & 0xC0) != 0x80) return {0, 0, "invalid trailing UTF-8 octet"};
    sequence.value = (sequence.value << 6) | (octet & 0x3F);
  }
  if ((sequence.width == 2 && sequence.value < 0x80) ||
      (sequence.width == 3 && sequence.value < 0x800) ||
      (sequence.width == 4 && sequence.value < 0x10000)) {
    return {0, 0, "invalid length of a UTF-8 sequence"};
  }
  if ((sequence.value >= 0xD800 && sequence.value <= 0xDFFF) || sequence.value > 0x10FFFF) {
    return {0, 0, "invalid Unicode character"};
  }
  return sequence;
}

// The first error yaml.v2's reader finds in `text`: text that is not UTF-8 or
// holds a character it does not accept, in its words; nullptr when there is
// none. Kubernetes' YAML decoder refuses such text; yaml-cpp passes the bytes
// through, and strings that are not UTF-8 break every JSON written from them
// (nlohmann::json::dump throws on them).
const char* reader_error(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const Utf8Sequence sequence = read_utf8(text, i);
    if (sequence.error != nullptr) return sequence.error;
    if (!printable(sequence.value)) return "control characters are not allowed";
    i += sequence.width;
  }
  return nullptr;
}

// yaml-cpp 0.7 writes the escapes "\N" and "\_" of double-quoted scalars as the
// single bytes 0x85 and 0xA0 (Latin-1, not UTF-8). The text was checked to be
// UTF-8 before parsing, so any byte here that does not start a UTF-8 sequence
// is such a code point: encode it as UTF-8 (U+0085, U+00A0), as yaml.v2 does.
std::string utf8_scalar(const std::string& s) {
  if (reader_error(s) == nullptr) return s;
  std::string out;
  out.reserve(s.size() + 4);
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t length = read_utf8(s, i).width;
    if (length != 0) {
      out.append(s, i, length);
      i += length;
    } else {
      const auto byte = static_cast<unsigned char>(s[i++]);
      out += static_cast<char>(0xC0 | (byte >> 6));
      out += static_cast<char>(0x80 | (byte & 0x3F));
    }
  }
  return out;
}

// YAML 1.1 core scalars as Go's yaml decoders resolve them.
nlohmann::json resolve_plain_scalar(const std::string& s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  static const std::regex integer(R"([-+]?(0|[1-9][0-9]*))");
  static const std::regex floating(R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");
  if (std::regex_match(s, integer)) {
    std::int64_t v = 0;
    const char* begin = s.data() + (s[0] == '+' ? 1 : 0);
    auto [ptr, ec] = std::from_chars(begin, s.data() + s.size(), v);
    if (ec == std::errc() && ptr == s.data() + s.size()) return v;
    return s;  // out of int64 range: keep the text rather than lose digits
  }
  if (std::regex_match(s, floating)) {
    try {
      return std::stod(s);
    } catch (...) {
      return s;
    }
  }
  return s;
}

nlohmann::json to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return nullptr;
    case YAML::NodeType::Scalar:
      // Tag "!" marks a quoted (non-plain) scalar: always a string.
      if (node.Tag() == "!" || node.Tag() == "tag:yaml.org,2002:str") {
        return utf8_scalar(node.Scalar());
      }
      return resolve_plain_scalar(utf8_scalar(node.Scalar()));
    case YAML::NodeType::Sequence: {
      auto out = nlohmann::json::array();
      for (const auto& item : node) out.push_back(to_json(item));
      return out;
    }
    case YAML::NodeType::Map: {
      auto out = nlohmann::json::object();
      for (const auto& kv : node) out[utf8_scalar(kv.first.as<std::string>())] = to_json(kv.second);
      return out;
    }
  }
  return nullptr;
}

// Strings yaml-cpp would write plain but that do not read back as written:
// with control characters ("a\r" loses its "\r"), or starting with a document
// marker ("... x" as a key ends the document). Both found by fuzzing
// (test/fuzz/regressions/yaml); double-quoted, they are escaped.
bool needs_quotes(const std::string& s) {
  return s.starts_with("---") || s.starts_with("...") ||
         std::any_of(s.begin(), s.end(),
                     [](char c) { return (c >= 0 && c < 0x20 && c != '\n') || c == 0x7F; });
}

void emit(YAML::Emitter& out, const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::object:
      out << YAML::BeginMap;
      for (const auto& [k, v] : value.items()) {
        out << YAML::Key;
        if (needs_quotes(k)) out << YAML::DoubleQuoted;
        out << k << YAML::Value;
        emit(out, v);
      }
      out << YAML::EndMap;
      break;
    case nlohmann::json::value_t::array:
      out << YAML::BeginSeq;
      for (const auto& v : value) emit(out, v);
      out << YAML::EndSeq;
      break;
    case nlohmann::json::value_t::string: {
      const auto& s = value.get_ref<const std::string&>();
      // Quote strings that would otherwise read back as another type.
      if (needs_quotes(s) || !resolve_plain_scalar(s).is_string()) {
        out << YAML::DoubleQuoted << s;
      } else {
        out << s;
      }
      break;
    }
    case nlohmann::json::value_t::null:
      out << YAML::Null;
      break;
    default:
      out << value.dump();
  }
}

// Records where each document starts. yaml-cpp 0.7's LoadAll never returns on
// some malformed streams (a ',' where a document's node should start: ",\na: b"):
// its parser reports a document there without consuming the token, again and
// again. A document starting where the previous one started is that loop.
class DocumentWalk final : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override {
    stuck_ = started_ && mark.pos == last_.pos;
    started_ = true;
    last_ = mark;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}

  bool stuck() const { return stuck_; }
  const YAML::Mark& last() const { return last_; }

 private:
  bool started_ = false;
  bool stuck_ = false;
  YAML::Mark last_;
};

std::string yaml_error_text(const YAML::Mark& mark, const std::string& message) {
  return "yaml: line " + std::to_string(mark.line + 1) + ", column " +
         std::to_string(mark.column + 1) + ": " + message;
}

}  // namespace

Expected<std::vector<nlohmann::json>, ParseError> parse_yaml_documents(std::string_view text) {
  if (const char* error = reader_error(text)) {
    return unexpected(ParseError{std::string(text.substr(0, 80)), std::string("yaml: ") + error});
  }
  try {
    {
      std::istringstream stream{std::string(text)};
      YAML::Parser parser(stream);
      DocumentWalk walk;
      while (parser.HandleNextDocument(walk)) {
        if (walk.stuck()) {
          // yaml.v2's words for a node that cannot start there.
          return unexpected(
              ParseError{std::string(text.substr(0, 80)),
                         yaml_error_text(walk.last(), "did not find expected node content")});
        }
      }
    }
    std::vector<nlohmann::json> out;
    for (const auto& doc : YAML::LoadAll(std::string(text))) {
      auto j = to_json(doc);
      if (!j.is_null()) out.push_back(std::move(j));
    }
    return out;
  } catch (const YAML::Exception& e) {
    return unexpected(ParseError{std::string(text.substr(0, 80)), yaml_error_text(e.mark, e.msg)});
  }
}

Expected<nlohmann::json, ParseError> parse_yaml(std::string_view text) {
  auto docs = parse_yaml_documents(text);
  if (!docs) return unexpected(docs.error());
  if (docs->size() != 1) {
    return unexpected(
        ParseError{std::string(text.substr(0, 80)),
                   "expected exactly one YAML document, found " + std::to_string(docs->size())});
  }
  return std::move(docs->front());
}

std::string to_yaml(const nlohmann::json& value) {
  YAML::Emitter out;
  emit(out, value);
  return std::string(out.c_str()) + "\n";
}

}  // namespace druid::util
