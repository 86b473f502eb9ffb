#include "api/validation/unknown_fields.hpp"

#include <algorithm>

namespace druid::api::validation {
namespace {

using nlohmann::json;

// A null schema stands for Go's nil *Structural: nothing below it is declared.
const json kNoSchema;

const json& member(const json& schema, const char* key) {
  if (!schema.is_object()) return kNoSchema;
  const auto it = schema.find(key);
  return it == schema.end() ? kNoSchema : *it;
}

bool flag(const json& schema, const char* key) {
  return member(schema, key) == true;
}

bool is_meta_field(const std::string& key) {
  return key == "apiVersion" || key == "kind" || key == "metadata";
}

// Walks an object along its schema, recording the undeclared keys; with
// `erase`, also removes them (what the server stores).
class Walker {
 public:
  Walker(std::vector<std::string>& found, bool erase) : found_(found), erase_(erase) {}

  // `embedded` is true for the resource root, which the server treats as an
  // embedded resource whatever its schema says.
  void prune(json& value, const json& schema, bool embedded) {
    if (flag(schema, "x-kubernetes-preserve-unknown-fields")) {
      skip_prune(value, schema, embedded);
      return;
    }
    if (value.is_object()) {
      std::vector<std::string> undeclared;
      if (schema.is_null()) {
        for (const auto& [key, child] : value.items()) undeclared.push_back(key);
      } else {
        embedded = embedded || flag(schema, "x-kubernetes-embedded-resource");
        for (auto& [key, child] : value.items()) {
          if (embedded && is_meta_field(key)) continue;
          if (!descend_declared(key, child, schema)) undeclared.push_back(key);
        }
      }
      for (const auto& key : undeclared) {
        record(key);
        if (erase_) value.erase(key);
      }
    } else if (value.is_array()) {
      for_each_item(value, schema,
                    [this](json& item, const json& items) { prune(item, items, false); });
    }
  }

 private:
  // Below x-kubernetes-preserve-unknown-fields undeclared keys stay, but
  // declared ones are still checked against their schema.
  void skip_prune(json& value, const json& schema, bool embedded) {
    if (schema.is_null()) return;
    if (value.is_object()) {
      embedded = embedded || flag(schema, "x-kubernetes-embedded-resource");
      for (auto& [key, child] : value.items()) {
        if (embedded && is_meta_field(key)) continue;
        descend_declared(key, child, schema);
      }
    } else if (value.is_array()) {
      for_each_item(value, schema,
                    [this](json& item, const json& items) { skip_prune(item, items, false); });
    }
  }

  // Visits each item of the array `value` with the schema of its items, the
  // path extended by "[i]" meanwhile.
  template <class Visit>
  void for_each_item(json& value, const json& schema, Visit visit) {
    const json& items = member(schema, "items");
    for (std::size_t i = 0; i < value.size(); ++i) {
      const auto mark = path_.size();
      path_ += "[" + std::to_string(i) + "]";
      visit(value[i], items);
      path_.resize(mark);
    }
  }

  // False when `schema` declares no such key.
  bool descend_declared(const std::string& key, json& child, const json& schema) {
    const json& properties = member(schema, "properties");
    const json& additional = member(schema, "additionalProperties");
    const json* child_schema = nullptr;
    if (const auto declared = properties.find(key); declared != properties.end()) {
      child_schema = &*declared;
    } else if (additional.is_object()) {
      child_schema = &additional;
    } else if (additional == true) {
      child_schema = &kNoSchema;
    } else {
      return false;
    }
    const auto mark = path_.size();
    append_key(key);
    prune(child, *child_schema, false);
    path_.resize(mark);
    return true;
  }

  void append_key(const std::string& key) {
    if (!path_.empty()) path_ += ".";
    path_ += key;
  }

  void record(const std::string& key) {
    const auto mark = path_.size();
    append_key(key);
    found_.push_back(path_);
    path_.resize(mark);
  }

  std::string path_;
  std::vector<std::string>& found_;
  bool erase_;
};

}  // namespace

std::vector<std::string> unknown_field_paths(const json& object, const json& schema) {
  json copy = object;
  std::vector<std::string> found;
  Walker(found, /*erase=*/false).prune(copy, schema.is_null() ? json::object() : schema, true);
  std::sort(found.begin(), found.end());
  return found;
}

std::vector<std::string> prune_unknown_fields(json& object, const json& schema) {
  std::vector<std::string> found;
  Walker(found, /*erase=*/true).prune(object, schema.is_null() ? json::object() : schema, true);
  std::sort(found.begin(), found.end());
  return found;
}

std::string strict_decoding_error(std::string_view kind, std::string_view version,
                                  const std::vector<std::string>& unknown_paths) {
  std::string text;
  text.append(kind).append(" in version \"").append(version).append("\" cannot be handled as a ");
  text.append(kind).append(": strict decoding error: ");
  for (std::size_t i = 0; i < unknown_paths.size(); ++i) {
    if (i > 0) text += ", ";
    text += "unknown field \"" + unknown_paths[i] + "\"";
  }
  return text;
}

}  // namespace druid::api::validation
