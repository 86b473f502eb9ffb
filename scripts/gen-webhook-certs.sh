#!/usr/bin/env bash
# Generates the PKI of etcd-druid's component-protection webhook with openssl:
# a CA and a serving certificate for the Service etcd-druid in NAMESPACE, with
# the DNS names etcd-druid, etcd-druid.NS, etcd-druid.NS.svc and
# etcd-druid.NS.svc.cluster.local. Writes ca.crt, ca.key, tls.crt and tls.key
# into DIR and prints the caBundle (base64 of ca.crt, one line) on stdout.
#
#   scripts/gen-webhook-certs.sh [--namespace NS] [--out DIR] [--days N]
#                                [--new-ca] [--patch-file FILE] [--extra-san SANS]
#
#   --namespace   namespace of the Service etcd-druid (default etcd-druid-system)
#   --out         output directory (default deploy/overlays/webhook/pki, which
#                 the kustomize overlay reads)
#   --days        validity of both certificates (default 365)
#   --new-ca      make a new CA even if DIR holds one; by default an existing CA
#                 is kept, so renewing the serving certificate leaves caBundle as it is
#   --patch-file  also set every `caBundle:` value in FILE (a webhook
#                 configuration manifest) to the bundle
#   --extra-san   more subject alternative names in openssl's form, e.g.
#                 IP:127.0.0.1,DNS:localhost (the local environment calls the
#                 webhook on loopback)
set -euo pipefail

namespace="etcd-druid-system"
out=""
days=365
new_ca=false
patch_file=""
extra_san=""

usage() { sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --namespace) namespace="${2:?--namespace needs a value}"; shift 2 ;;
    --out) out="${2:?--out needs a value}"; shift 2 ;;
    --days) days="${2:?--days needs a value}"; shift 2 ;;
    --new-ca) new_ca=true; shift ;;
    --patch-file) patch_file="${2:?--patch-file needs a value}"; shift 2 ;;
    --extra-san) extra_san="${2:?--extra-san needs a value}"; shift 2 ;;
    -h|--help) usage ;;
    *) echo "gen-webhook-certs: unknown argument $1" >&2; usage ;;
  esac
done
if [ -z "$out" ]; then
  out="$(cd "$(dirname "$0")/.." && pwd)/deploy/overlays/webhook/pki"
fi
case "$days" in ''|*[!0-9]*) echo "gen-webhook-certs: --days must be a number" >&2; exit 2 ;; esac
command -v openssl >/dev/null || { echo "gen-webhook-certs: openssl not found" >&2; exit 1; }

mkdir -p "$out"
umask 077
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

service="etcd-druid"
if $new_ca || [ ! -s "$out/ca.crt" ] || [ ! -s "$out/ca.key" ]; then
  openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$out/ca.key" -out "$out/ca.crt" -days "$days" \
    -subj "/CN=etcd-druid-webhook-ca" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>"$work/log" ||
    { cat "$work/log" >&2; exit 1; }
  echo "gen-webhook-certs: new CA in $out/ca.crt" >&2
else
  echo "gen-webhook-certs: keeping the CA in $out/ca.crt" >&2
fi

cat >"$work/ext.cnf" <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:${service},DNS:${service}.${namespace},DNS:${service}.${namespace}.svc,DNS:${service}.${namespace}.svc.cluster.local${extra_san:+,${extra_san}}
EXT
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
  -keyout "$work/tls.key" -out "$work/tls.csr" \
  -subj "/CN=${service}.${namespace}.svc" 2>"$work/log" || { cat "$work/log" >&2; exit 1; }
openssl x509 -req -in "$work/tls.csr" -CA "$out/ca.crt" -CAkey "$out/ca.key" \
  -set_serial "0x$(openssl rand -hex 16)" -days "$days" -extfile "$work/ext.cnf" \
  -out "$work/tls.crt" 2>"$work/log" || { cat "$work/log" >&2; exit 1; }
# Replace both files at once, so a running webhook server never pairs a new
# certificate with an old key for long.
mv "$work/tls.key" "$out/tls.key"
mv "$work/tls.crt" "$out/tls.crt"
chmod 644 "$out/ca.crt" "$out/tls.crt"
echo "gen-webhook-certs: serving certificate for ${service}.${namespace}.svc in $out/tls.crt" >&2

bundle="$(base64 <"$out/ca.crt" | tr -d '\n')"
if [ -n "$patch_file" ]; then
  sed -i -E "s|^([[:space:]]*caBundle:).*$|\\1 ${bundle}|" "$patch_file"
  echo "gen-webhook-certs: caBundle set in $patch_file" >&2
fi
echo "$bundle"
