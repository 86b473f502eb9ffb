#include "kube/object_packer.hpp"

#include <zlib.h>

#include <algorithm>
#include <cstddef>
#include <limits>

namespace druid::kube {
namespace {

using nlohmann::json;

// Raw deflate (no zlib header or checksum: the bytes never leave the
// process), level 1: the dictionary does the work, and packing stays cheap
// for the informer thread. A 16 KiB window still reaches back over a whole
// dictionary object to the start of the one being packed (a StatefulSet is
// 3-5 KB of MessagePack), and with memLevel 6 each cache's stream takes
// ~96 KB instead of zlib's default ~256 KB (window, chain and hash tables and
// the pending buffer; zlib.h's deflateInit2): 2 MB less for the operator's
// dozen informers (docs/benchmarks.md, "Index entries, deflate streams and
// freed heap").
constexpr int kWindowBits = -14;
constexpr int kLevel = 1;
constexpr int kMemLevel = 6;

// Packed bytes start with the MessagePack length as a little-endian base-128
// varint, so unpack() sizes its buffer once.
void put_varint(std::vector<std::uint8_t>& out, std::size_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<std::uint8_t>(value | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<std::uint8_t>(value));
}

std::optional<std::size_t> take_varint(std::span<const std::uint8_t>& in) {
  std::size_t value = 0;
  for (int shift = 0; shift < 64 && !in.empty(); shift += 7) {
    const std::uint8_t byte = in.front();
    in = in.subspan(1);
    value |= static_cast<std::size_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return value;
  }
  return std::nullopt;
}

// zlib's interface takes non-const pointers to input it only reads.
Bytef* input(const std::uint8_t* data) {
  return const_cast<Bytef*>(data);  // NOLINT(cppcoreguidelines-pro-type-const-cast)
}

class Inflater {
 public:
  Inflater() { ok_ = inflateInit2(&stream_, kWindowBits) == Z_OK; }
  ~Inflater() {
    if (ok_) inflateEnd(&stream_);
  }
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;

  bool inflate_into(std::span<const std::uint8_t> dictionary, std::span<const std::uint8_t> in,
                    std::vector<std::uint8_t>& out) {
    if (!ok_) return false;
    if (!dictionary.empty() && inflateSetDictionary(&stream_, input(dictionary.data()),
                                                    static_cast<uInt>(dictionary.size())) != Z_OK) {
      return false;
    }
    stream_.next_in = input(in.data());
    stream_.avail_in = static_cast<uInt>(in.size());
    stream_.next_out = out.data();
    stream_.avail_out = static_cast<uInt>(out.size());
    return inflate(&stream_, Z_FINISH) == Z_STREAM_END && stream_.avail_out == 0;
  }

 private:
  z_stream stream_{};
  bool ok_ = false;
};

}  // namespace

struct ObjectPacker::Deflater {
  Deflater() {
    ok = deflateInit2(&stream, kLevel, Z_DEFLATED, kWindowBits, kMemLevel, Z_DEFAULT_STRATEGY) ==
         Z_OK;
  }
  ~Deflater() {
    if (ok) deflateEnd(&stream);
  }
  Deflater(const Deflater&) = delete;
  Deflater& operator=(const Deflater&) = delete;

  z_stream stream{};
  bool ok = false;
};

ObjectPacker::ObjectPacker() = default;
ObjectPacker::~ObjectPacker() = default;

std::vector<std::uint8_t> ObjectPacker::pack(const json& object) {
  const std::vector<std::uint8_t> msgpack = json::to_msgpack(object);
  // zlib reads only the last window's worth of a preset dictionary, so that
  // is all that is kept; and a cache that is never written allocates no stream.
  if (dictionary_.empty()) {
    const std::size_t kept = std::min<std::size_t>(msgpack.size(), std::size_t{1} << -kWindowBits);
    dictionary_.assign(msgpack.end() - static_cast<std::ptrdiff_t>(kept), msgpack.end());
  }
  if (!deflater_) deflater_ = std::make_unique<Deflater>();
  std::vector<std::uint8_t> out;
  put_varint(out, msgpack.size());
  const std::size_t header = out.size();
  z_stream& stream = deflater_->stream;
  const bool ready = deflater_->ok && msgpack.size() <= std::numeric_limits<uInt>::max() &&
                     deflateReset(&stream) == Z_OK &&
                     deflateSetDictionary(&stream, input(dictionary_.data()),
                                          static_cast<uInt>(dictionary_.size())) == Z_OK;
  if (ready) {
    out.resize(header + deflateBound(&stream, static_cast<uLong>(msgpack.size())));
    stream.next_in = input(msgpack.data());
    stream.avail_in = static_cast<uInt>(msgpack.size());
    stream.next_out = out.data() + header;
    stream.avail_out = static_cast<uInt>(out.size() - header);
    if (deflate(&stream, Z_FINISH) == Z_STREAM_END) {
      out.resize(header + stream.total_out);
      out.shrink_to_fit();
      return out;
    }
  }
  // Deflate cannot fail on valid input with a bound-sized buffer; should it,
  // the object is kept as plain MessagePack behind a zero length.
  out.assign(1, 0);
  out.insert(out.end(), msgpack.begin(), msgpack.end());
  return out;
}

std::optional<json> ObjectPacker::unpack(std::span<const std::uint8_t> packed) const {
  const auto size = take_varint(packed);
  if (!size) return std::nullopt;
  json object;
  if (*size == 0) {
    object = json::from_msgpack(packed, true, false);
  } else {
    std::vector<std::uint8_t> msgpack(*size);
    Inflater inflater;
    if (!inflater.inflate_into(dictionary_, packed, msgpack)) return std::nullopt;
    object = json::from_msgpack(msgpack, true, false);
  }
  if (object.is_discarded()) return std::nullopt;
  return object;
}

}  // namespace druid::kube
