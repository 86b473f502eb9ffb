#!/usr/bin/env bash
# Installs every Debian package the project needs to build, test and run.
# Idempotent: when everything is present it only checks and exits quickly.
set -euo pipefail

PACKAGES=(
  # toolchain
  g++ cmake ninja-build make pkg-config git
  # libraries (see docs/dependencies.md for why each one)
  nlohmann-json3-dev libyaml-cpp-dev libspdlog-dev libfmt-dev libcli11-dev
  libcurl4-openssl-dev libssl-dev libcpp-httplib-dev zlib1g-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # real etcd members for the local environment and the e2e tier
  # (test/localenv/README.md): etcd itself, etcdctl, ip (network namespaces)
  etcd-server etcd-client iproute2
  # openssl: TLS material in tests and scripts/gen-etcd-certs.sh; python3: a pod's
  # HTTP server in the pod runtime's integration test
  openssl python3
  # nghttpx: an HTTP/2 front for the test API server (watches sharing one connection)
  nghttp2-proxy
  # make run and its test: flock (the run lock), pgrep/pkill (no process left behind)
  util-linux procps
  # code hygiene
  clang-format clang-tidy
  # make fuzz: clang with libFuzzer and the sanitizer runtimes (make test-sanitize uses g++'s)
  clang libclang-rt-14-dev
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-deps: missing packages (${missing[*]}) and not root; install them with apt-get" >&2
    exit 1
  fi
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
