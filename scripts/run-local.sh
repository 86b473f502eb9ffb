#!/usr/bin/env bash
# `make run`: the etcd-druid operator, built from this tree.
#  - With a reachable cluster (KUBECONFIG or ~/.kube/config answering
#    `kubectl version` within a few seconds, or the in-cluster service account)
#    it runs the operator against that cluster.
#  - Otherwise it starts a local development environment: druid-dev-apiserver
#    on loopback with the CRDs, the operator against it, examples/ applied,
#    and a kubeconfig in .local/kubeconfig for kubectl.
# Ctrl-C stops everything this script started.
#
# Environment: BUILD_DIR (build), METRICS_PORT (8080), PROBE_PORT (8081),
# WEBHOOK_PORT (9443; local environment only: the component-protection webhook),
# LOG_FORMAT (text; json for zap-style records), DRUID_ARGS (etcd-druid's
# configuration flags, e.g. --enable-etcd-spec-auto-reconcile: mapped into the
# generated configuration file; what etcd-druid would ignore is said on the
# terminal), STATE_DIR (.local: kubeconfigs, logs, volumes, the run lock),
# LOCAL=1 (use the local environment even when a cluster answers),
# SIMULATE_MEMBERS=1 (local environment only: simulated pods, member leases,
# snapshot leases and compaction Jobs via $build/druid-simulate-members, so the
# Etcds turn ready and the compaction controller has work; SIMULATOR_ARGS takes
# its flags, e.g. --delta-snapshot-period 1s),
# APISERVER_LOG_REQUESTS=1 (the local API server logs every request).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
druid="$build/etcd-druid"
metrics_port=${METRICS_PORT:-8080}
probe_port=${PROBE_PORT:-8081}
webhook_port=${WEBHOOK_PORT:-9443}
log_format=${LOG_FORMAT:-text}
read -r -a extra_args <<<"${DRUID_ARGS:-}"
read -r -a simulator_args <<<"${SIMULATOR_ARGS:-}"
state=${STATE_DIR:-.local}
mkdir -p "$state"
state=$(cd "$state" && pwd)

die() {
  echo "run-local: $*" >&2
  exit 1
}
[ -x "$druid" ] || die "$druid is missing: run 'make build' first"

# --- one run per state directory -------------------------------------------------
# A second run would overwrite the first one's kubeconfig and logs and fight over
# its ports. The lock is held by this script only (children get fd 9 closed), so
# it ends with the script however that ends.
exec 9>>"$state/run.lock"
if ! flock -n 9; then
  holder=$(cat "$state/run.pid" 2>/dev/null || true)
  die "another 'make run' is running${holder:+ (pid $holder)} with $state/; stop it first (Ctrl-C in its terminal${holder:+ or kill $holder})"
fi
echo $$ >"$state/run.pid"

# --- process bookkeeping: everything started here is stopped on exit ---------
# Children run in their own sessions, so Ctrl-C reaches only this script, which
# then stops them in order with one SIGTERM each (a second signal would make
# etcd-druid exit at once, without releasing its lease).
detach=()
command -v setsid >/dev/null 2>&1 && detach=(setsid)
operator_pid=""
apiserver_pid=""
simulator_pid=""
stop_all() {
  trap - EXIT INT TERM
  if [ -n "$simulator_pid" ]; then kill -TERM "$simulator_pid" 2>/dev/null || true; fi
  if [ -n "${runtime_pid:-}" ]; then
    # The pod runtime stops every member and removes its network namespaces.
    kill -TERM "$runtime_pid" 2>/dev/null || true
    for _ in $(seq 1 300); do kill -0 "$runtime_pid" 2>/dev/null || break; sleep 0.1; done
  fi
  if [ -n "$operator_pid" ] && kill -0 "$operator_pid" 2>/dev/null; then
    echo "run-local: stopping etcd-druid (it releases its lease and flushes events)"
    kill -TERM "$operator_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$operator_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$operator_pid" 2>/dev/null || true
  fi
  if [ -n "$apiserver_pid" ]; then
    kill -TERM "$apiserver_pid" 2>/dev/null || true
  fi
  wait 2>/dev/null || true
}
trap stop_all EXIT
trap 'exit 130' INT TERM

# --- which cluster -------------------------------------------------------------
in_cluster() {
  [ -n "${KUBERNETES_SERVICE_HOST:-}" ] &&
    [ -r /var/run/secrets/kubernetes.io/serviceaccount/token ]
}
# Why the configured cluster did not answer, when one is configured: said on the
# terminal before the local environment starts in its place.
cluster_error=""
cluster_answers() {
  command -v kubectl >/dev/null 2>&1 || return 1
  if [ -z "${KUBECONFIG:-}" ] && [ ! -f "$HOME/.kube/config" ]; then return 1; fi
  local output
  if output=$(timeout 8 kubectl version --request-timeout=5s 2>&1 >/dev/null); then return 0; fi
  output=$(printf '%s\n' "$output" | grep -v '^[[:space:]]*$' | tail -n 1)
  cluster_error="${output:-no answer within 8 s}"
  return 1
}

# The operator's configuration for local runs: loopback metrics, readable logs,
# every controller (the compaction controller is off by default in etcd-druid;
# DRUID_ARGS or a --config of the user's decide it instead), and DRUID_ARGS;
# with an argument (a certificate directory) also the
# component-protection webhook on loopback, letting through only druid's service
# account. etcd-druid itself maps the flags (--print-config), so DRUID_ARGS mean
# exactly what they mean to the binary; what it would ignore (an unknown flag,
# flags next to a --config of the user's) is said on the terminal.
operator_user=system:serviceaccount:etcd-druid-system:etcd-druid
write_config() {
  local webhook_cert_dir=${1:-}
  local flags=(--metrics-bind-address 127.0.0.1 --metrics-port "$metrics_port")
  if ! printf '%s\n' "${extra_args[@]}" | grep -q -e '^--config' -e '^--enable-backup-compaction'; then
    flags+=(--enable-backup-compaction)
  fi
  if [ -n "$webhook_cert_dir" ]; then
    flags+=(--enable-etcd-components-webhook --webhook-server-bind-address 127.0.0.1
      --webhook-server-port "$webhook_port" --webhook-server-tls-server-cert-dir "$webhook_cert_dir"
      --reconciler-service-account "$operator_user")
  fi
  local notes="$state/operator-config.notes"
  if ! "$druid" --print-config "${flags[@]}" "${extra_args[@]}" \
    >"$state/operator-config.yaml" 2>"$notes"; then
    die "DRUID_ARGS do not make a valid configuration: $(tail -n 1 "$notes")"
  fi
  # The flags have no logging settings; a --config of the user's keeps its own.
  if [ -n "${LOG_FORMAT:-}" ] || ! printf '%s\n' "${extra_args[@]}" | grep -q '^--config'; then
    sed -i "s/^  logFormat: .*/  logFormat: $log_format/" "$state/operator-config.yaml"
  fi
  while IFS= read -r note; do echo "run-local: $note"; done <"$notes"
  local arg
  for arg in "${extra_args[@]}"; do
    case $arg in
    --kubeconfig* | --health-probe-port*)
      echo "run-local: $arg in DRUID_ARGS is not used: set KUBECONFIG or PROBE_PORT instead" ;;
    esac
  done
  return 0
}

# GET /readyz on the probe port with bash alone (curl may be missing).
ready() {
  local status
  { exec 3<>"/dev/tcp/127.0.0.1/$probe_port"; } 2>/dev/null || return 1
  printf 'GET /readyz HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3
  IFS= read -r status <&3 || true
  exec 3<&- 3>&-
  [[ "$status" == *" 200 "* ]]
}

if [ -z "${LOCAL:-}" ] && { in_cluster || cluster_answers; }; then
  write_config
  if in_cluster; then
    echo "run-local: running etcd-druid in-cluster"
  else
    echo "run-local: running etcd-druid against $(kubectl config current-context 2>/dev/null || echo 'the current context')"
    if ! kubectl get crd etcds.druid.gardener.cloud --request-timeout=5s >/dev/null 2>&1; then
      die "the cluster has no Etcd CRD; install the CRDs first: kubectl apply -f config/crd/"
    fi
  fi
  echo "run-local: metrics on 127.0.0.1:$metrics_port/metrics, probes on :$probe_port/readyz; Ctrl-C stops"
  "${detach[@]}" "$druid" 9>&- --config "$state/operator-config.yaml" --health-probe-port "$probe_port" &
  operator_pid=$!
  wait "$operator_pid" || true
  exit 0
fi

# --- local development environment ------------------------------------------------
if [ -n "$cluster_error" ]; then
  echo "run-local: the cluster of ${KUBECONFIG:-$HOME/.kube/config} does not answer ($cluster_error); starting the local environment instead"
fi
[ -x "$build/druid-dev-apiserver" ] || die "$build/druid-dev-apiserver is missing: run 'make build' first"
"$build/druid-validate" examples/*.yaml >/dev/null || die "examples/ do not validate"

kubeconfig="$state/kubeconfig"
# The operator acts as druid's service account, the person at kubectl as admin:
# two identities, as in a cluster, so the component-protection webhook can tell
# them apart.
operator_kubeconfig="$state/operator-kubeconfig"
rm -f "$kubeconfig" "$operator_kubeconfig"
# The API server outlives the operator's shutdown (lease release, last events).
# Every request in its log only when asked (APISERVER_LOG_REQUESTS=1): the
# members and the operator make thousands an hour.
apiserver_quiet=(--quiet)
[ -n "${APISERVER_LOG_REQUESTS:-}" ] && apiserver_quiet=()
"${detach[@]}" "$build/druid-dev-apiserver" 9>&- --port 0 --kubeconfig-out "$kubeconfig" \
  --user-kubeconfig "$operator_user=$operator_kubeconfig" "${apiserver_quiet[@]}" \
  --crds config/crd >"$state/apiserver.log" 2>&1 &
apiserver_pid=$!
for _ in $(seq 1 100); do [ -s "$kubeconfig" ] && break; sleep 0.1; done
[ -s "$kubeconfig" ] || die "the local API server did not start (see $state/apiserver.log)"

# --- the component-protection webhook, as a cluster runs it ------------------------
# A serving certificate for loopback (the API server calls the webhook by URL);
# without openssl, python3 or kubectl it stays off, and one line says so.
webhook=off
if command -v openssl >/dev/null 2>&1 && command -v python3 >/dev/null 2>&1 &&
  command -v kubectl >/dev/null 2>&1; then
  if ca_bundle=$(bash scripts/gen-webhook-certs.sh --out "$state/webhook-pki" \
    --extra-san IP:127.0.0.1,DNS:localhost 2>"$state/webhook-certs.log"); then
    webhook=on
  else
    echo "run-local: no webhook certificate (see $state/webhook-certs.log); component protection is off"
  fi
else
  echo "run-local: the component-protection webhook needs openssl, python3 and kubectl; it is off"
fi

if [ "$webhook" = on ]; then write_config "$state/webhook-pki"; else write_config; fi

# The deployment's ValidatingWebhookConfiguration with each webhook called on
# loopback by URL instead of through the Service.
register_webhooks() {
  kubectl --kubeconfig "$kubeconfig" create --dry-run=client -o json \
    -f deploy/overlays/webhook/validatingwebhookconfiguration.yaml |
    python3 -c '
import json, sys
port, bundle = sys.argv[1], sys.argv[2]
configuration = json.load(sys.stdin)
for hook in configuration["webhooks"]:
    path = hook["clientConfig"]["service"]["path"]
    hook["clientConfig"] = {"url": "https://127.0.0.1:%s%s" % (port, path), "caBundle": bundle}
json.dump(configuration, sys.stdout)
' "$webhook_port" "$ca_bundle" | kubectl --kubeconfig "$kubeconfig" apply -f - >/dev/null
}

# --- members: real etcd processes (default) or the simulation ----------------------
# Real members need root (one network namespace per pod), ip, unshare, etcd and
# the two local-environment binaries; without any of them say why in one line
# and simulate instead. SIMULATE_MEMBERS=1 always simulates.
real_members_unavailable() {
  [ "$(id -u)" -eq 0 ] || { echo "not root (network namespaces need it)"; return; }
  command -v etcd >/dev/null 2>&1 || { echo "etcd is not installed (scripts/install-deps.sh)"; return; }
  command -v ip >/dev/null 2>&1 || { echo "ip (iproute2) is not installed"; return; }
  command -v unshare >/dev/null 2>&1 || { echo "unshare is not installed"; return; }
  [ -x "$build/druid-pod-runtime" ] && [ -x "$build/druid-member-agent" ] ||
    { echo "$build/druid-pod-runtime or druid-member-agent is not built"; return; }
  local probe="druid-run-probe-$$"
  ip netns add "$probe" >/dev/null 2>&1 || { echo "cannot create network namespaces"; return; }
  ip netns delete "$probe" >/dev/null 2>&1 || true
}
mode=simulated
if [ -z "${SIMULATE_MEMBERS:-}" ]; then
  why=$(real_members_unavailable)
  if [ -z "$why" ]; then
    mode=real
  else
    echo "run-local: real etcd members are not possible here ($why); simulating members instead"
  fi
fi

runtime_pid=""
hosts_file="$state/hosts"
if [ "$mode" = real ]; then
  # The volumes of a previous run belong to objects that died with its in-memory
  # API server; new Etcds of the same names must not start on that data. They
  # are kept one run longer in $state/previous-run/, never deleted at once.
  if [ -d "$state/pvcs" ] || [ -d "$state/pods" ]; then
    rm -rf "$state/previous-run"
    mkdir -p "$state/previous-run"
    for dir in pvcs pods; do
      if [ -d "$state/$dir" ]; then mv "$state/$dir" "$state/previous-run/$dir"; fi
    done
    echo "run-local: the previous run's volumes are in $state/previous-run/"
  fi
  printf '127.0.0.1 localhost\n' >"$hosts_file"
  "${detach[@]}" "$build/druid-pod-runtime" 9>&- --kubeconfig "$kubeconfig" --state-dir "$state" \
    --hosts-out "$hosts_file" --member-agent "$PWD/$build/druid-member-agent" \
    >"$state/pod-runtime.log" 2>&1 &
  runtime_pid=$!
  # The operator reaches members by their peer FQDNs, as in a cluster: it runs in
  # a private mount namespace with the runtime's hosts file on /etc/hosts.
  "${detach[@]}" unshare 9>&- -m sh -c 'mount --bind "$0" /etc/hosts && exec "$@"' "$hosts_file" \
    "$druid" --config "$state/operator-config.yaml" --kubeconfig "$operator_kubeconfig" \
    --health-probe-port "$probe_port" >"$state/operator.log" 2>&1 &
else
  "${detach[@]}" "$druid" 9>&- --config "$state/operator-config.yaml" --kubeconfig "$operator_kubeconfig" \
    --health-probe-port "$probe_port" >"$state/operator.log" 2>&1 &
fi
operator_pid=$!
for _ in $(seq 1 300); do
  ready && break
  kill -0 "$operator_pid" 2>/dev/null || die "etcd-druid stopped: $(tail -n 1 "$state/operator.log")"
  sleep 0.1
done
ready || die "etcd-druid did not become ready in 30 s (see $state/operator.log)"
if [ "$webhook" = on ]; then
  register_webhooks || die "could not register the component-protection webhook"
  protection="
The component-protection webhook runs as in a cluster: etcd-druid acts as $operator_user,
kubectl as admin, so editing what druid manages is denied until the Etcd says otherwise:
  kubectl label sts etcd-test team=x                      # denied
  kubectl annotate etcd etcd-test druid.gardener.cloud/disable-etcd-component-protection=
"
else
  protection=""
fi

if [ "$mode" = real ]; then
  members="and druid-pod-runtime
runs every member as a real etcd process in a network namespace of its own
($state/pod-runtime.log; per pod: $state/pods/<namespace>/<pod>/), so the Etcds turn ready for real"
else
  simulator=${SIMULATOR:-$build/druid-simulate-members}
  [ -x "$simulator" ] || die "simulated members need $simulator (build target druid-simulate-members)"
  "${detach[@]}" "$simulator" 9>&- --kubeconfig "$kubeconfig" "${simulator_args[@]}" \
    >"$state/simulator.log" 2>&1 &
  simulator_pid=$!
  members="and druid-simulate-members
plays pods, member leases and StatefulSet status, so the Etcds turn ready ($state/simulator.log);
for an Etcd with a backup store it takes a delta snapshot of 100 revisions every 5 s and completes
its compaction Jobs"
fi

# The TLS example's Secrets (CAs, server, client and peer certificates).
if command -v kubectl >/dev/null 2>&1 && command -v openssl >/dev/null 2>&1; then
  bash scripts/gen-etcd-certs.sh --etcd etcd-main --namespace default |
    kubectl --kubeconfig "$kubeconfig" apply -f - >/dev/null ||
    echo "run-local: could not create etcd-main's TLS Secrets" >&2
fi

if command -v kubectl >/dev/null 2>&1; then
  kubectl --kubeconfig "$kubeconfig" apply -f examples/
  applied="examples/ are applied"
else
  applied="kubectl is not installed, so examples/ are not applied"
fi

cat <<TXT

Local development environment (not a cluster): an in-memory Kubernetes API server on loopback
with the druid CRDs, and etcd-druid reconciling against it. $applied.
Druid creates the StatefulSet, Services, ConfigMap, Leases, RBAC and PDB of each Etcd, $members.

  kubeconfig: $kubeconfig   (cat it to see it)
  export KUBECONFIG=$kubeconfig
  kubectl get etcd -owide
  kubectl get all,cm,role,rolebinding,lease,sa --selector=app.kubernetes.io/part-of=etcd-test
  kubectl annotate etcd etcd-test gardener.cloud/operation=reconcile
  kubectl get etcd etcd-test -o jsonpath='{.status.lastOperation}'
  kubectl get pods -owide                # real members: ETCDCTL_API=3 etcdctl --endpoints http://<pod IP>:2379 member list
  kubectl get jobs -w                    # etcd-snap-compactor once its deltas hold 300 revisions
  kubectl get etcd etcd-snap -o jsonpath='{.status.conditions[?(@.type=="LastSnapshotCompactionSucceeded")]}'
  export PATH=$build:\$PATH; kubectl druid status etcd-main   # the kubectl plugin (README.md)

Operator log: $state/operator.log ($log_format), API server log: $state/apiserver.log,
metrics: http://127.0.0.1:$metrics_port/metrics, readiness: http://127.0.0.1:$probe_port/readyz.
Ctrl-C stops the members (if real), the operator and the API server.
$protection
TXT

wait "$operator_pid" || true
echo "run-local: etcd-druid exited; last log line: $(tail -n 1 "$state/operator.log")" >&2
