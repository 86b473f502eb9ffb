#pragma once
// gzip for snapshot files (--compress-snapshots with policy gzip, suffix .gz).
// zlib is not linked into the member agent's targets, but cpp-httplib's
// Debian build is, with its gzip (de)compressor built on zlib: we use that
// (httplib::detail; pinned by the round-trip and gunzip tests).

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "util/expected.hpp"

namespace druid::localenv::backup {

// Streams data through gzip; every compressed piece goes to `sink`.
class GzipWriter {
 public:
  using Sink = std::function<bool(std::string_view)>;
  explicit GzipWriter(Sink sink);
  ~GzipWriter();
  GzipWriter(const GzipWriter&) = delete;
  GzipWriter& operator=(const GzipWriter&) = delete;

  bool write(std::string_view data);
  // Flushes the trailer; no write after it.
  bool finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::string gzip(std::string_view data);
util::Expected<std::string, std::string> gunzip(std::string_view data);

}  // namespace druid::localenv::backup
