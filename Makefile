# Ember's commands. A new machine needs only `make run` and `make test`.
#   make deps    install the Debian packages Ember needs (apt-get; prints the command when not root)
#   make test    the whole test suite, built optimized (numeric tests are 10-100x slower in debug), each
#                example of Examples/ on a tiny budget, then the kernel suites again at each lower
#                EMBER_ISA level the CPU has (avx2, base)
#   make run     release build, then `ember train`: the default model on Fashion-MNIST (ARGS= adds flags)
#   make bench   Ember vs PyTorch 1.13 side by side (ONLY=gemm to pick a workload, ARGS=--quick), and vs
#                PyTorch 2 and JAX where `make bench-peers` has made bench/.venv
#   make bench-peers  bench/.venv: PyTorch 2.13 (CPU build) and JAX from PyPI, for make bench's peer columns
#   make bench-dist  the distributed benchmarks: all-reduce vs MPI_Allreduce from C, DDP vs PyTorch DDP (Gloo)
#   make tsan    the concurrency suites under the thread sanitizer (a debug build in .build-tsan), and
#                the distributed scenarios under mpirun
#   make fuzz    libFuzzer on every file reader, FUZZ_SECONDS (60) each; stops at the first crash
#                (ONLY=csv for one target, FUZZ_ARGS= adds libFuzzer flags)
#   make check-aarch64  what this x86-64 machine can check of the arm64 Linux build: the C targets to
#                aarch64 objects, every Swift target compiled for aarch64 (no link, no run; see the
#                script's header for what is and is not verified). Not part of `make test`.

DEB_PACKAGES := libopenblas-dev dataset-fashion-mnist pkg-config zlib1g-dev libopenmpi-dev openmpi-bin libpng-dev libjpeg62-turbo-dev
# One set of build flags for every command, so `make test` and `make run` share one build.
BUILD_FLAGS := -c release -Xswiftc -enable-testing

.PHONY: deps test run bench bench-deps bench-peers bench-dist tsan fuzz check-aarch64  # bench/ is also a directory: keep bench phony

deps:
	@missing=""; \
	for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing:$$missing"; \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	  else \
	    echo "Ember needs these Debian packages:$$missing"; \
	    echo "Run:  sudo apt-get install -y$$missing"; \
	    exit 1; \
	  fi; \
	fi

# The suites that run Ember's C kernels (GEMM, LSTM, attention, batch norm, Winograd, exp/softmax/GELU)
# or whose float32 results depend on them (optimizers): `make test` runs them again at every lower
# EMBER_ISA level this CPU has, so the AVX2 and baseline builds are tested on an AVX-512 machine too.
ISA_SUITES := InstructionSetTests|ReductionsAgainstPyTorch|FusedBatchTests|GEMMKernelTests|SplitGEMMTests|LSTMKernelTests|EmbeddingLSTM|RecurrentAgainstPyTorch|RecurrentGradcheck|AttentionAgainstPyTorch|CausalMaskTests|BatchNormOp|NormalizationAgainstPyTorch|ConvolutionTests|ConvModelsAgainstPyTorch|ModelsAgainstPyTorch|FusedOps|ElementwiseAgainstPyTorch|FunctionalAgainstPyTorch|LossesAgainstPyTorch|TrajectoryTests|LBFGSTests|StepBehaviourTests|NN2AgainstPyTorch|NN2LayersAgainstPyTorch
LOWER_ISAS := $(shell if grep -qw avx512f /proc/cpuinfo 2>/dev/null; then echo avx2 base; \
                      elif grep -qw avx2 /proc/cpuinfo 2>/dev/null; then echo base; fi)

# Examples/ (one executable each, built by `swift build --build-tests`), each run on a tiny budget.
EXAMPLES := SeedMLP CNN CharLM GPT Recommender Regression Inference DetectionExample

test: deps
	swift build --build-tests $(BUILD_FLAGS)
	swift test --skip-build $(BUILD_FLAGS)
	@for e in $(EXAMPLES); do echo "== Examples/$$e --quick"; .build/release/$$e --quick || exit 1; done
	@for isa in $(LOWER_ISAS); do \
	  echo "== the kernel suites again with EMBER_ISA=$$isa"; \
	  EMBER_ISA=$$isa swift test --skip-build $(BUILD_FLAGS) --filter '$(ISA_SUITES)' || exit 1; \
	done

run: deps
	swift build $(BUILD_FLAGS) --product ember
	.build/release/ember train $(ARGS)

bench-deps: deps
	@dpkg -s python3-torch >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get install -y -q python3-torch python3-numpy; \
	  else echo "PyTorch is not installed: Ember's figures only (sudo apt-get install -y python3-torch for the comparison)"; fi; }

# The stronger peers, optional: a virtual environment of Debian's python3 (python3-venv) with PyTorch 2
# and JAX from PyPI. PyTorch's CPU build (~190 MB) comes from its own index where that is reachable
# (or from a local wheel pip is pointed at); otherwise PyPI's default build, which also runs on
# the CPU but pulls ~5 GB of CUDA libraries.
TORCH2 := 2.13.0
PEERS_VENV := bench/.venv
bench-peers: bench-deps
	@dpkg -s python3-venv >/dev/null 2>&1 || { 	  if [ "$$(id -u)" = 0 ]; then apt-get install -y -q python3-venv; 	  else echo "Run:  sudo apt-get install -y python3-venv"; exit 1; fi; }
	@[ -x $(PEERS_VENV)/bin/python ] || /usr/bin/python3 -m venv $(PEERS_VENV)
	@$(PEERS_VENV)/bin/python -c "import torch; assert torch.__version__.startswith('$(TORCH2)')" 2>/dev/null || \
	  $(PEERS_VENV)/bin/pip install --timeout 20 --retries 1 --extra-index-url https://download.pytorch.org/whl/cpu \
	    "torch==$(TORCH2)+cpu" numpy || \
	  $(PEERS_VENV)/bin/pip install "torch==$(TORCH2)" numpy
	@$(PEERS_VENV)/bin/python -c "import jax" 2>/dev/null || $(PEERS_VENV)/bin/pip install "jax[cpu]" numpy
	@$(PEERS_VENV)/bin/python -c "import torch, jax; print('bench peers: torch', torch.__version__, '/ jax', jax.__version__)"

bench: bench-deps
	swift build $(BUILD_FLAGS) --product EmberBench
	/usr/bin/python3 bench/run.py --ember-bin .build/release/EmberBench $(if $(ONLY),--only $(ONLY)) $(ARGS)

bench-dist: bench-deps
	swift build $(BUILD_FLAGS) --product EmberDistributedBench
	sh bench/dist_bench.sh $(or $(REPEATS),3)

# Threads sharing tensors, modules and the backward engine, under the thread sanitizer. A debug
# build of its own (the sanitizer instruments every access), so it never disturbs `make test`'s.
TSAN_SUITES := ConcurrentBackwardTests|LSTMKernelTests|ConcurrentInferenceTests|ParallelWorkersTests|DataLoaderTests|LoaderStateTests
tsan: deps
	swift build --build-tests -c debug --sanitize=thread -Xswiftc -DEMBER_TSAN --build-path .build-tsan
	TSAN_OPTIONS="halt_on_error=1 suppressions=$(CURDIR)/Tests/tsan-suppressions.txt" swift test --skip-build -c debug --sanitize=thread -Xswiftc -DEMBER_TSAN --build-path .build-tsan --filter '$(TSAN_SUITES)'
	@# EmberDistributed's communication thread, async work and DDP hooks, two ranks under mpirun.
	@for s in collectives overlap nosync syncbn find-unused "train mlp 2"; do \
	  echo "== EmberDistributedCheck $$s (2 ranks, thread sanitizer)"; \
	  timeout 300 mpirun --allow-run-as-root --oversubscribe --bind-to none --mca btl_vader_single_copy_mechanism none \
	    -x TSAN_OPTIONS=halt_on_error=1 -np 2 .build-tsan/debug/EmberDistributedCheck $$s || exit 1; \
	done

# Fuzzing (Fuzz/): one libFuzzer executable per reader, built with AddressSanitizer in a package
# of its own, so that `make test`'s build never sees libFuzzer. Each target starts from its seeds
# (Fuzz/corpus/<target>) and the inputs that once crashed (Fuzz/regressions/<target>); what it
# learns goes to Fuzz/work/<target> and a crashing input to Fuzz/artifacts/<target>/ (both ignored by
# git). A gzip file of n bytes may rightly inflate to 1032·n, so idx-gzip's inputs stay under 64 KiB
# to keep a valid file within the 256 MB limit. ASan's quarantine is kept small for the same limit.
FUZZ_TARGETS := safetensors idx idx-gzip csv checkpoint text png jpeg ratings
FUZZ_SECONDS ?= 60
FUZZ_BUILD_FLAGS := -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
FUZZ_ASAN_OPTIONS := quarantine_size_mb=16:detect_leaks=0
# libFuzzer reports a crash itself (Swift's backtracer, run under ASan, adds a false second report).
FUZZ_ENV := ASAN_OPTIONS=$(FUZZ_ASAN_OPTIONS) SWIFT_BACKTRACE=enable=no

fuzz: deps
	swift build --package-path Fuzz $(FUZZ_BUILD_FLAGS)
	@for t in $(or $(ONLY),$(FUZZ_TARGETS)); do \
	  maxlen=1048576; [ $$t = idx-gzip ] && maxlen=65536; \
	  dict=""; [ -f Fuzz/dicts/$$t.dict ] && dict=-dict=Fuzz/dicts/$$t.dict; \
	  mkdir -p Fuzz/work/$$t Fuzz/artifacts/$$t Fuzz/regressions/$$t; \
	  echo "== fuzz-$$t for $(FUZZ_SECONDS) s"; \
	  $(FUZZ_ENV) Fuzz/.build/release/fuzz-$$t Fuzz/work/$$t Fuzz/corpus/$$t Fuzz/regressions/$$t \
	    -max_total_time=$(FUZZ_SECONDS) -timeout=2 -rss_limit_mb=256 -max_len=$$maxlen $$dict \
	    -artifact_prefix=Fuzz/artifacts/$$t/ -print_final_stats=1 $(FUZZ_ARGS) || { \
	    echo "fuzz-$$t crashed; the input is in Fuzz/artifacts/$$t/. Reproduce it with"; \
	    echo "  Fuzz/.build/release/fuzz-$$t Fuzz/artifacts/$$t/<file>"; \
	    echo "and once the reader is fixed, move the file to Fuzz/regressions/$$t/ (make test replays it)."; \
	    exit 1; }; \
	done

check-aarch64:
	scripts/check_aarch64.sh
