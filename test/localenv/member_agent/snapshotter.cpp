#include "localenv/member_agent/snapshotter.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>

#include "localenv/member_agent/delta_snapshot.hpp"
#include "localenv/member_agent/member_leases.hpp"
#include "localenv/member_agent/snapshot_compression.hpp"

namespace druid::localenv::backup {
namespace {

util::Time whole_seconds(util::Time t) {
  return std::chrono::floor<std::chrono::seconds>(t);
}

std::string describe(const etcd::Error& error) {
  return error.message + (error.endpoint.empty() ? "" : " (" + error.endpoint + ")");
}

// Writes `data` to `sink`, through gzip when `compress`.
bool write_content(std::string_view data, bool compress,
                   const std::function<bool(std::string_view)>& sink) {
  if (!compress) return sink(data);
  GzipWriter writer(sink);
  return writer.write(data) && writer.finish();
}

}  // namespace

Snapshotter::Snapshotter(etcd::Client& etcd, const LocalSnapstore& store, kube::Client* kube,
                         SnapshotterOptions options)
    : etcd_(etcd), store_(store), kube_(kube), options_(std::move(options)) {}

util::Expected<Snapshot, std::string> Snapshotter::take_full(bool final, util::Time now) {
  std::lock_guard lock(mutex_);
  auto status = etcd_.status();
  if (!status) return util::unexpected("etcd status: " + describe(status.error()));
  Snapshot snapshot;
  snapshot.kind = SnapshotKind::kFull;
  snapshot.start_revision = 0;
  snapshot.last_revision = status->revision;
  snapshot.created_on = whole_seconds(now);
  snapshot.compression_suffix = options_.compress ? ".gz" : "";
  snapshot.is_final = final;
  snapshot.prefix = store_.prefix();

  auto saved = store_.save(
      snapshot,
      [this](
          const std::function<bool(std::string_view)>& sink) -> util::Expected<bool, std::string> {
        std::optional<GzipWriter> gzip;
        if (options_.compress) gzip.emplace(sink);
        bool written = true;
        auto streamed = etcd_.snapshot([&](std::string_view piece) {
          written = gzip ? gzip->write(piece) : sink(piece);
          return written;
        });
        if (!streamed) return util::unexpected("etcd snapshot: " + describe(streamed.error()));
        if (!written || (gzip && !gzip->finish())) {
          return util::unexpected(std::string("writing the snapshot failed"));
        }
        return true;
      });
  if (!saved) return util::unexpected(saved.error());
  spdlog::info("took full snapshot {} (revision {})", snapshot.snap_name(), snapshot.last_revision);
  renew_lease(options_.full_snapshot_lease, snapshot.last_revision, snapshot.created_on);
  return snapshot;
}

util::Expected<std::optional<Snapshot>, std::string> Snapshotter::take_delta(util::Time now) {
  std::lock_guard lock(mutex_);
  std::int64_t previous = 0;
  for (const auto& snapshot : store_.list()) {
    previous = std::max(previous, snapshot.last_revision);
  }
  auto status = etcd_.status();
  if (!status) return util::unexpected("etcd status: " + describe(status.error()));
  if (status->revision <= previous) return std::optional<Snapshot>();
  auto events = etcd_.events(previous + 1, status->revision);
  if (!events) return util::unexpected("etcd watch: " + describe(events.error()));
  if (events->empty()) return std::optional<Snapshot>();

  Snapshot snapshot;
  snapshot.kind = SnapshotKind::kIncr;
  snapshot.start_revision = previous + 1;
  snapshot.last_revision = std::max(events->back().kv.mod_revision, previous + 1);
  snapshot.created_on = whole_seconds(now);
  snapshot.compression_suffix = options_.compress ? ".gz" : "";
  snapshot.prefix = store_.prefix();
  const std::string content = encode_delta_snapshot(*events, now);
  auto saved = store_.save(
      snapshot,
      [&](const std::function<bool(std::string_view)>& sink) -> util::Expected<bool, std::string> {
        if (!write_content(content, options_.compress, sink)) {
          return util::unexpected(std::string("writing the delta snapshot failed"));
        }
        return true;
      });
  if (!saved) return util::unexpected(saved.error());
  spdlog::info("took delta snapshot {} ({} events)", snapshot.snap_name(), events->size());
  renew_lease(options_.delta_snapshot_lease, snapshot.last_revision, now);
  return std::optional<Snapshot>(snapshot);
}

void Snapshotter::initialise_delta_lease(util::Time now) {
  std::lock_guard lock(mutex_);
  if (!store_.latest().deltas.empty()) return;
  renew_lease(options_.delta_snapshot_lease, 0, now);
}

void Snapshotter::renew_lease(const std::string& name, std::int64_t revision,
                              util::Time renew_time) {
  if (kube_ == nullptr || name.empty()) return;
  auto renewed = renew_snapshot_lease(*kube_, options_.lease_namespace, name, revision, renew_time);
  if (!renewed) {
    spdlog::warn("cannot renew snapshot lease {}/{}: {}", options_.lease_namespace, name,
                 renewed.error().what());
  }
}

}  // namespace druid::localenv::backup
