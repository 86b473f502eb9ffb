#pragma once
// An ObjectReader over informer caches: types with a cache are read from it
// (no request); the others fall back to live reads.

#include <map>
#include <string>

#include "component/object_reader.hpp"
#include "kube/cache.hpp"

namespace druid::component {

class CachedReader final : public ObjectReader {
 public:
  explicit CachedReader(LiveApi& live) : live_(live) {}

  // Reads of `type` are answered from `cache` (which must outlive the reader).
  // The cache must hold every object of the type the components look for, e.g.
  // an informer filtered by app.kubernetes.io/managed-by=etcd-druid.
  void add_cache(const util::ResourceType& type, const kube::Cache& cache);

  kube::ApiResult<kube::ObjectPtr> get(const util::ResourceType& type, std::string_view ns,
                                       std::string_view name) override;
  kube::ApiResult<std::vector<kube::ObjectPtr>> list(const util::ResourceType& type,
                                                     std::string_view ns,
                                                     const util::Labels& selector) override;
  kube::ApiResult<std::vector<kube::ObjectPtr>> list_by_field(const util::ResourceType& type,
                                                              std::string_view ns,
                                                              std::string_view path,
                                                              std::string_view value) override;

 private:
  const kube::Cache* cache_for(const util::ResourceType& type) const;

  LiveReader live_;
  std::map<std::string, const kube::Cache*> caches_;  // by group/resource
};

}  // namespace druid::component
