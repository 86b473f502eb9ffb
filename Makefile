# Entry points for a fresh machine (see README.md).
BUILD_DIR ?= build
JOBS ?= $(shell nproc)

.PHONY: all deps configure build test run format tidy bench clean

all: build

deps:
	bash scripts/install-deps.sh

# Benchmarks are built by `make bench` only: `make test` (CI) skips their
# compile time, which the 45-minute CI budget needs.
BENCH ?= OFF

configure: deps
	cmake -S . -B $(BUILD_DIR) -G Ninja -DDRUID_BUILD_BENCH=$(BENCH)

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)

# The operator against the cluster that answers (kubeconfig or in-cluster), or
# else a local development environment (scripts/run-local.sh, README.md).
# Builds only the binaries it runs: real etcd members by default (the pod
# runtime and member agent), simulated ones with SIMULATE_MEMBERS=1 or where
# real ones cannot run.
run: configure
	cmake --build $(BUILD_DIR) -j $(JOBS) --target etcd-druid druid-dev-apiserver druid-validate \
	  druid-pod-runtime druid-member-agent druid-simulate-members
	BUILD_DIR=$(BUILD_DIR) bash scripts/run-local.sh

bench: BENCH = ON
bench: build
	@for b in $(BUILD_DIR)/*_bench; do [ -x "$$b" ] && "$$b" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true; done

format:
	git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

# clang-tidy cannot read g++'s precompiled headers: use a compile database without them.
tidy: deps
	cmake -S . -B build-tidy -G Ninja -DCMAKE_DISABLE_PRECOMPILE_HEADERS=ON >/dev/null
	run-clang-tidy -p build-tidy -j $(JOBS) -quiet 'src/'

clean:
	rm -rf $(BUILD_DIR)
