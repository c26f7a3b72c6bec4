#!/bin/sh
# The stage profiler's overhead on single-flow TCP throughput over the vanilla
# overlay, profiler off vs on interleaved, on both supported kernels (one
# testbed boot each, one after the other), plus the vanilla overlay's
# per-stage ns/packet. Arguments pass to bench/profiler-overhead.ts:
#   bench/profiler-overhead.sh                 5 reps of 10 s per state and kernel
#   bench/profiler-overhead.sh --reps 7 --seconds 20
# Output: one JSON line per kernel, and results/profiler-overhead-<kernel>.json.
set -eu
cd "$(dirname "$0")/.."
[ -f dist/bench/profiler-overhead.js ] || npm run build
mkdir -p results
for k in $(bash scripts/kernels.sh); do
  node dist/src/testbed/cli.js run --kernel "$k" --cpus 2 --timeout 3600 -- \
    "$(command -v node)" dist/bench/profiler-overhead.js --json "$PWD/results/profiler-overhead-$k.json" "$@"
done
