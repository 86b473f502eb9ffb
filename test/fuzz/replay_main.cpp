// The fuzz targets without libFuzzer: feeds every file of the given
// directories to LLVMFuzzerTestOneInput, so `make test` re-runs the committed
// seeds and every crash ever found (test/fuzz/regressions/<target>/) in the
// normal build. The first directory (the seed corpus) must hold files; the
// others may be absent (a target without regressions has no directory, git
// keeps none).

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s <corpus-dir> [<dir>...]\n", argv[0]);
    return 2;
  }
  std::size_t seeds = 0;
  std::size_t total = 0;
  for (int i = 1; i < argc; ++i) {
    const fs::path dir(argv[i]);
    std::vector<fs::path> files;
    std::error_code ec;
    if (fs::is_directory(dir, ec)) {
      for (const auto& entry : fs::directory_iterator(dir)) {
        if (entry.is_regular_file()) files.push_back(entry.path());
      }
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
      std::ifstream in(file, std::ios::binary);
      const std::string bytes((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
      if (!in.good() && !in.eof()) {
        std::fprintf(stderr, "cannot read %s\n", file.c_str());
        return 1;
      }
      std::fprintf(stderr, "replay %s\n", file.c_str());
      // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast)
      LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    }
    if (i == 1) seeds = files.size();
    total += files.size();
  }
  if (seeds == 0) {
    std::fprintf(stderr, "no seed files in %s\n", argv[1]);
    return 1;
  }
  std::printf("replayed %zu inputs\n", total);
  return 0;
}
