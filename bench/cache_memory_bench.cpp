// Memory the informer cache needs per object: 10,000 Leases as the operator
// caches them (member leases of many Etcds), measured as heap bytes in use
// (glibc mallinfo2) after filling the cache, minus before, per object. The
// JSON text size of one object is reported next to it for scale.

#include <benchmark/benchmark.h>
#include <malloc.h>

#include <memory>
#include <string>

#include "kube/cache.hpp"

namespace {

nlohmann::json lease(int i) {
  return {{"apiVersion", "coordination.k8s.io/v1"},
          {"kind", "Lease"},
          {"metadata",
           {{"name", "etcd-main-" + std::to_string(i % 3)},
            {"namespace", "shoot--project--cluster-" + std::to_string(i / 3)},
            {"uid", "5f8b1c2e-0000-4000-8000-" + std::to_string(100000000000 + i)},
            {"resourceVersion", std::to_string(1000000 + i)},
            {"creationTimestamp", "2026-11-25T08:00:00Z"},
            {"labels",
             {{"app.kubernetes.io/component", "etcd-member-lease"},
              {"app.kubernetes.io/managed-by", "etcd-druid"},
              {"app.kubernetes.io/name", "etcd-main"},
              {"app.kubernetes.io/part-of", "etcd-main"}}},
            {"ownerReferences",
             {{{"apiVersion", "druid.gardener.cloud/v1alpha1"},
               {"kind", "Etcd"},
               {"name", "etcd-main"},
               {"uid", "0e1d2c3b-0000-4000-8000-" + std::to_string(200000000000 + i / 3)},
               {"controller", true},
               {"blockOwnerDeletion", true}}}}}},
          {"spec",
           {{"holderIdentity", "8f2a3c4d5e6f7a8b:cluster-1:Leader"},
            {"leaseDurationSeconds", 40},
            {"renewTime", "2026-11-25T08:00:00.123456Z"}}}};
}

void BM_CacheMemoryPerLease(benchmark::State& state) {
  constexpr int kObjects = 10000;
  double bytes_per_object = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<druid::kube::ObjectPtr> objects;
    objects.reserve(kObjects);
    const auto before = mallinfo2().uordblks;
    for (int i = 0; i < kObjects; ++i) {
      objects.push_back(std::make_shared<const nlohmann::json>(lease(i)));
    }
    state.ResumeTiming();
    auto cache = std::make_unique<druid::kube::Cache>();
    for (auto& object : objects) cache->upsert(std::move(object));
    state.PauseTiming();
    objects.clear();
    objects.shrink_to_fit();
    const auto after = mallinfo2().uordblks;
    if (cache->size() != kObjects) state.SkipWithError("cache lost objects");
    bytes_per_object = static_cast<double>(after - before) / kObjects;
    cache.reset();
    state.ResumeTiming();
  }
  state.counters["bytes_per_object"] = bytes_per_object;
  state.counters["json_text_bytes"] = static_cast<double>(lease(0).dump().size());
  state.SetItemsProcessed(state.iterations() * kObjects);
}
BENCHMARK(BM_CacheMemoryPerLease)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
