#pragma once
// The Local snapshot store: one directory `<root>/<container>/<store-prefix>/v2/`
// holding snapshot files by their snap names (test/localenv/README.md). druid mounts
// the Local provider's hostPath at /home/nonroot/<container>, the sidecar's
// working directory, which is why <root> defaults to /home/nonroot.

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "localenv/member_agent/snapshot.hpp"
#include "util/expected.hpp"

namespace druid::localenv::backup {

class LocalSnapstore {
 public:
  LocalSnapstore(const std::filesystem::path& root, const std::string& container,
                 const std::string& store_prefix);

  const std::filesystem::path& dir() const { return dir_; }
  const std::string& prefix() const { return prefix_; }  // "<store-prefix>/v2"

  // Every snapshot in the store, in upstream's order.
  std::vector<Snapshot> list() const;

  struct Latest {
    std::optional<Snapshot> full;
    std::vector<Snapshot> deltas;  // after `full` (all deltas when there is no full)
  };
  Latest latest() const;

  // Writes a snapshot: `produce` gets a sink for the stored bytes (already
  // compressed by the caller as the name says); the file appears atomically.
  using Producer = std::function<util::Expected<bool, std::string>(
      const std::function<bool(std::string_view)>& sink)>;
  util::Expected<bool, std::string> save(const Snapshot& snapshot, const Producer& produce) const;

  std::filesystem::path path_of(const Snapshot& snapshot) const {
    return dir_ / snapshot.snap_name();
  }
  // The snapshot's bytes, decompressed.
  util::Expected<std::string, std::string> read(const Snapshot& snapshot) const;

 private:
  std::filesystem::path dir_;
  std::string prefix_;
};

}  // namespace druid::localenv::backup
