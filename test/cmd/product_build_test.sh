#!/usr/bin/env bash
# The product is only product code (docs/architecture.md, "Layers"):
#  1. a build configured with -DDRUID_BUILD_TESTS=OFF compiles nothing from test/
#     and defines DRUID_SOURCE_DIR nowhere (only tests read the source tree);
#  2. `cmake --install` of this build installs the three libraries and only
#     headers of src/util, src/api and src/kube; every header an installed header
#     includes is installed too; nothing of test/ is; and the example program
#     compiles and links against the installed tree alone.
# Usage: product_build_test.sh BUILD_DIR SOURCE_DIR [FLAG...]. Exit 77 (skipped) without cmake.
# FLAGs go to the example's compile and link: a sanitized build (DRUID_SANITIZE)
# installs instrumented libraries, which link only into an instrumented program.
set -euo pipefail

build_dir=$1
source_dir=$2
shift 2
extra_flags=("$@")
command -v cmake >/dev/null || { echo "SKIPPED: cmake is not installed"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# --- 1. a tests-off configuration ----------------------------------------------
if ! cmake -S "$source_dir" -B "$work/product" -G Ninja -DDRUID_BUILD_TESTS=OFF \
  >"$work/configure.log" 2>&1; then
  cat "$work/configure.log"
  fail "a -DDRUID_BUILD_TESTS=OFF configuration failed"
else
  commands=$work/product/compile_commands.json
  count=$(grep -c '"file":' "$commands" || true)
  [ "$count" -gt 50 ] || fail "only $count compile commands in a tests-off build"
  from_test=$(grep '"file":' "$commands" | grep -F "$source_dir/test/" || true)
  [ -z "$from_test" ] || fail "a tests-off build compiles test/ files:"$'\n'"$from_test"
  if grep -q 'DRUID_SOURCE_DIR' "$commands"; then
    fail "a tests-off build defines DRUID_SOURCE_DIR for: $(grep -B3 DRUID_SOURCE_DIR "$commands" |
      grep '"file":' | head -3)"
  fi
  echo "tests-off build: $count compile commands, none from test/"
fi

# --- 2. the install tree ----------------------------------------------------------
prefix=$work/prefix
cmake --install "$build_dir" --prefix "$prefix" >"$work/install.log" 2>&1 ||
  { cat "$work/install.log"; fail "cmake --install failed"; }
include_root=$prefix/include/etcd-druid
for lib in druid_util druid_api druid_kube; do
  [ -f "$prefix/lib/lib$lib.a" ] || fail "lib$lib.a is not installed"
done
folders=$(cd "$include_root" && find . -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort |
  tr '\n' ' ')
[ "$folders" = "api kube util " ] || fail "installed header folders are '$folders', want 'api kube util '"
for test_only in jsonpath.hpp strategic_merge.hpp json_patch.hpp live_server.hpp; do
  found=$(find "$include_root" -name "$test_only")
  [ -z "$found" ] || fail "test-only header installed: $found"
done
headers=$(find "$include_root" -name '*.hpp' | wc -l)
missing=0
while IFS= read -r header; do
  while IFS= read -r included; do
    if [ ! -f "$include_root/$included" ]; then
      fail "${header#"$include_root"/} includes \"$included\", which is not installed"
      missing=$((missing + 1))
    fi
  done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$header")
done < <(find "$include_root" -name '*.hpp')
echo "installed: $headers headers, $missing unresolved includes"

# A library user's program: the example, compiled against the install tree only.
if command -v g++ >/dev/null; then
  if ! g++ -std=c++20 -O0 "${extra_flags[@]}" -I"$include_root" \
    "$source_dir/examples/create-etcd/main.cpp" \
    -L"$prefix/lib" -ldruid_kube -ldruid_api -ldruid_util \
    $(pkg-config --libs libcurl openssl yaml-cpp fmt spdlog) -pthread \
    -o "$work/create-etcd" >"$work/compile.log" 2>&1; then
    head -30 "$work/compile.log"
    fail "examples/create-etcd does not build against the installed headers and libraries"
  else
    "$work/create-etcd" --help >/dev/null || fail "the installed-tree create-etcd does not run"
    echo "examples/create-etcd builds and runs against the install tree"
  fi
fi

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "PASS"
