# Benchmarks: Ember vs PyTorch 1.13 side by side (bench/run.py; see bench/RESULTS.md).
#   make bench                     all workloads, 5 repeats each side
#   make bench ONLY=gemm           one workload (comma-separated for several)
#   make bench ARGS="--quick"      smaller shapes, 2 repeats (well under two minutes)
bench:
	swift build -c release --product EmberBench && /usr/bin/python3 bench/run.py $(if $(ONLY),--only $(ONLY)) $(ARGS)

.PHONY: bench
