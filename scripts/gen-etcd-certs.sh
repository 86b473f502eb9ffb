#!/usr/bin/env bash
# Generates the TLS Secrets an Etcd with client, peer and backup TLS references
# (examples/etcd-multinode-tls.yaml) as a Kubernetes manifest on stdout, made
# with openssl: a client CA and a peer CA (key bundle.crt, as the example's
# dataKey says), a server certificate for the members, the backup-restore
# sidecars and the client Service, a client certificate, a peer certificate,
# and the (empty) Local backup store Secret.
#
#   scripts/gen-etcd-certs.sh [--etcd NAME] [--namespace NS] [--days N] | kubectl apply -f -
#
#   --etcd        the Etcd's name (default etcd-main)
#   --namespace   its namespace (default default)
#   --days        validity (default 365)
#
# Secret names are the example's: ca-etcd, ca-etcd-peer, etcd-server-cert,
# etcd-client-cert, etcd-peer-server-cert, etcd-backup.
set -euo pipefail

etcd="etcd-main"
namespace="default"
days=365
usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --etcd) etcd="${2:?--etcd needs a value}"; shift 2 ;;
    --namespace) namespace="${2:?--namespace needs a value}"; shift 2 ;;
    --days) days="${2:?--days needs a value}"; shift 2 ;;
    -h|--help) usage ;;
    *) echo "gen-etcd-certs: unknown argument $1" >&2; usage ;;
  esac
done
command -v openssl >/dev/null 2>&1 || { echo "gen-etcd-certs: openssl is not installed" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

ca() { # name
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.crt" -days "$days" \
    -subj "/CN=$1" -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}
leaf() { # name ca sans usages
  openssl req -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" -subj "/CN=$1" 2>/dev/null
  printf 'subjectAltName=%s\nextendedKeyUsage=%s\nkeyUsage=critical,digitalSignature,keyEncipherment\n' \
    "$3" "$4" >"$1.ext"
  openssl x509 -req -in "$1.csr" -CA "$2.crt" -CAkey "$2.key" -CAcreateserial -out "$1.crt" \
    -days "$days" -extfile "$1.ext" 2>/dev/null
}

peer_names="DNS:*.${etcd}-peer.${namespace}.svc,DNS:*.${etcd}-peer.${namespace}.svc.cluster.local,DNS:${etcd}-peer,DNS:${etcd}-peer.${namespace}.svc"
client_names="DNS:${etcd}-local,DNS:${etcd}-client,DNS:${etcd}-client.${namespace},DNS:${etcd}-client.${namespace}.svc,DNS:${etcd}-client.${namespace}.svc.cluster.local,DNS:localhost,IP:127.0.0.1"

ca ca-etcd
ca ca-etcd-peer
leaf server ca-etcd "${client_names},${peer_names}" "serverAuth,clientAuth"
leaf client ca-etcd "DNS:${etcd}-client" "clientAuth"
leaf peer ca-etcd-peer "${peer_names}" "serverAuth,clientAuth"

b64() { base64 -w0 <"$1"; }
secret() { # name then key=file pairs
  local name=$1
  shift
  printf -- '---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: %s\n  namespace: %s\ntype: Opaque\ndata:\n' \
    "$name" "$namespace"
  for pair in "$@"; do
    printf '  %s: %s\n' "${pair%%=*}" "$(b64 "${pair#*=}")"
  done
}

secret ca-etcd bundle.crt=ca-etcd.crt ca.crt=ca-etcd.crt
secret ca-etcd-peer bundle.crt=ca-etcd-peer.crt ca.crt=ca-etcd-peer.crt
secret etcd-server-cert tls.crt=server.crt tls.key=server.key ca.crt=ca-etcd.crt
secret etcd-client-cert tls.crt=client.crt tls.key=client.key ca.crt=ca-etcd.crt
secret etcd-peer-server-cert tls.crt=peer.crt tls.key=peer.key ca.crt=ca-etcd-peer.crt
# The Local store needs no credentials; druid requires the referenced Secret to exist.
printf -- '---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: etcd-backup\n  namespace: %s\ntype: Opaque\ndata: {}\n' \
  "$namespace"
