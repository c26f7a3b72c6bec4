#!/usr/bin/env bash
# Installs what the Falcon testbed needs on a Debian 12 host. Idempotent:
# prints what it installs, says nothing when everything is already there.
set -euo pipefail

cd "$(dirname "$0")/.."

SUDO=
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi

# Debian package -> why we need it.
PACKAGES=(
  qemu-system-x86     # the testbed VM
  linux-image-amd64   # bookworm's default kernel (6.1), booted by the testbed
  linux-headers-amd64 # to build falcon.ko against it
  linux-image-6.12-amd64   # the 6.12 LTS (Debian 13's series, in bookworm-security)
  linux-headers-6.12-amd64 # falcon.ko is built and tested on both
  busybox-static      # the initramfs userland
  kmod                # insmod/modprobe in the guest chroot
  cpio                # inspecting initramfs archives
  util-linux          # setpriv --pdeathsig for QEMU
  iproute2            # ip, for the topology builder
  ethtool             # --gro on the veth wire
  iputils-ping        # ping across the overlay
  procps              # ps, sysctl
  iperf3 sockperf hyperfine nftables tcpdump
  build-essential     # make, gcc for the module and the addon
  python3             # node-gyp
  xz-utils zstd       # compressed kernel modules
  dkms                # the falcon-dkms package's test (test/package)
  clang llvm libbpf-dev bpftool # the profiler's CO-RE eBPF objects and their loader
  bpftrace linux-perf # independent checks of the profiler, falcon.ko's tracepoints
  nginx-light wrk     # the experiment's web scenario
  memcached           # the experiment's cache scenario
  tmux                # drives falconctl top in a terminal (host test)
)

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

missing=()
for p in "${PACKAGES[@]}"; do installed "$p" || missing+=("$p"); done

apt_install() {
  echo "setup-host: installing $*"
  export DEBIAN_FRONTEND=noninteractive
  if [ -z "${APT_UPDATED:-}" ]; then
    $SUDO apt-get update -qq >/dev/null
    APT_UPDATED=1
  fi
  # Quiet unless it fails (apt's debconf chatter is noise here).
  local out
  if ! out=$($SUDO apt-get install -y -qq --no-install-recommends "$@" 2>&1); then
    echo "$out" >&2
    echo "setup-host: apt-get install failed" >&2
    exit 1
  fi
}

if [ "${#missing[@]}" -gt 0 ]; then apt_install "${missing[@]}"; fi

# Both kernels the project supports: the newest installed 6.1 and the newest
# installed 6.12 (scripts/kernels.sh picks them). Each needs headers of its
# exact version, which the metapackages can lag or lead, so install
# linux-headers-<ver> by name.
for ver in $(bash scripts/kernels.sh); do
  if [ ! -f "/usr/src/linux-headers-$ver/Makefile" ]; then
    apt_install "linux-headers-$ver"
  fi
  if [ ! -f "/lib/modules/$ver/modules.dep" ]; then
    echo "setup-host: /lib/modules/$ver/modules.dep missing; running depmod"
    $SUDO depmod "$ver"
  fi
done

if [ ! -d node_modules ]; then
  echo "setup-host: installing npm dependencies"
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
fi
