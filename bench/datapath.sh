#!/bin/sh
# Datapath benchmark (issue 3, "Performance"): single-flow TCP and UDP over the
# overlay in one testbed boot, native vs overlay vanilla vs overlay + RPS vs
# overlay + Falcon static / balanced, medians of interleaved repetitions, and
# the datapath's cost as CPU seconds (all vCPUs, from /proc/stat) per GB.
#
# A thin wrapper over the experiment runner; any of its options pass through:
#   bench/datapath.sh                 3 reps, both placements
#   bench/datapath.sh --reps 5 --gro  more reps, wire in veth GRO mode
# Output: the table on the terminal, results/<timestamp>/{results.json,table.txt,*.svg}.
set -eu
cd "$(dirname "$0")/.."
[ -f dist/src/experiment/cli.js ] || npm run build
exec node dist/src/experiment/cli.js --scenario tcp,udp "$@"
