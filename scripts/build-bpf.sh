#!/usr/bin/env bash
# Compiles the stage profiler's eBPF programs (bpf/*.bpf.c) to CO-RE objects
# in dist/bpf/. Never fails the build for a missing toolchain: the profiler
# then reports what is missing when used (npm run setup installs it).
set -euo pipefail

cd "$(dirname "$0")/.."
out=dist/bpf
missing=()
command -v clang >/dev/null 2>&1 || missing+=(clang)
[ -f /usr/include/bpf/bpf_helpers.h ] || missing+=(libbpf-dev)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "build:bpf: skipped, missing ${missing[*]} (Debian: apt-get install clang llvm libbpf-dev bpftool; or npm run setup)" >&2
  exit 0
fi
mkdir -p "$out"
for src in bpf/*.bpf.c; do
  obj="$out/$(basename "${src%.c}").o"
  # -g: the BTF CO-RE needs; -O2: the verifier wants optimised code; -mcpu=v3:
  # atomics that return the old value (6.1 and later have them).
  clang -target bpf -mcpu=v3 -g -O2 -Wall -Werror -D__TARGET_ARCH_x86 -Ibpf -c "$src" -o "$obj"
done
