#!/usr/bin/env bash
# Builds the Debian package falcon-dkms (`npm run package`):
#
#   dist/deb/falcon-dkms_<version>_all.deb
#
# <version> is package.json's (kernel/dkms.conf's PACKAGE_VERSION must match).
# The package holds falcon.ko's sources under /usr/src/falcon-<version>/
# (kernel/*.c, *.h, Kbuild, include/, dkms.conf: dkms.conf's MAKE line builds
# with Kbuild directly, kernel/Makefile is not needed there). Its postinst
# registers them with dkms and builds and installs the module for every
# installed kernel that has headers; its prerm removes every dkms build.
# See docs/install.md.
#
# Needs dpkg-deb, gzip and node (for package.json's version); no debhelper,
# no network. The build is reproducible: every timestamp is
# SOURCE_DATE_EPOCH (default: the last commit's time).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)

NAME=falcon
PKG=falcon-dkms
MAINTAINER='Falcon developers <maintainers@users.noreply.r-seed-ee101919.example>'
OUTDIR=${FALCON_DEB_OUTDIR:-$ROOT/dist/deb}

die() { echo "package-deb: $*" >&2; exit 1; }

for tool in dpkg-deb gzip node; do
  command -v "$tool" >/dev/null || die "$tool not found (Debian: apt-get install dpkg gzip; node >= 20)"
done

VERSION=$(node -p "require('./package.json').version")
[[ $VERSION =~ ^[0-9][A-Za-z0-9.+~]*$ ]] || die "package.json version '$VERSION' is not a Debian native version"
conf_version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' kernel/dkms.conf)
[ "$conf_version" = "$VERSION" ] ||
  die "kernel/dkms.conf has PACKAGE_VERSION=\"$conf_version\" but package.json has $VERSION: make them equal"

if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
  SOURCE_DATE_EPOCH=$(git log -1 --format=%ct 2>/dev/null || date +%s)
fi
export SOURCE_DATE_EPOCH

STAGE=$OUTDIR/.stage-$PKG
DEB=$OUTDIR/${PKG}_${VERSION}_all.deb
SRC=/usr/src/$NAME-$VERSION
DOC=/usr/share/doc/$PKG

rm -rf "$STAGE"
mkdir -p "$STAGE/DEBIAN" "$STAGE$SRC" "$STAGE$DOC"
# dpkg-deb keeps the staging tree's modes: make them independent of the umask.
umask 022

# --- the module's sources -------------------------------------------------
shopt -s nullglob
sources=()
for f in kernel/*.c kernel/*.h kernel/Kbuild kernel/dkms.conf; do
  case $f in *.mod.c) continue ;; esac   # modpost output, not a source
  sources+=("$f")
done
shopt -u nullglob
[ -f kernel/Kbuild ] && [ -f kernel/dkms.conf ] || die "kernel/Kbuild or kernel/dkms.conf missing"
install -m 0644 "${sources[@]}" "$STAGE$SRC/"
if [ -d kernel/include ]; then
  (cd kernel && find include -type f -name '*.h' -print0) |
    while IFS= read -r -d '' h; do
      install -D -m 0644 "kernel/$h" "$STAGE$SRC/$h"
    done
fi

# --- documentation ----------------------------------------------------------
cat > "$STAGE$DOC/copyright" <<'EOF'
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: falcon
Upstream-Contact: Falcon developers <maintainers@users.noreply.r-seed-ee101919.example>
Comment: The files are installed under /usr/src/falcon-<version>/, from the
 project's kernel/ directory. SPDX: GPL-2.0-only, and for the UAPI header
 (GPL-2.0-only WITH Linux-syscall-note) OR BSD-3-Clause.

Files: *
Copyright: 2026 Falcon developers
License: GPL-2

Files: kernel/include/uapi/linux/falcon.h
Copyright: 2026 Falcon developers
License: GPL-2 with Linux-syscall-note exception or BSD-3-clause

License: GPL-2
 This program is free software; you can redistribute it and/or modify it
 under the terms of the GNU General Public License version 2 as published by
 the Free Software Foundation.
 .
 This program is distributed in the hope that it will be useful, but WITHOUT
 ANY WARRANTY; without even the implied warranty of MERCHANTABILITY or
 FITNESS FOR A PARTICULAR PURPOSE. See the GNU General Public License for
 more details.
 .
 On Debian systems, the complete text of the GNU General Public License
 version 2 can be found in `/usr/share/common-licenses/GPL-2'.

License: GPL-2 with Linux-syscall-note exception
 This program is free software; you can redistribute it and/or modify it
 under the terms of the GNU General Public License version 2 as published by
 the Free Software Foundation, with the following exception (the Linux
 kernel's Linux-syscall-note):
 .
 NOTE! This copyright does *not* cover user programs that use kernel
 services by normal system calls - this is merely considered normal use
 of the kernel, and does *not* fall under the heading of "derived work".
 .
 On Debian systems, the complete text of the GNU General Public License
 version 2 can be found in `/usr/share/common-licenses/GPL-2'.

License: BSD-3-clause
 Redistribution and use in source and binary forms, with or without
 modification, are permitted provided that the following conditions are met:
 .
 1. Redistributions of source code must retain the above copyright notice,
    this list of conditions and the following disclaimer.
 2. Redistributions in binary form must reproduce the above copyright
    notice, this list of conditions and the following disclaimer in the
    documentation and/or other materials provided with the distribution.
 3. Neither the name of the copyright holder nor the names of its
    contributors may be used to endorse or promote products derived from
    this software without specific prior written permission.
 .
 THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS"
 AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE
 IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE
 ARE DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE
 LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR
 CONSEQUENTIAL DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF
 SUBSTITUTE GOODS OR SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS
 INTERRUPTION) HOWEVER CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN
 CONTRACT, STRICT LIABILITY, OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE)
 ARISING IN ANY WAY OUT OF THE USE OF THIS SOFTWARE, EVEN IF ADVISED OF THE
 POSSIBILITY OF SUCH DAMAGE.
EOF
chmod 0644 "$STAGE$DOC/copyright"

# Falcon is its own upstream: a native package, whose changelog is
# changelog.gz (Debian policy 12.7; changelog.Debian.gz is for packages with a
# separate upstream).
{
  echo "$PKG ($VERSION) unstable; urgency=medium"
  echo
  echo "  * Release $VERSION: falcon.ko's sources for DKMS, built and installed"
  echo "    for every installed kernel that has headers, and again on each"
  echo "    kernel upgrade."
  echo
  echo " -- $MAINTAINER  $(LC_ALL=C date -u -R -d "@$SOURCE_DATE_EPOCH")"
} | gzip -9n > "$STAGE$DOC/changelog.gz"
chmod 0644 "$STAGE$DOC/changelog.gz"

# --- maintainer scripts -----------------------------------------------------
cat > "$STAGE/DEBIAN/postinst" <<EOF
#!/bin/sh
# falcon-dkms postinst: registers /usr/src/$NAME-$VERSION with dkms, then
# builds and installs falcon.ko for every installed kernel that has headers.
# A kernel without headers, or one the module fails to build for, is a
# warning, not a failed install: dkms builds for new kernels (and for kernels
# whose headers arrive later) by itself, as dkms.conf sets AUTOINSTALL.
set -e

NAME=$NAME
VERSION=$VERSION
EOF
cat >> "$STAGE/DEBIAN/postinst" <<'EOF'

warn() { echo "falcon-dkms: warning: $*" >&2; }

case "$1" in
  configure)
    if ! dkms status -m "$NAME" -v "$VERSION" 2>/dev/null | grep -q .; then
      dkms add -m "$NAME" -v "$VERSION"
    fi
    if [ -f /etc/dkms/no-autoinstall ]; then
      echo "falcon-dkms: /etc/dkms/no-autoinstall exists: not building; run 'dkms install -m $NAME -v $VERSION -k <kernel>'"
      exit 0
    fi
    for moddir in /lib/modules/*/; do
      kver=$(basename "$moddir")
      # A kernel, not what a removed kernel left behind (updates/, ...).
      [ -e "$moddir/modules.dep" ] || [ -d "$moddir/kernel" ] || continue
      if [ ! -e "$moddir/build/include" ] && [ ! -e "$moddir/build/Makefile" ]; then
        warn "no headers for kernel $kver (package linux-headers-$kver): falcon.ko not built for it; install them and dkms builds it"
        continue
      fi
      if dkms status -m "$NAME" -v "$VERSION" -k "$kver" 2>/dev/null | grep -q ': installed'; then
        continue
      fi
      echo "falcon-dkms: building falcon.ko for kernel $kver"
      if ! dkms install -m "$NAME" -v "$VERSION" -k "$kver"; then
        warn "dkms could not build or install falcon.ko for kernel $kver (see /var/lib/dkms/$NAME/$VERSION/build/make.log)"
      fi
    done
    ;;
  abort-upgrade|abort-remove|abort-deconfigure)
    ;;
  *)
    echo "postinst called with unknown argument '$1'" >&2
    exit 1
    ;;
esac

exit 0
EOF

cat > "$STAGE/DEBIAN/prerm" <<EOF
#!/bin/sh
# falcon-dkms prerm: removes every dkms build of falcon $VERSION (the modules
# under /lib/modules/*/updates/dkms/, then depmod) and its dkms registration.
set -e

NAME=$NAME
VERSION=$VERSION
EOF
cat >> "$STAGE/DEBIAN/prerm" <<'EOF'

case "$1" in
  remove|upgrade|deconfigure|failed-upgrade)
    if dkms status -m "$NAME" -v "$VERSION" 2>/dev/null | grep -q .; then
      dkms remove -m "$NAME" -v "$VERSION" --all || \
        echo "falcon-dkms: warning: 'dkms remove -m $NAME -v $VERSION --all' failed" >&2
    fi
    ;;
  *)
    echo "prerm called with unknown argument '$1'" >&2
    exit 1
    ;;
esac

exit 0
EOF

cat > "$STAGE/DEBIAN/postrm" <<EOF
#!/bin/sh
# falcon-dkms postrm: on purge, removes what dkms may have left behind: its
# (empty) state directory for falcon and the empty updates/dkms directories
# the module was installed into. Never touches anything else.
set -e

NAME=$NAME
EOF
cat >> "$STAGE/DEBIAN/postrm" <<'EOF'

case "$1" in
  purge)
    # Only when no version of falcon is registered any more.
    if [ -d "/var/lib/dkms/$NAME" ] && [ -z "$(ls -A "/var/lib/dkms/$NAME" 2>/dev/null)" ]; then
      rmdir "/var/lib/dkms/$NAME" || true
    fi
    for d in /lib/modules/*/updates/dkms /lib/modules/*/updates; do
      [ -d "$d" ] && rmdir --ignore-fail-on-non-empty "$d" 2>/dev/null || true
    done
    ;;
  remove|upgrade|failed-upgrade|abort-install|abort-upgrade|disappear)
    ;;
  *)
    echo "postrm called with unknown argument '$1'" >&2
    exit 1
    ;;
esac

exit 0
EOF
chmod 0755 "$STAGE/DEBIAN/postinst" "$STAGE/DEBIAN/prerm" "$STAGE/DEBIAN/postrm"

# --- control ----------------------------------------------------------------
installed_size=$(du -sk --apparent-size --exclude=DEBIAN "$STAGE" | cut -f1)
cat > "$STAGE/DEBIAN/control" <<EOF
Package: $PKG
Version: $VERSION
Architecture: all
Maintainer: $MAINTAINER
Installed-Size: $installed_size
Depends: dkms
Section: kernel
Priority: optional
Description: Falcon packet-steering kernel module (DKMS source)
 Falcon pipelines container-overlay packet processing across cores: on a
 VXLAN overlay (Docker, Flannel, Calico) each receive stage of a flow (NIC
 and GRO, VXLAN, bridge and veth, the container's IP stack) can run on its
 own CPU, balanced by load, instead of every stage running in one softirq on
 one core. The module, falcon.ko, is a netfilter netdev ingress hook loaded
 into the stock distribution kernel (no kernel patch) and is controlled over
 the Generic Netlink family "falcon" (the falconctl command line tool and
 the Node.js SDK).
 .
 This package provides the module's source code for DKMS: it is built and
 installed for every installed kernel that has headers when the package is
 installed, and again automatically for each new kernel. The module loads on
 demand (modprobe falcon, or the first request to the Generic Netlink
 family).
EOF
chmod 0644 "$STAGE/DEBIAN/control"

(cd "$STAGE" && find usr -type f -print0 | LC_ALL=C sort -z | xargs -0 md5sum) > "$STAGE/DEBIAN/md5sums"
chmod 0644 "$STAGE/DEBIAN/md5sums"

# Modes independent of the checkout's: 0755 directories, 0644 files except the
# maintainer scripts; one timestamp everywhere (reproducible).
find "$STAGE" -type d -exec chmod 0755 {} +
find "$STAGE" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

mkdir -p "$OUTDIR"
rm -f "$DEB"
dpkg-deb --root-owner-group -Zxz --build "$STAGE" "$DEB" >/dev/null
rm -rf "$STAGE"
echo "$DEB"
