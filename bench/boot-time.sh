#!/usr/bin/env bash
# Boot-to-command time of the testbed: wall time of `falcon-testbed run -- true`
# (QEMU start, kernel boot, initramfs, 9p mount, falcon.ko load, command,
# power-off). A benchmark, not a test: run it on an idle machine.
#   bench/boot-time.sh [RUNS]   (default 10; needs npm run build)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
[ -f dist/src/testbed/cli.js ] || { echo "bench: run 'npm run build' first" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "bench: hyperfine missing; run 'npm run setup'" >&2; exit 1; }
json=$(mktemp)
trap 'rm -f "$json"' EXIT
# One warmup boot fills the initramfs cache and the host page cache.
hyperfine --warmup 1 --runs "$runs" --export-json "$json" \
  "node dist/src/testbed/cli.js run -- true" >&2
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).results[0];
  const f = (s) => s.toFixed(2) + " s";
  console.log(`boot-to-command (falcon-testbed run -- true, ${r.times.length} runs): median ${f(r.median)}, min ${f(r.min)}, max ${f(r.max)}`);
' "$json"
echo "machine: $(nproc) cores, $(grep -m1 "model name" /proc/cpuinfo | cut -d: -f2 | sed "s/^ //"), load $(cut -d" " -f1-3 /proc/loadavg)"
