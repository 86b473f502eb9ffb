// Watch response bodies (kube/client.hpp's WatchStreamDecoder: the framing of
// the JSON objects of a watch, however the HTTP chunks cut them). The frames
// decoded must not depend on where the chunks end: the whole body at once and
// the body cut at the positions the first bytes choose decode the same.

#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "kube/client.hpp"

namespace {

std::vector<std::string> decode(std::string_view body, std::size_t chunk_len) {
  druid::kube::WatchStreamDecoder decoder;
  std::vector<std::string> frames;
  auto sink = [&](druid::kube::WatchStreamDecoder::Decoded&& d) {
    if (d.event) frames.push_back(d.event->type + " " + d.event->object.dump());
    if (d.error)
      frames.push_back("error " + std::to_string(d.error->http_code) + " " + d.error->message);
    return true;
  };
  for (std::size_t i = 0; i < body.size(); i += chunk_len) {
    FUZZ_CHECK(decoder.feed(body.substr(i, chunk_len), sink));
  }
  FUZZ_CHECK(decoder.pending() <= body.size());
  return frames;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t chunk_len = 1 + data[0] % 16;
  const auto body = druid::fuzz::as_text(data + 1, size - 1);
  FUZZ_CHECK(decode(body, body.size() + 1) == decode(body, chunk_len));
  return 0;
}
