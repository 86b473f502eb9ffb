#include "apiserver/protobuf_wire.hpp"

#include <fmt/format.h>

namespace druid::testing::protobuf {

namespace {

constexpr std::uint64_t kMaxFieldNumber = (1u << 29) - 1;

}  // namespace

util::Expected<std::uint64_t, std::string> WireReader::varint() {
  std::uint64_t result = 0;
  for (int i = 0; i < 10; ++i) {
    if (pos_ >= data_.size()) return util::unexpected(std::string("truncated varint"));
    const auto byte = static_cast<std::uint8_t>(data_[pos_++]);
    // The tenth byte holds bit 63 only; anything more does not fit 64 bits.
    if (i == 9 && byte > 1) return util::unexpected(std::string("varint overflows 64 bits"));
    result |= static_cast<std::uint64_t>(byte & 0x7f) << (7 * i);
    if ((byte & 0x80) == 0) return result;
  }
  return util::unexpected(std::string("varint overflows 64 bits"));
}

util::Expected<std::uint64_t, std::string> WireReader::fixed(std::size_t width) {
  if (data_.size() - pos_ < width) {
    return util::unexpected(fmt::format("truncated {}-bit fixed value", width * 8));
  }
  std::uint64_t result = 0;
  for (std::size_t i = 0; i < width; ++i) {
    result |= static_cast<std::uint64_t>(static_cast<std::uint8_t>(data_[pos_ + i])) << (8 * i);
  }
  pos_ += width;
  return result;
}

util::Expected<WireField, std::string> WireReader::next() {
  auto tag = varint();
  if (!tag) return util::unexpected(tag.error() + " in a field tag");
  WireField field;
  const std::uint64_t number = *tag >> 3;
  if (number == 0 || number > kMaxFieldNumber) {
    return util::unexpected(fmt::format("invalid field number {}", number));
  }
  field.number = static_cast<std::uint32_t>(number);
  const auto type = static_cast<std::uint8_t>(*tag & 7);
  switch (type) {
    case 0: {
      auto v = varint();
      if (!v) return util::unexpected(fmt::format("field {}: {}", number, v.error()));
      field.type = WireType::kVarint;
      field.value = *v;
      return field;
    }
    case 1:
    case 5: {
      auto v = fixed(type == 1 ? 8 : 4);
      if (!v) return util::unexpected(fmt::format("field {}: {}", number, v.error()));
      field.type = type == 1 ? WireType::kFixed64 : WireType::kFixed32;
      field.value = *v;
      return field;
    }
    case 2: {
      auto length = varint();
      if (!length) {
        return util::unexpected(fmt::format("field {}: {} in a length", number, length.error()));
      }
      const std::size_t remaining = data_.size() - pos_;
      if (*length > remaining) {
        return util::unexpected(fmt::format("field {}: length {} exceeds the remaining {} bytes",
                                            number, *length, remaining));
      }
      field.type = WireType::kLengthDelimited;
      field.bytes = data_.substr(pos_, static_cast<std::size_t>(*length));
      pos_ += static_cast<std::size_t>(*length);
      return field;
    }
    case 3:
    case 4:
      return util::unexpected(fmt::format("field {}: groups are not supported", number));
    default:
      return util::unexpected(fmt::format("field {}: invalid wire type {}", number, type));
  }
}

}  // namespace druid::testing::protobuf
