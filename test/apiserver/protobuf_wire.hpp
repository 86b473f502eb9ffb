#pragma once
// The protobuf wire format, read side only: the test API server decodes the
// protobuf bodies kubectl's typed commands send but never writes protobuf.
// Untrusted input: every read is bounds-checked and a malformed body is an
// error message, never an exception or an out-of-range read.

#include <cstdint>
#include <string>
#include <string_view>

#include "util/expected.hpp"

namespace druid::testing::protobuf {

enum class WireType : std::uint8_t {
  kVarint = 0,
  kFixed64 = 1,
  kLengthDelimited = 2,
  kStartGroup = 3,
  kEndGroup = 4,
  kFixed32 = 5,
};

// One field of a message as it is on the wire.
struct WireField {
  std::uint32_t number = 0;
  WireType type = WireType::kVarint;
  std::uint64_t value = 0;  // kVarint, kFixed32, kFixed64
  std::string_view bytes;   // kLengthDelimited: a view into the reader's input
};

class WireReader {
 public:
  explicit WireReader(std::string_view data) : data_(data) {}

  bool done() const { return pos_ >= data_.size(); }
  // Groups (deprecated, unused by Kubernetes) are refused rather than skipped.
  util::Expected<WireField, std::string> next();

 private:
  util::Expected<std::uint64_t, std::string> varint();
  util::Expected<std::uint64_t, std::string> fixed(std::size_t width);

  std::string_view data_;
  std::size_t pos_ = 0;
};

}  // namespace druid::testing::protobuf
