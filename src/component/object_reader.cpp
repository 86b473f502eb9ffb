#include "component/object_reader.hpp"

#include <memory>

namespace druid::component {

std::string selector_string(const util::Labels& selector) {
  std::string text;
  for (const auto& [key, value] : selector) {
    if (!text.empty()) text += ',';
    text += key + "=" + value;
  }
  return text;
}

std::string field_selector_string(std::string_view path, std::string_view value) {
  std::string text(path);
  text += '=';
  for (const char c : value) {
    if (c == '\\' || c == ',' || c == '=') text += '\\';
    text += c;
  }
  return text;
}

kube::ApiResult<kube::ObjectPtr> LiveReader::get(const util::ResourceType& type,
                                                 std::string_view ns, std::string_view name) {
  auto object = api_.get_live(type, ns, name);
  if (object) return std::make_shared<const nlohmann::json>(std::move(*object));
  if (kube::is_not_found(object.error())) return kube::ObjectPtr{};
  return util::unexpected(object.error());
}

kube::ApiResult<std::vector<kube::ObjectPtr>> LiveReader::list(const util::ResourceType& type,
                                                               std::string_view ns,
                                                               const util::Labels& selector) {
  kube::ListOptions options;
  options.label_selector = selector_string(selector);
  return list_with(type, ns, options);
}

kube::ApiResult<std::vector<kube::ObjectPtr>> LiveReader::list_by_field(
    const util::ResourceType& type, std::string_view ns, std::string_view path,
    std::string_view value) {
  kube::ListOptions options;
  options.field_selector = field_selector_string(path, value);
  return list_with(type, ns, options);
}

kube::ApiResult<std::vector<kube::ObjectPtr>> LiveReader::list_with(
    const util::ResourceType& type, std::string_view ns, const kube::ListOptions& options) {
  auto listed = api_.list_live(type, ns, options);
  if (!listed) return util::unexpected(listed.error());
  std::vector<kube::ObjectPtr> objects;
  for (auto& item : (*listed)["items"]) {
    objects.push_back(std::make_shared<const nlohmann::json>(std::move(item)));
  }
  return objects;
}

}  // namespace druid::component
