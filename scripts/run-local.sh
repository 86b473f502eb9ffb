#!/usr/bin/env bash
# `make run` until the operator binary exists: a local development API server
# with the CRDs and the examples, for trying the API with kubectl. Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}

"$build/druid-validate" examples/*.yaml

mkdir -p .local
kubeconfig="$PWD/.local/kubeconfig"
rm -f "$kubeconfig"
"$build/druid-dev-apiserver" --port 0 --kubeconfig-out "$kubeconfig" --crds config/crd \
  >.local/apiserver.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null' EXIT INT TERM
for _ in $(seq 1 100); do [ -s "$kubeconfig" ] && break; sleep 0.1; done
[ -s "$kubeconfig" ] || { echo "run-local: the API server did not start" >&2; exit 1; }

kubectl --kubeconfig "$kubeconfig" apply -f examples/
cat <<TXT

This is a local development API server (no nodes, no pods, and no operator yet: the etcd-druid
binary arrives with the controller issues). The CRDs and examples/ are installed. Try:

  export KUBECONFIG=$kubeconfig
  kubectl get etcd -owide
  kubectl get etcd etcd-main -o yaml
  kubectl annotate etcd etcd-main gardener.cloud/operation=reconcile
  kubectl scale etcd etcd-main --replicas=1     # refused: replicas may only grow or go to 0

Requests are logged to .local/apiserver.log. Ctrl-C stops the server.
TXT
wait $server
