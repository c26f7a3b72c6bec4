#!/usr/bin/env bash
# Prints the kernels Falcon is built and tested on, one version per line:
# the newest installed 6.1 and the newest installed 6.12 (from /boot/vmlinuz-*).
# A series that is not installed is left out; `npm run setup` installs both.
set -euo pipefail
all=$(ls /boot 2>/dev/null | sed -n 's/^vmlinuz-//p' | sort -V)
for series in 6.1 6.12; do
  printf '%s\n' "$all" | grep -E "^${series//./\\.}[.-]" | tail -n1 || true
done | sed '/^$/d'
