#include "util/resource_type.hpp"

#include "util/text.hpp"

namespace druid::util {

std::string ResourceType::api_version() const {
  return group.empty() ? version : group + "/" + version;
}

std::string ResourceType::path(std::string_view ns, std::string_view name,
                               std::string_view subresource) const {
  std::string out = group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
  if (namespaced && !ns.empty()) {
    out += "/namespaces/";
    out += url_encode(ns);
  }
  out += "/";
  out += resource;
  if (!name.empty()) {
    out += "/";
    out += url_encode(name);
    if (!subresource.empty()) {
      out += "/";
      out += url_encode(subresource);
    }
  }
  return out;
}

std::string ResourceType::qualified_resource() const {
  return group.empty() ? resource : resource + "." + group;
}

}  // namespace druid::util
