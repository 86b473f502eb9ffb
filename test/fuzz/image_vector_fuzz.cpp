// Image vector files (api/image_vector.hpp: IMAGEVECTOR_OVERWRITE). A vector
// that parses merges over the embedded one, and every name it defines is then
// found (the overwrite's entries are never lost by the merge).

#include "api/image_vector.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto parsed = druid::api::parse_image_vector(druid::fuzz::as_text(data, size), "fuzz");
  if (!parsed) {
    FUZZ_CHECK(!parsed.error().empty());
    return 0;
  }
  const auto merged = druid::api::merge_image_vectors(druid::api::embedded_image_vector(), *parsed);
  for (const auto& source : parsed->images) {
    for (const char* arch : {"amd64", "arm64"}) {
      if (druid::api::find_image(*parsed, source.name, arch)) {
        FUZZ_CHECK(druid::api::find_image(merged, source.name, arch).has_value());
      }
    }
  }
  return 0;
}
