#pragma once
// One snapshot in the store, named and described as etcd-backup-restore does
// (test/localenv/README.md): `<Kind>-<startRev %08d>-<lastRev %08d>-<unix><suffix>[.final]`
// under `<store-prefix>/v2/`, and its JSON form (the answer of /snapshot/*).

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/time.hpp"

namespace druid::localenv::backup {

enum class SnapshotKind { kFull, kIncr };

struct Snapshot {
  SnapshotKind kind = SnapshotKind::kFull;
  std::int64_t start_revision = 0;
  std::int64_t last_revision = 0;
  util::Time created_on{};         // whole seconds (the name holds unix seconds)
  std::string compression_suffix;  // "", ".gz", ".Z" or ".zlib"
  bool is_final = false;
  std::string prefix;  // "<store-prefix>/v2"

  std::string snap_name() const;
  // Fields and spelling of upstream's brtypes.Snapshot, "immutabilityExpriyTime" included.
  nlohmann::json to_json() const;
  friend bool operator==(const Snapshot&, const Snapshot&) = default;
};

// The compression suffix of --compression-policy (gzip → ".gz", lzw → ".Z",
// zlib → ".zlib"); "" when compression is off.
std::string compression_suffix(bool compress, std::string_view policy);

// A snapshot file name back to its fields; nullopt for names that are not
// snapshots (temporary files, chunks, other objects).
std::optional<Snapshot> parse_snap_name(std::string_view name, std::string_view prefix);

// Upstream's order: by last revision, then creation time.
void sort_snapshots(std::vector<Snapshot>& snapshots);

}  // namespace druid::localenv::backup
