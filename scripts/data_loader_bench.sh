#!/bin/sh
# Times one epoch of Fashion-MNIST through EmberData's DataLoader (release build), with
# numWorkers 0 and 2: the batched fast path, per-sample loading + stack, and per-sample
# augmentation. Prints lines starting with [bench].
#   scripts/data_loader_bench.sh [scratch-path]   (default .build)
set -e
cd "$(dirname "$0")/.."
SCRATCH=${1:-.build}
swift build --build-tests -c release -Xswiftc -enable-testing --scratch-path "$SCRATCH"
EMBER_DATA_BENCH=1 swift test --skip-build -c release -Xswiftc -enable-testing --scratch-path "$SCRATCH" \
  --filter LoaderBenchmarkTests 2>&1 | grep -E '^\[bench\]|passed|failed|error'
