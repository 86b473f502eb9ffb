#!/usr/bin/env bash
# `make run` (scripts/run-local.sh) as a newcomer meets it (issue 15):
#  - a KUBECONFIG whose cluster does not answer is named on the terminal, with
#    the error, before the local environment starts in its place;
#  - DRUID_ARGS flags take effect (--enable-etcd-spec-auto-reconcile reconciles
#    a spec change without the annotation) and what etcd-druid would ignore
#    (an unknown flag) is said on the terminal;
#  - a second run with the same state directory refuses in one line naming
#    the first, and leaves the first working;
#  - the local API server's log stays quiet, the operator's names each outcome;
#  - `kubectl druid` (the plugin on PATH) reports the members and waits for a reconcile;
#  - every controller runs, and the simulated members' snapshots take the
#    etcd-snap example through a compaction Job to
#    LastSnapshotCompactionSucceeded;
#  - Ctrl-C (SIGTERM to the script) stops everything it started.
# Usage: run_local_test.sh BUILD_DIR SOURCE_DIR. Exit 77 (skipped) without kubectl,
# python3, openssl, flock, pgrep or pkill.
set -euo pipefail
build=$(cd "$1" && pwd)
source_dir=$(cd "$2" && pwd)

for tool in kubectl python3 openssl flock pgrep pkill; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "SKIPPED: $tool is not installed"
    exit 77
  fi
done

tmp=$(mktemp -d)
first_pid=""
cleanup() {
  if [ -n "$first_pid" ] && kill -0 "$first_pid" 2>/dev/null; then
    kill -TERM "$first_pid" 2>/dev/null || true
    wait "$first_pid" 2>/dev/null || true
  fi
  # Anything still running from this test's state directory is a leak; end it.
  pkill -KILL -f "$tmp/state" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  for log in "$tmp"/first.out "$tmp"/state/operator.log; do
    [ -f "$log" ] && { echo "--- $log" >&2; tail -n 30 "$log" >&2; }
  done
  exit 1
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# A kubeconfig naming a port nothing listens on.
cat >"$tmp/dead-kubeconfig" <<'YAML'
apiVersion: v1
kind: Config
clusters:
- name: gone
  cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}
users:
- name: u
  user: {token: t}
contexts:
- name: gone
  context: {cluster: gone, user: u}
current-context: gone
YAML

# Quick simulated snapshots and compaction Jobs, so the compaction check below
# costs seconds, not the default's half minute.
run_env=(BUILD_DIR="$build" STATE_DIR="$tmp/state" SIMULATE_MEMBERS=1
  SIMULATOR_ARGS="--delta-snapshot-period 1s --compaction-duration 1s"
  METRICS_PORT="$(free_port)" PROBE_PORT="$(free_port)" WEBHOOK_PORT="$(free_port)")

env "${run_env[@]}" KUBECONFIG="$tmp/dead-kubeconfig" \
  DRUID_ARGS="--enable-etcd-spec-auto-reconcile --no-such-flag" \
  bash "$source_dir/scripts/run-local.sh" >"$tmp/first.out" 2>&1 &
first_pid=$!

# The banner says the environment is up (bounded: 180 s).
for _ in $(seq 1 900); do
  grep -q "Local development environment" "$tmp/first.out" && break
  kill -0 "$first_pid" 2>/dev/null || fail "make run ended early"
  sleep 0.2
done
grep -q "Local development environment" "$tmp/first.out" || fail "make run did not come up in 180 s"

grep -q "run-local: the cluster of $tmp/dead-kubeconfig does not answer (.*127.0.0.1:1.*)" \
  "$tmp/first.out" || fail "the unanswering kubeconfig is not named with its error"
grep -q "run-local: etcd-druid: Ignoring unknown command-line argument: --no-such-flag" \
  "$tmp/first.out" || fail "the ignored flag is not said on the terminal"
grep -q "enableEtcdSpecAutoReconcile: true" "$tmp/state/operator-config.yaml" ||
  fail "--enable-etcd-spec-auto-reconcile is not in the generated configuration"

# A second run with the same state refuses at once, naming the first.
set +e
second=$(env "${run_env[@]}" LOCAL=1 timeout 60 bash "$source_dir/scripts/run-local.sh" 2>&1)
second_code=$?
set -e
[ "$second_code" -eq 1 ] || fail "second run exited $second_code: $second"
expected="run-local: another 'make run' is running (pid $first_pid) with $tmp/state/"
[[ "$second" == "$expected"* ]] || fail "second run said: $second"
[ "$(printf '%s\n' "$second" | wc -l)" -eq 1 ] || fail "second run said more than one line: $second"

# The first still answers, and reconciles a spec change without the annotation.
export KUBECONFIG="$tmp/state/kubeconfig"
kubectl wait --for=jsonpath='{.status.observedGeneration}'=1 etcd/etcd-test --timeout=120s >/dev/null ||
  fail "etcd-test was not reconciled once"
kubectl patch etcd etcd-test --type merge -p '{"spec":{"etcd":{"metrics":"extensive"}}}' >/dev/null
kubectl wait --for=jsonpath='{.status.observedGeneration}'=2 etcd/etcd-test --timeout=60s >/dev/null ||
  fail "a spec change was not reconciled without the annotation"
[ -z "$(kubectl get etcd etcd-test -o jsonpath='{.metadata.annotations.gardener\.cloud/operation}')" ] ||
  fail "the operation annotation is set"

# The kubectl plugin against the operator's cluster (issue 17): kubectl finds it on PATH, status
# reports etcd-main's three members ready with renewed leases, and a triggered reconcile waits
# until the members are updated and ready.
export PATH="$build:$PATH"
kubectl plugin list 2>/dev/null | grep -q "$build/kubectl-druid" ||
  fail "kubectl plugin list does not show $build/kubectl-druid"
kubectl wait --for=condition=AllMembersReady etcd/etcd-main --timeout=120s >/dev/null ||
  fail "etcd-main's members did not become ready"
report=$(kubectl druid status etcd-main -o json 2>&1) || fail "kubectl druid status: $report"
python3 - "$report" <<'PY' || fail "kubectl druid status etcd-main: $(kubectl druid status etcd-main 2>&1)"
import json, sys
report = json.loads(sys.argv[1])["etcds"][0]
members = report["members"]
assert len(members) == 3, members
assert all(m["status"] == "Ready" and m["leaseAgeSeconds"] is not None for m in members), members
assert [m["role"] for m in members].count("Leader") == 1, members
conditions = {c["type"]: c["status"] for c in report["conditions"]}
assert conditions.get("AllMembersReady") == "True", conditions
assert report["backup"]["fullSnapshot"]["found"] and report["backup"]["deltaSnapshot"]["found"], report["backup"]
PY
trigger=$(kubectl druid reconciliation trigger etcd-main -w -t 90s 2>&1) ||
  fail "kubectl druid reconciliation trigger -w: $trigger"
grep -q "Reconciliation Status:" <<<"$trigger" || fail "no status table while waiting: $trigger"

# The local API server does not log every request unless asked to.
if grep -q " user=" "$tmp/state/apiserver.log"; then
  fail "the local API server logs requests by default: $(grep -c " user=" "$tmp/state/apiserver.log") lines"
fi
# The operator logs the spec reconcile that succeeded.
grep -q "spec of generation 2 reconciled" "$tmp/state/operator.log" ||
  fail "no log line for the successful reconcile"

# Every controller runs; the compaction controller only because make run
# turns it on (etcd-druid's default is off).
for controller in etcd-controller ondelete-controller compaction-controller \
  etcdcopybackupstask-controller etcdopstask-controller secret-controller; do
  grep -q "controller $controller: started" "$tmp/state/operator.log" ||
    fail "$controller did not start"
done
# The example's deltas cross its eventsThreshold (300) after three simulated
# delta snapshots; the Job completes and the controller records it.
kubectl wait --for=condition=LastSnapshotCompactionSucceeded etcd/etcd-snap --timeout=60s \
  >/dev/null || fail "no completed compaction for etcd-snap: $(kubectl get jobs 2>&1)"

# Ctrl-C: the script stops everything it started (bounded: 60 s).
kill -TERM "$first_pid"
for _ in $(seq 1 300); do
  kill -0 "$first_pid" 2>/dev/null || break
  sleep 0.2
done
kill -0 "$first_pid" 2>/dev/null && fail "make run did not stop on SIGTERM"
wait "$first_pid" 2>/dev/null || true
first_pid=""
leftovers=$(pgrep -af "$tmp/state" || true)
[ -z "$leftovers" ] || fail "processes left running: $leftovers"
echo "PASS"
