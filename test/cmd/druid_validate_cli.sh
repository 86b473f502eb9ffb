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

# A valid Etcd the cases below change.
cat >"$tmp/etcd.yaml" <<'YAML'
apiVersion: druid.gardener.cloud/v1alpha1
kind: Etcd
metadata:
  name: etcd-main
  labels: {any-label: x}
spec:
  replicas: 3
  labels: {app: etcd, any-key: any-value}
  annotations: {example.com/note: free-form}
  etcd:
    quota: 8Gi
    resources:
      requests: {cpu: 50m, example.com/gpu: "1"}
  backup: {}
YAML
out=$("$bin" "$tmp/etcd.yaml") || fail "free-form maps reported: $out"
grep -qxF "$tmp/etcd.yaml: Etcd \"etcd-main\" is valid" <<<"$out" || fail "unexpected output: $out"

strict() { echo "$1: $2 \"$3\": $2 in version \"v1alpha1\" cannot be handled as a $2: strict decoding error: $4"; }

# A nested unknown field: the server's strict decoding error, naming file, object and field.
sed 's/quota:/qouta:/' "$tmp/etcd.yaml" >"$tmp/nested.yaml"
out=$("$bin" "$tmp/nested.yaml"); rc=$?
[ $rc -eq 1 ] || fail "nested unknown field: exit $rc, want 1: $out"
[ "$out" = "$(strict "$tmp/nested.yaml" Etcd etcd-main 'unknown field "spec.etcd.qouta"')" ] \
  || fail "unexpected nested output: $out"

# A top-level unknown field of spec, and one at the root.
sed 's/replicas:/replica:/' "$tmp/etcd.yaml" >"$tmp/top.yaml"
out=$("$bin" "$tmp/top.yaml"); rc=$?
[ $rc -eq 1 ] || fail "top-level unknown field: exit $rc, want 1: $out"
[ "$out" = "$(strict "$tmp/top.yaml" Etcd etcd-main 'unknown field "spec.replica"')" ] \
  || fail "unexpected top-level output: $out"
{ cat "$tmp/etcd.yaml"; echo "specs: {}"; } >"$tmp/root.yaml"
out=$("$bin" "$tmp/root.yaml"); rc=$?
[ $rc -eq 1 ] || fail "root unknown field: exit $rc, want 1: $out"
grep -qF 'strict decoding error: unknown field "specs"' <<<"$out" || fail "unexpected root output: $out"

# Several unknown fields: listed comma-separated in the server's (sorted) order.
sed -e 's/quota:/qouta:/' -e 's/replicas:/replica:/' "$tmp/etcd.yaml" >"$tmp/several.yaml"
out=$("$bin" "$tmp/several.yaml"); rc=$?
[ $rc -eq 1 ] || fail "several unknown fields: exit $rc, want 1: $out"
[ "$out" = "$(strict "$tmp/several.yaml" Etcd etcd-main \
  'unknown field "spec.etcd.qouta", unknown field "spec.replica"')" ] \
  || fail "unexpected output for several: $out"

# The tasks are checked against their own CRDs.
sed 's/maxBackups:/maxBackup:/' "$root/examples/etcdcopybackupstask.yaml" >"$tmp/copy.yaml"
sed 's/isFinal:/final:/' "$root/examples/etcdopstask.yaml" >"$tmp/ops.yaml"
out=$("$bin" "$tmp/copy.yaml" "$tmp/ops.yaml"); rc=$?
[ $rc -eq 1 ] || fail "task unknown fields: exit $rc, want 1: $out"
grep -qxF "$(strict "$tmp/copy.yaml" EtcdCopyBackupsTask etcd-main-copy-backups 'unknown field "spec.maxBackup"')" <<<"$out" \
  || fail "unexpected copy task output: $out"
grep -qxF "$(strict "$tmp/ops.yaml" EtcdOpsTask etcd-main-full-snapshot 'unknown field "spec.config.onDemandSnapshot.final"')" <<<"$out" \
  || fail "unexpected ops task output: $out"

# A druid kind in a version no CRD serves.
sed 's#/v1alpha1#/v1beta1#' "$tmp/etcd.yaml" >"$tmp/version.yaml"
out=$("$bin" "$tmp/version.yaml"); rc=$?
[ $rc -eq 1 ] || fail "unserved version: exit $rc, want 1: $out"
grep -qxF "$tmp/version.yaml: Etcd \"etcd-main\": no matches for kind \"Etcd\" in version \"druid.gardener.cloud/v1beta1\"" <<<"$out" \
  || fail "unexpected unserved-version output: $out"

# Standard input as -, named as kubectl names it.
out=$("$bin" - <"$tmp/etcd.yaml") || fail "stdin rejected: $out"
grep -qxF 'STDIN: Etcd "etcd-main" is valid' <<<"$out" || fail "unexpected stdin output: $out"
out=$("$bin" - <"$tmp/nested.yaml"); rc=$?
[ $rc -eq 1 ] || fail "stdin invalid: exit $rc, want 1"
grep -qF 'STDIN: Etcd "etcd-main": Etcd in version' <<<"$out" || fail "unexpected stdin output: $out"

# A directory: its *.yaml, *.yml and *.json files in name order, subdirectories only with -R.
mkdir -p "$tmp/dir/sub"
sed 's/etcd-main/etcd-b/' "$tmp/etcd.yaml" >"$tmp/dir/b.yml"
sed 's/etcd-main/etcd-a/' "$tmp/etcd.yaml" >"$tmp/dir/a.yaml"
cat >"$tmp/dir/c.json" <<'JSON'
{"apiVersion": "druid.gardener.cloud/v1alpha1", "kind": "Etcd",
 "metadata": {"name": "etcd-c"},
 "spec": {"replicas": 1, "labels": {"app": "etcd"}, "etcd": {}, "backup": {}}}
JSON
echo "not a manifest" >"$tmp/dir/notes.txt"
sed 's/quota:/qouta:/' "$tmp/dir/a.yaml" >"$tmp/dir/sub/d.yaml"
out=$("$bin" "$tmp/dir") || fail "directory rejected: $out"
want="$tmp/dir/a.yaml: Etcd \"etcd-a\" is valid
$tmp/dir/b.yml: Etcd \"etcd-b\" is valid
$tmp/dir/c.json: Etcd \"etcd-c\" is valid"
[ "$out" = "$want" ] || fail "unexpected directory output: $out"
out=$("$bin" -R "$tmp/dir"); rc=$?
[ $rc -eq 1 ] || fail "recursive directory: exit $rc, want 1: $out"
grep -qxF "$(strict "$tmp/dir/sub/d.yaml" Etcd etcd-a 'unknown field "spec.etcd.qouta"')" <<<"$out" \
  || fail "unexpected recursive output: $out"

# Kinds that are not druid's are skipped with a note on stderr; they do not fail the run.
{ printf 'apiVersion: v1\nkind: Secret\nmetadata: {name: etcd-backup}\nstringData: {a: b}\n---\n'
  cat "$tmp/etcd.yaml"; } >"$tmp/mixed.yaml"
out=$("$bin" "$tmp/mixed.yaml" 2>"$tmp/err") || fail "non-druid kind failed the run: $out $(cat "$tmp/err")"
grep -qxF "$tmp/mixed.yaml: Etcd \"etcd-main\" is valid" <<<"$out" || fail "unexpected mixed output: $out"
grep -qxF "$tmp/mixed.yaml: document 1: skipping Secret \"etcd-backup\" (v1): not a druid kind" "$tmp/err" \
  || fail "no skip note: $(cat "$tmp/err")"

# Items of a List (what kubectl get -o yaml writes) are checked one by one.
{ printf 'apiVersion: v1\nkind: List\nitems:\n- '; sed '2,$s/^/  /' "$tmp/nested.yaml"; } >"$tmp/list.yaml"
out=$("$bin" "$tmp/list.yaml"); rc=$?
[ $rc -eq 1 ] || fail "list item: exit $rc, want 1: $out"
grep -qF 'unknown field "spec.etcd.qouta"' <<<"$out" || fail "unexpected list output: $out"

# Exit code 2: usage errors, missing inputs; --help is not an error.
"$bin" >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || fail "no arguments: exit $rc, want 2"
"$bin" --no-such-flag "$tmp/etcd.yaml" >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || fail "unknown flag: exit $rc, want 2"
"$bin" --help >/dev/null 2>&1; rc=$?
[ $rc -eq 0 ] || fail "--help: exit $rc, want 0"
out=$("$bin" "$tmp/missing.yaml" "$tmp/etcd.yaml" 2>&1); rc=$?
[ $rc -eq 2 ] || fail "missing file: exit $rc, want 2"
grep -qxF "error: the path \"$tmp/missing.yaml\" does not exist" <<<"$out" || fail "unexpected missing-file output: $out"
grep -qxF "$tmp/etcd.yaml: Etcd \"etcd-main\" is valid" <<<"$out" || fail "other files not checked: $out"
"$bin" --old "$tmp/missing.yaml" "$tmp/etcd.yaml" >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || fail "missing --old file: exit $rc, want 2"
mkdir "$tmp/empty"
"$bin" "$tmp/empty" >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || fail "directory without manifests: exit $rc, want 2"
# Unreadable beats invalid.
"$bin" "$tmp/broken.yaml" "$tmp/nested.yaml" >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || fail "broken and invalid: exit $rc, want 2"
echo "druid-validate CLI: ok"
