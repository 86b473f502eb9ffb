#!/usr/bin/env bash
# Every C++ file in the repository is as `make format` (clang-format with the
# project's .clang-format) leaves it; names the files that are not.
# Usage: format_check.sh SOURCE_DIR. Exit 77 (skipped) without clang-format or
# outside a git checkout.
set -euo pipefail
cd "$1"
if ! command -v clang-format >/dev/null 2>&1; then
  echo "SKIPPED: clang-format is not installed"
  exit 77
fi
if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  echo "SKIPPED: not a git checkout, so the project's files are unknown"
  exit 77
fi
unformatted=()
while IFS= read -r -d '' file; do
  clang-format --dry-run -Werror "$file" >/dev/null 2>&1 || unformatted+=("$file")
done < <(git ls-files -z '*.cpp' '*.hpp')
if [ "${#unformatted[@]}" -gt 0 ]; then
  echo "not formatted (run 'make format'):"
  printf '  %s\n' "${unformatted[@]}"
  exit 1
fi
echo "all $(git ls-files '*.cpp' '*.hpp' | wc -l) C++ files are formatted"
