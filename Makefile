# Entry points. Each target installs missing dependencies (scripts/setup),
# configures and builds with CMake, then runs its job.
BUILD_DIR ?= build
JOBS      ?= 2
CMAKE_ARGS ?=

.PHONY: all setup build run test bench synth contract regress sanitize clean

all: build

setup:
	@scripts/setup

build: setup
	@cmake -S . -B $(BUILD_DIR) $(CMAKE_ARGS) >/dev/null
	@cmake --build $(BUILD_DIR) -j$(JOBS)

# The main job on the embedded default model.
run: build
	$(BUILD_DIR)/bin/weightstream run

# Every test except the long regression sweeps, then the C++ suites again
# under AddressSanitizer and UndefinedBehaviorSanitizer.
test: build
	ctest --test-dir $(BUILD_DIR) -j$(JOBS) --output-on-failure -LE regress
	$(MAKE) --no-print-directory sanitize

bench: build
	cmake --build $(BUILD_DIR) --target bench

synth: build
	cmake --build $(BUILD_DIR) --target synth

# Rewrites rtl/common/ws_pkg.sv from golden/contract/hw_contract.json.
contract: build
	cmake --build $(BUILD_DIR) --target contract

# Long sweeps: everything, including the tests labelled `regress`.
regress: build
	ctest --test-dir $(BUILD_DIR) -j$(JOBS) --output-on-failure

# The golden, hls and command-line suites built with AddressSanitizer and
# UndefinedBehaviorSanitizer (the fuzzers have their own), with line tables
# (-g1) for the reports rather than full debug information, for a shorter
# cold build. Without the Verilator component: the generated RTL models are
# not ours to sanitize and would double the build; the main build runs every
# RTL test.
sanitize: setup
	@cmake -S . -B $(BUILD_DIR)-asan -DWS_SANITIZE=ON -DWS_WITH_VERILATOR=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	    "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG" >/dev/null
	@cmake --build $(BUILD_DIR)-asan -j$(JOBS) --target golden_test golden_model_files_test golden_quant_test \
	    golden_forward_test golden_factory_test hls_format_decoders_test hls_token_factory_test hls_ans_decoder_test hls_rules_check cli_test \
	    cli_robustness_test weightstream
	ctest --test-dir $(BUILD_DIR)-asan -j$(JOBS) --output-on-failure -L "golden|hls|cli"

clean:
	rm -rf $(BUILD_DIR) $(BUILD_DIR)-asan
