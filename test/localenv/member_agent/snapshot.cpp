#include "localenv/member_agent/snapshot.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace druid::localenv::backup {
namespace {

std::optional<std::int64_t> parse_int(std::string_view text) {
  std::int64_t value = 0;
  if (text.empty()) return std::nullopt;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

}  // namespace

std::string Snapshot::snap_name() const {
  const auto unix_seconds =
      std::chrono::duration_cast<std::chrono::seconds>(created_on.time_since_epoch()).count();
  return fmt::format("{}-{:08d}-{:08d}-{}{}{}", kind == SnapshotKind::kFull ? "Full" : "Incr",
                     start_revision, last_revision, unix_seconds, compression_suffix,
                     is_final ? ".final" : "");
}

nlohmann::json Snapshot::to_json() const {
  return {
      {"kind", kind == SnapshotKind::kFull ? "Full" : "Incr"},
      {"startRevision", start_revision},
      {"lastRevision", last_revision},
      {"createdOn", util::format_rfc3339(created_on)},
      {"snapDir", ""},
      {"snapName", snap_name()},
      {"isChunk", false},
      {"prefix", prefix},
      {"compressionSuffix", compression_suffix},
      {"isFinal", is_final},
      // Go's zero time.Time: the Local store has no object lock.
      {"immutabilityExpriyTime", "0001-01-01T00:00:00Z"},
      // Only versioned cloud stores set it.
      {"versionID", nullptr},
  };
}

std::string compression_suffix(bool compress, std::string_view policy) {
  if (!compress) return "";
  if (policy == "lzw") return ".Z";
  if (policy == "zlib") return ".zlib";
  return ".gz";
}

std::optional<Snapshot> parse_snap_name(std::string_view name, std::string_view prefix) {
  Snapshot snapshot;
  snapshot.prefix = std::string(prefix);
  if (name.ends_with(".final")) {
    snapshot.is_final = true;
    name.remove_suffix(6);
  }
  for (const char* suffix : {".gz", ".Z", ".zlib"}) {
    if (name.ends_with(suffix)) {
      snapshot.compression_suffix = suffix;
      name.remove_suffix(std::string_view(suffix).size());
      break;
    }
  }
  if (name.starts_with("Full-")) {
    snapshot.kind = SnapshotKind::kFull;
  } else if (name.starts_with("Incr-")) {
    snapshot.kind = SnapshotKind::kIncr;
  } else {
    return std::nullopt;
  }
  name.remove_prefix(5);
  std::vector<std::string_view> parts;
  while (true) {
    const auto dash = name.find('-');
    parts.push_back(name.substr(0, dash));
    if (dash == std::string_view::npos) break;
    name.remove_prefix(dash + 1);
  }
  if (parts.size() != 3) return std::nullopt;
  const auto start = parse_int(parts[0]);
  const auto last = parse_int(parts[1]);
  const auto created = parse_int(parts[2]);
  if (!start || !last || !created) return std::nullopt;
  snapshot.start_revision = *start;
  snapshot.last_revision = *last;
  snapshot.created_on = util::Time(std::chrono::seconds(*created));
  return snapshot;
}

void sort_snapshots(std::vector<Snapshot>& snapshots) {
  std::stable_sort(snapshots.begin(), snapshots.end(), [](const Snapshot& a, const Snapshot& b) {
    if (a.last_revision != b.last_revision) return a.last_revision < b.last_revision;
    return a.created_on < b.created_on;
  });
}

}  // namespace druid::localenv::backup
