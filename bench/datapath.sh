#!/bin/bash
# Datapath benchmark: single-flow TCP and UDP over the overlay, native vs
# overlay vanilla vs overlay + RPS vs overlay + Falcon static / balanced,
# medians of interleaved repetitions, TCP's reordering counters, and the
# datapath's cost as CPU seconds (all vCPUs, from /proc/stat) per GB. By
# default RPS and Falcon act on every overlay device of both hosts
# (--attach everywhere), as operators run it.
#
# Every supported kernel that is installed (scripts/kernels.sh: the newest
# 6.1 and 6.12) gets its own boot, one after the other (side by side they
# would share the host's cores and each other's noise); --kernel V runs one.
# Any other option passes to the experiment runner:
#   bench/datapath.sh                       3 reps, both placements, both kernels
#   bench/datapath.sh --reps 5 --gro        more reps, wire in veth GRO mode
#   bench/datapath.sh --cpus 3 --placement pipeline
# Output: each kernel's table, and results/datapath-<timestamp>/<kernel>/
# {results.json,table.txt,*.svg}.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f dist/src/experiment/cli.js ] || npm run build
for a in "$@"; do
  case "$a" in
    --kernel|--kernel=*|--out|--out=*) exec node dist/src/experiment/cli.js --scenario tcp,udp "$@" ;;
  esac
done
kernels=$(bash scripts/kernels.sh)
[ -n "$kernels" ] || { echo "datapath.sh: no supported kernel installed (run 'npm run setup')" >&2; exit 1; }
out="results/datapath-$(date -u +%Y%m%dT%H%M%SZ)"
status=0
for k in $kernels; do
  echo "== kernel $k"
  node dist/src/experiment/cli.js --scenario tcp,udp --kernel "$k" --out "$out/$k" "$@" || status=$?
done
echo "datapath.sh: results under $out/"
exit "$status"
