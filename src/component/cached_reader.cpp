#include "component/cached_reader.hpp"

namespace druid::component {
namespace {

std::string type_key(const util::ResourceType& type) {
  return type.group + "/" + type.resource;
}

}  // namespace

void CachedReader::add_cache(const util::ResourceType& type, const kube::Cache& cache) {
  caches_[type_key(type)] = &cache;
}

const kube::Cache* CachedReader::cache_for(const util::ResourceType& type) const {
  const auto it = caches_.find(type_key(type));
  return it == caches_.end() ? nullptr : it->second;
}

kube::ApiResult<kube::ObjectPtr> CachedReader::get(const util::ResourceType& type,
                                                   std::string_view ns, std::string_view name) {
  const kube::Cache* cache = cache_for(type);
  if (cache == nullptr) return live_.get(type, ns, name);
  return cache->get(ns, name);
}

kube::ApiResult<std::vector<kube::ObjectPtr>> CachedReader::list(const util::ResourceType& type,
                                                                 std::string_view ns,
                                                                 const util::Labels& selector) {
  const kube::Cache* cache = cache_for(type);
  if (cache == nullptr) return live_.list(type, ns, selector);
  return cache->list(ns, util::Selector::from_labels(selector));
}

kube::ApiResult<std::vector<kube::ObjectPtr>> CachedReader::list_by_field(
    const util::ResourceType& type, std::string_view ns, std::string_view path,
    std::string_view value) {
  const kube::Cache* cache = cache_for(type);
  if (cache == nullptr) return live_.list_by_field(type, ns, path, value);
  return cache->list_by_field(ns, path, value);
}

}  // namespace druid::component
