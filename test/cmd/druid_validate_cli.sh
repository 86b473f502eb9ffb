#!/usr/bin/env bash
# Drives druid-validate as a user would: exit codes and output text.
set -u
bin=$1
root=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# Every bundled example is valid.
out=$("$bin" "$root"/examples/*.yaml) || fail "examples rejected: $out"
for f in "$root"/examples/*.yaml; do
  grep -q "^$f: .* is valid$" <<<"$out" || fail "no verdict for $f: $out"
done

# An invalid Etcd: exit 1 and the field error as kubectl would print it.
cat >"$tmp/bad.yaml" <<'YAML'
apiVersion: druid.gardener.cloud/v1alpha1
kind: Etcd
metadata:
  name: etcd-bad
spec:
  replicas: 1
  labels: {app: etcd}
  etcd:
    metrics: everything
  backup: {}
YAML
out=$("$bin" "$tmp/bad.yaml"); rc=$?
[ $rc -eq 1 ] || fail "invalid Etcd: exit $rc, want 1"
grep -qF 'The Etcd "etcd-bad" is invalid: ' <<<"$out" || fail "unexpected output: $out"
grep -qxF '* spec.etcd.metrics: Unsupported value: "everything": supported values: "basic", "extensive"' <<<"$out" \
  || fail "unexpected output: $out"

# Update rule: scaling 3 -> 1 is refused against the old object.
cat >"$tmp/old.yaml" <<'YAML'
apiVersion: druid.gardener.cloud/v1alpha1
kind: Etcd
metadata: {name: etcd-bad}
spec: {replicas: 3, labels: {app: etcd}, etcd: {}, backup: {}}
YAML
sed 's/everything/basic/' "$tmp/bad.yaml" >"$tmp/new.yaml"
out=$("$bin" --old "$tmp/old.yaml" "$tmp/new.yaml"); rc=$?
[ $rc -eq 1 ] || fail "downscale: exit $rc, want 1: $out"
grep -qF 'spec.replicas: Invalid value: "integer": Replicas can either be increased or be downscaled to 0.' <<<"$out" \
  || fail "unexpected downscale output: $out"

# Unparsable YAML: exit 2 with the line.
printf 'kind: Etcd\nspec: [oops\n' >"$tmp/broken.yaml"
out=$("$bin" "$tmp/broken.yaml" 2>&1); rc=$?
[ $rc -eq 2 ] || fail "broken yaml: exit $rc, want 2"
grep -q "yaml: line" <<<"$out" || fail "no line in: $out"
echo "druid-validate CLI: ok"
