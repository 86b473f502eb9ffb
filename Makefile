# Entry points for a fresh machine (see README.md).
BUILD_DIR ?= build
JOBS ?= $(shell nproc)

.PHONY: all deps configure build test run format tidy bench clean fuzz configure-sanitize test-sanitize test-sanitize-ci

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

# CI (`.ci/run`) runs this: the whole suite, then the part of the sanitizer run
# that fits CI's time budget (test-sanitize-ci). Each step's failure fails it.
test: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)
	$(MAKE) test-sanitize-ci

# AddressSanitizer + UndefinedBehaviorSanitizer (g++) on every target, product
# and tests, in a build directory of its own; a sanitizer report fails the test.
SANITIZE_DIR ?= build-sanitize
SANITIZE_ENV = ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

configure-sanitize: deps
	cmake -S . -B $(SANITIZE_DIR) -G Ninja -DDRUID_SANITIZE=ON -DDRUID_BUILD_BENCH=OFF

# The whole suite but the e2e tier (real etcd clusters through the pod runtime).
test-sanitize: configure-sanitize
	cmake --build $(SANITIZE_DIR) -j $(JOBS)
	$(SANITIZE_ENV) ctest --test-dir $(SANITIZE_DIR) -LE e2e --output-on-failure -j $(JOBS)

# What CI affords (docs/benchmarks.md, "Fuzzing"): the unit tier and the fuzz
# replays but the runtime layer's (label fuzz-runtime).
test-sanitize-ci: configure-sanitize
	cmake --build $(SANITIZE_DIR) -j $(JOBS) --target druid_sanitize_ci
	$(SANITIZE_ENV) ctest --test-dir $(SANITIZE_DIR) -L '^(unit|fuzz)$$' -LE '^fuzz-runtime$$' \
	  --output-on-failure -j $(JOBS)

# libFuzzer (clang) on every target of test/fuzz, one after another, each for
# FUZZ_SECONDS or FUZZ_RUNS executions, from the committed seeds
# (test/fuzz/corpus/<target>); new inputs go to build-fuzz/corpus, findings to
# build-fuzz/artifacts. FUZZ_TARGETS picks some (names without _fuzz).
FUZZ_DIR ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_RUNS ?= -1
FUZZ_TARGETS ?=

fuzz: deps
	cmake -S . -B $(FUZZ_DIR) -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DDRUID_FUZZ=ON -DDRUID_BUILD_TESTS=OFF \
	  -DDRUID_BUILD_BENCH=OFF
	cmake --build $(FUZZ_DIR) -j $(JOBS) --target druid_fuzz_targets
	FUZZ_DIR=$(FUZZ_DIR) FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_RUNS=$(FUZZ_RUNS) \
	  bash scripts/run-fuzz.sh $(FUZZ_TARGETS)

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
	rm -rf $(BUILD_DIR) $(SANITIZE_DIR) $(FUZZ_DIR)
