#!/usr/bin/env bash
# Copies the CRDs of config/crd (the single source) into deploy/base/crds, because
# kustomize refuses files outside a kustomization's directory. Run it after
# changing config/crd; a test fails while the copies differ.
#   deploy/sync-crds.sh           copy
#   deploy/sync-crds.sh --check   exit 1 and name the files that differ
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
src="$root/config/crd"
dst="$root/deploy/base/crds"
mode="${1:-copy}"
status=0
# The without-CEL variant is for API servers older than 1.29; the base targets newer ones.
for file in "$src"/*.yaml; do
  name="$(basename "$file")"
  case "$name" in *without_cel*) continue ;; esac
  if [ "$mode" = "--check" ]; then
    if ! cmp -s "$file" "$dst/$name"; then
      echo "deploy/base/crds/$name differs from config/crd/$name: run deploy/sync-crds.sh" >&2
      status=1
    fi
  else
    mkdir -p "$dst"
    cp "$file" "$dst/$name"
  fi
done
# A CRD removed from config/crd must leave the base too.
for file in "$dst"/*.yaml; do
  [ -e "$src/$(basename "$file")" ] && continue
  if [ "$mode" = "--check" ]; then
    echo "deploy/base/crds/$(basename "$file") has no source in config/crd" >&2
    status=1
  else
    rm -f "$file"
  fi
done
exit "$status"
