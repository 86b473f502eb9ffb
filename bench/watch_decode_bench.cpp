// Watch-event decode throughput of the client: a stream of Lease events, cut
// into network-sized chunks, through WatchStreamDecoder (framing + JSON parse).
// Reported as events/s (items_per_second) and bytes/s.

#include <benchmark/benchmark.h>

#include <string>

#include "kube/client.hpp"

namespace {

std::string lease_event(int i) {
  nlohmann::json lease = {{"apiVersion", "coordination.k8s.io/v1"},
                          {"kind", "Lease"},
                          {"metadata",
                           {{"name", "etcd-main-" + std::to_string(i % 3)},
                            {"namespace", "shoot--project--cluster-" + std::to_string(i % 100)},
                            {"uid", "5f8b1c2e-0000-4000-8000-" + std::to_string(100000000000 + i)},
                            {"resourceVersion", std::to_string(1000000 + i)},
                            {"labels",
                             {{"app.kubernetes.io/component", "etcd-member-lease"},
                              {"app.kubernetes.io/managed-by", "etcd-druid"},
                              {"app.kubernetes.io/part-of", "etcd-main"}}}}},
                          {"spec",
                           {{"holderIdentity", "8f2a3c4d5e6f7a8b:cluster-1:Leader"},
                            {"leaseDurationSeconds", 40},
                            {"renewTime", "2026-11-25T08:00:00.123456Z"}}}};
  return nlohmann::json{{"type", "MODIFIED"}, {"object", lease}}.dump() + "\n";
}

void BM_WatchDecodeLeaseEvents(benchmark::State& state) {
  constexpr int kEvents = 2000;
  const auto chunk_size = static_cast<std::size_t>(state.range(0));
  std::string stream;
  for (int i = 0; i < kEvents; ++i) stream += lease_event(i);

  for (auto _ : state) {
    druid::kube::WatchStreamDecoder decoder;
    std::size_t decoded = 0;
    for (std::size_t pos = 0; pos < stream.size(); pos += chunk_size) {
      decoder.feed(std::string_view(stream).substr(pos, chunk_size), [&](auto&& d) {
        decoded += d.event.has_value() ? 1 : 0;
        return true;
      });
    }
    if (decoded != kEvents) state.SkipWithError("lost events");
    benchmark::DoNotOptimize(decoded);
  }
  state.SetItemsProcessed(state.iterations() * kEvents);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(stream.size()));
}
BENCHMARK(BM_WatchDecodeLeaseEvents)->Arg(1400)->Arg(16384)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
