#include "component/cached_reader.hpp"

namespace druid::component {
namespace {

std::string type_key(const kube::ResourceType& type) {
  return type.group + "/" + type.resource;
}

}  // namespace

void CachedReader::add_cache(const kube::ResourceType& type, const kube::Cache& cache) {
  caches_[type_key(type)] = &cache;
}

const kube::Cache* CachedReader::cache_for(const kube::ResourceType& type) const {
  const auto it = caches_.find(type_key(type));
  return it == caches_.end() ? nullptr : it->second;
}

kube::Result<kube::ObjectPtr> CachedReader::get(const kube::ResourceType& type, std::string_view ns,
                                                std::string_view name) {
  const kube::Cache* cache = cache_for(type);
  if (cache == nullptr) return live_.get(type, ns, name);
  return cache->get(ns, name);
}

kube::Result<std::vector<kube::ObjectPtr>> CachedReader::list(const kube::ResourceType& type,
                                                              std::string_view ns,
                                                              const api::Labels& selector) {
  const kube::Cache* cache = cache_for(type);
  if (cache == nullptr) return live_.list(type, ns, selector);
  return cache->list(ns, api::Selector::from_labels(selector));
}

}  // namespace druid::component
