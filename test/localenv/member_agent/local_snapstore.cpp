#include "localenv/member_agent/local_snapstore.hpp"

#include <fstream>
#include <sstream>

#include "localenv/member_agent/snapshot_compression.hpp"

namespace druid::localenv::backup {

LocalSnapstore::LocalSnapstore(const std::filesystem::path& root, const std::string& container,
                               const std::string& store_prefix)
    : dir_(root / container / store_prefix / "v2"), prefix_(store_prefix + "/v2") {}

std::vector<Snapshot> LocalSnapstore::list() const {
  std::vector<Snapshot> snapshots;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    if (auto snapshot = parse_snap_name(it->path().filename().string(), prefix_)) {
      snapshots.push_back(std::move(*snapshot));
    }
  }
  sort_snapshots(snapshots);
  return snapshots;
}

LocalSnapstore::Latest LocalSnapstore::latest() const {
  const auto snapshots = list();
  Latest latest;
  for (const auto& snapshot : snapshots) {
    if (snapshot.kind == SnapshotKind::kFull) latest.full = snapshot;
  }
  for (const auto& snapshot : snapshots) {
    if (snapshot.kind != SnapshotKind::kIncr) continue;
    if (!latest.full || snapshot.start_revision > latest.full->last_revision) {
      latest.deltas.push_back(snapshot);
    }
  }
  return latest;
}

util::Expected<bool, std::string> LocalSnapstore::save(const Snapshot& snapshot,
                                                       const Producer& produce) const {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec)
    return util::unexpected("cannot create store directory " + dir_.string() + ": " + ec.message());
  const auto final_path = path_of(snapshot);
  const auto temp_path = dir_ / (".tmp-" + snapshot.snap_name());
  {
    std::ofstream out(temp_path, std::ios::binary | std::ios::trunc);
    if (!out) return util::unexpected("cannot write " + temp_path.string());
    auto produced = produce([&out](std::string_view piece) {
      out.write(piece.data(), static_cast<std::streamsize>(piece.size()));
      return static_cast<bool>(out);
    });
    out.flush();
    if (!produced || !out) {
      out.close();
      std::filesystem::remove(temp_path, ec);
      return util::unexpected(produced ? "cannot write " + temp_path.string() : produced.error());
    }
  }
  std::filesystem::rename(temp_path, final_path, ec);
  if (ec) return util::unexpected("cannot rename to " + final_path.string() + ": " + ec.message());
  return true;
}

util::Expected<std::string, std::string> LocalSnapstore::read(const Snapshot& snapshot) const {
  std::ifstream in(path_of(snapshot), std::ios::binary);
  if (!in) return util::unexpected("cannot read " + path_of(snapshot).string());
  std::ostringstream content;
  content << in.rdbuf();
  if (snapshot.compression_suffix.empty()) return content.str();
  if (snapshot.compression_suffix != ".gz") {
    return util::unexpected("unsupported compression " + snapshot.compression_suffix + " of " +
                            snapshot.snap_name());
  }
  auto plain = gunzip(content.str());
  if (!plain) return util::unexpected(snapshot.snap_name() + ": " + plain.error());
  return plain;
}

}  // namespace druid::localenv::backup
