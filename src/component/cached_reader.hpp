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
  explicit CachedReader(kube::Client& client) : live_(client) {}

  // Reads of `type` are answered from `cache` (which must outlive the reader).
  // The cache must hold every object of the type the components look for, e.g.
  // an informer filtered by app.kubernetes.io/managed-by=etcd-druid.
  void add_cache(const kube::ResourceType& type, const kube::Cache& cache);

  kube::Result<kube::ObjectPtr> get(const kube::ResourceType& type, std::string_view ns,
                                    std::string_view name) override;
  kube::Result<std::vector<kube::ObjectPtr>> list(const kube::ResourceType& type,
                                                  std::string_view ns,
                                                  const api::Labels& selector) override;

 private:
  const kube::Cache* cache_for(const kube::ResourceType& type) const;

  LiveReader live_;
  std::map<std::string, const kube::Cache*> caches_;  // by group/resource
};

}  // namespace druid::component
