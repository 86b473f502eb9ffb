# etcd-druid (C++): build with Debian's packages, run on a slim Debian with
# only the shared libraries the binary links.
#   docker build -t etcd-druid:latest .

FROM debian:bookworm AS build
# The -dev packages of scripts/install-deps.sh that the etcd-druid target needs.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      g++ cmake ninja-build make pkg-config ca-certificates \
      nlohmann-json3-dev libyaml-cpp-dev libspdlog-dev libfmt-dev libcli11-dev \
      libcurl4-openssl-dev libssl-dev libcpp-httplib-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY CMakeLists.txt ./
COPY config/ config/
COPY src/ src/
COPY examples/ examples/
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DDRUID_BUILD_TESTS=OFF -DDRUID_BUILD_BENCH=OFF \
 && cmake --build /build --target etcd-druid \
 && strip /build/etcd-druid

FROM debian:bookworm-slim AS runtime
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates libcurl4 libssl3 libyaml-cpp0.7 libfmt9 libspdlog1.10 \
      libcpp-httplib0.11 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /build/etcd-druid /etcd-druid
USER 65532:65532
ENTRYPOINT ["/etcd-druid"]
