#!/bin/sh
# What the default gradient shards (K = 4) cost a single-process `ember train`, against one shard
# (K = 1: the same data path and sampler, one forward and backward pass per batch).
# Interleaved runs of `ember train --epochs 1` on Fashion-MNIST (the CNN on the first 25,600
# samples, the MLP on all 60,000; 10% held out), batch 128, default threads (2 here); prints each
# run's training samples/s (metrics.csv's samples_per_sec) and the median of each configuration.
# Usage: sh bench/shards_cost.sh [rounds]   (after `swift build -c release`)
set -e
rounds=${1:-5}
bin=${EMBER:-.build/release/ember}
dir=$(mktemp -d)
echo "uptime at start: $(uptime)"
for model in cnn mlp; do
    limit=""
    if [ "$model" = cnn ]; then limit="--train-limit 25600"; fi
    for r in $(seq "$rounds"); do
        for k in 1 4; do
            out="$dir/$model-$k-$r"
            $bin train --model "$model" --epochs 1 $limit --batch-size 128 --grad-shards "$k" \
                --checkpoint-every 1000000 --seed 1 --quiet --out "$out"
            sps=$(tail -1 "$out/metrics.csv" | awk -F, '{print $NF}')
            echo "$model K=$k round $r: $sps samples/s"
            echo "$sps" >> "$dir/$model-$k.txt"
            if [ "$k" = 1 ]; then one=$sps; else echo "$sps $one" | awk '{print $1 / $2}' >> "$dir/$model-ratio.txt"; fi
        done
    done
    for k in 1 4; do
        median=$(sort -n "$dir/$model-$k.txt" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
        echo "$model K=$k median: $median samples/s"
    done
    ratios=$(sort -n "$dir/$model-ratio.txt" | tr '\n' ' ')
    median=$(sort -n "$dir/$model-ratio.txt" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    echo "$model K=4 / K=1 samples/s, each round's pair: $ratios; median $median"
done
echo "uptime at end: $(uptime)"
rm -rf "$dir"
