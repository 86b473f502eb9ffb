#include "api/field_path.hpp"

#include <string>

namespace druid::api {

FieldPath FieldPath::child(std::string_view name) const {
  FieldPath p;
  p.text_ = text_.empty() ? std::string(name) : text_ + "." + std::string(name);
  return p;
}

FieldPath FieldPath::index(std::size_t i) const {
  FieldPath p;
  p.text_ = text_ + "[" + std::to_string(i) + "]";
  return p;
}

FieldPath FieldPath::key(std::string_view k) const {
  FieldPath p;
  p.text_ = text_ + "[" + std::string(k) + "]";
  return p;
}

}  // namespace druid::api
