#include "localenv/member_agent/snapshot_compression.hpp"

#include <httplib.h>

namespace druid::localenv::backup {

struct GzipWriter::Impl {
  httplib::detail::gzip_compressor compressor;
  Sink sink;
};

GzipWriter::GzipWriter(Sink sink) : impl_(std::make_unique<Impl>()) {
  impl_->sink = std::move(sink);
}
GzipWriter::~GzipWriter() = default;

bool GzipWriter::write(std::string_view data) {
  return impl_->compressor.compress(data.data(), data.size(), false,
                                    [this](const char* out, std::size_t size) {
                                      return impl_->sink(std::string_view(out, size));
                                    });
}

bool GzipWriter::finish() {
  return impl_->compressor.compress("", 0, true, [this](const char* out, std::size_t size) {
    return impl_->sink(std::string_view(out, size));
  });
}

std::string gzip(std::string_view data) {
  std::string out;
  GzipWriter writer([&out](std::string_view piece) {
    out.append(piece);
    return true;
  });
  writer.write(data);
  writer.finish();
  return out;
}

util::Expected<std::string, std::string> gunzip(std::string_view data) {
  httplib::detail::gzip_decompressor decompressor;
  if (!decompressor.is_valid())
    return util::unexpected(std::string("gzip decompressor unavailable"));
  std::string out;
  const bool ok = decompressor.decompress(data.data(), data.size(),
                                          [&out](const char* piece, std::size_t size) {
                                            out.append(piece, size);
                                            return true;
                                          });
  if (!ok) return util::unexpected(std::string("not valid gzip data"));
  return out;
}

}  // namespace druid::localenv::backup
