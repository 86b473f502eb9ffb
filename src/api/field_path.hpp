#pragma once
// A path to a field in an object, printed the way Kubernetes prints it:
// `spec.etcd.additionalAdvertisePeerURLs[0].urls[1]`, `metadata.labels[app]`.

#include <string>
#include <string_view>

namespace druid::api {

class FieldPath {
 public:
  FieldPath() = default;  // the root of an object; prints as "<nil>" like Kubernetes
  explicit FieldPath(std::string_view first) : text_(first) {}

  FieldPath child(std::string_view name) const;
  FieldPath index(std::size_t i) const;
  FieldPath key(std::string_view k) const;

  bool is_root() const { return text_.empty(); }
  std::string str() const { return is_root() ? "<nil>" : text_; }
  friend bool operator==(const FieldPath&, const FieldPath&) = default;

 private:
  std::string text_;
};

}  // namespace druid::api
