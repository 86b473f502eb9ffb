// kubeconfig files (kube/rest_config.hpp, as kubectl reads them): whatever the
// text, the parser answers with a configuration or an error naming the file.
// Relative file references resolve under a directory that does not exist, so
// the target reads no files of the machine's.

#include <filesystem>

#include "fuzz_support.hpp"
#include "kube/rest_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = druid::fuzz::as_text(data, size);
  const std::filesystem::path base_dir("/nonexistent/druid-fuzz");
  auto config = druid::kube::parse_kubeconfig(text, base_dir, "fuzz");
  if (!config) {
    FUZZ_CHECK(config.error().find("fuzz") != std::string::npos);
    return 0;
  }
  FUZZ_CHECK(!config->server.empty());
  // A named context resolves the same way as the current one when it is the current one.
  auto named = druid::kube::parse_kubeconfig(text, base_dir, "fuzz", "druid-fuzz-missing");
  (void)named;
  return 0;
}
