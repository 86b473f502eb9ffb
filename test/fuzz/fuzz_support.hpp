#pragma once
// Shared by the fuzz targets of test/fuzz (README.md, "Tests"): one file per
// parser defines LLVMFuzzerTestOneInput, which libFuzzer drives in `make fuzz`
// and replay_main.cpp feeds the committed corpus to in `make test`.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <utility>

namespace druid::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data),
          size};  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
}

// Targets that take two inputs (a target and a patch, an old and a new object)
// read them from one buffer split at its first NUL byte: seeds stay readable
// files and libFuzzer's mutations reach both halves.
inline std::pair<std::string_view, std::string_view> split_at_nul(std::string_view text) {
  const auto nul = text.find('\0');
  if (nul == std::string_view::npos) return {text, {}};
  return {text.substr(0, nul), text.substr(nul + 1)};
}

// A broken invariant: abort, which libFuzzer reports as a crash (with the input
// saved) and which fails the replay test.
[[noreturn]] inline void invariant_failed(const char* what, const char* file, int line) {
  std::fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", file, line, what);
  std::abort();
}

}  // namespace druid::fuzz

// Not assert(): the invariants must hold in release builds too.
#define FUZZ_CHECK(cond) \
  ((cond) ? static_cast<void>(0) : ::druid::fuzz::invariant_failed(#cond, __FILE__, __LINE__))
