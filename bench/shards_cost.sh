#!/bin/sh
# What the default gradient shards (K = 4) cost a single-process `ember train`, against one shard
# (K = 1: the same data path and sampler, one forward and backward pass per batch).
# Interleaved runs of `ember train --epochs 1` on Fashion-MNIST (the first LIMIT samples, 10%
# held out), batch 128, default threads; prints each run's training samples/s (metrics.csv's
# samples_per_sec) and the median of each configuration.
# Usage: sh bench/shards_cost.sh [rounds] [limit]   (after `swift build -c release`)
set -e
rounds=${1:-5}
limit=${2:-12800}
bin=.build/release/ember
dir=$(mktemp -d)
echo "uptime at start: $(uptime)"
for model in cnn mlp; do
    for r in $(seq "$rounds"); do
        for k in 1 4; do
            out="$dir/$model-$k-$r"
            $bin train --model "$model" --epochs 1 --train-limit "$limit" --batch-size 128 --grad-shards "$k" \
                --checkpoint-every 1000000 --seed 1 --quiet --out "$out"
            sps=$(tail -1 "$out/metrics.csv" | awk -F, '{print $NF}')
            echo "$model K=$k round $r: $sps samples/s"
            echo "$sps" >> "$dir/$model-$k.txt"
        done
    done
    for k in 1 4; do
        median=$(sort -n "$dir/$model-$k.txt" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
        echo "$model K=$k median: $median samples/s"
    done
done
echo "uptime at end: $(uptime)"
rm -rf "$dir"
