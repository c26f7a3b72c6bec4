#!/usr/bin/env bash
# Builds the Debian packages falcon-dkms and falconctl (`npm run package`):
#
#   dist/deb/falcon-dkms_<version>_all.deb
#   dist/deb/falconctl_<version>_<arch>.deb    (arch: dpkg's, amd64 here)
#
# <version> is package.json's (kernel/dkms.conf's PACKAGE_VERSION must match).
# The package holds falcon.ko's sources under /usr/src/falcon-<version>/
# (kernel/*.c, *.h, Kbuild, include/, dkms.conf: dkms.conf's MAKE line builds
# with Kbuild directly, kernel/Makefile is not needed there). Its postinst
# registers them with dkms and builds and installs the module for every
# installed kernel that has headers; its prerm removes every dkms build.
# falconctl holds the command line tool (the compiled JS it needs, its runtime
# node_modules and the native addon) under /usr/lib/falcon/, /usr/bin/falconctl,
# and falcon.service, which applies /etc/falcon/falcon.conf at boot (see its
# section below). See docs/install.md.
#
# Needs dpkg-deb, gzip and node (for package.json's version), and for
# falconctl strip and dpkg-shlibdeps; no debhelper, no network. falconctl's JS
# and addon are built first (tsc; the addon when missing or older than
# native/), unless FALCON_DEB_NO_BUILD=1 (then dist/ and build/ are packaged
# as they are). The build is reproducible: every timestamp is
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

# md5sums (every file but the conffiles, which dpkg tracks itself), modes
# independent of the checkout's (0755 directories; files keep the mode they
# were installed with), one timestamp everywhere (reproducible), then the .deb.
finish_deb() {
  local stage=$1 deb=$2 d
  local dirs=()
  for d in usr lib; do [ -d "$stage/$d" ] && dirs+=("$d"); done
  (cd "$stage" && find "${dirs[@]}" -type f -print0 | LC_ALL=C sort -z | xargs -0 md5sum) > "$stage/DEBIAN/md5sums"
  chmod 0644 "$stage/DEBIAN/md5sums"
  find "$stage" -type d -exec chmod 0755 {} +
  find "$stage" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
  mkdir -p "$OUTDIR"
  rm -f "$deb"
  dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
  rm -rf "$stage"
  echo "$deb"
}

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

finish_deb "$STAGE" "$DEB"

# =============================================================================
# falconctl: the command line tool, its addon and falcon.service.
#
#   dist/deb/falconctl_<version>_<arch>.deb   (arch: dpkg's, amd64 here)
#
# /usr/lib/falcon/ is a package root the way Node sees one: package.json
# (trimmed to what runs), the compiled JS falconctl imports (dist/src/..., the
# closure of its requires, no testbed/experiment/topology), the runtime
# node_modules (bindings and its dependency file-uri-to-path; node-addon-api is
# build-time only) and build/Release/falcon_genl.node, where `bindings` looks
# relative to the root. falconctl-run (packaging/) runs it with a Node.js >= 20;
# /usr/bin/falconctl links to it. falcon.service (packaging/systemd/) applies
# /etc/falcon/falcon.conf at boot; the package ships /etc/falcon/ empty, so the
# unit's ConditionPathExists keeps it a no-op until the admin writes the file.
# =============================================================================
CTL=falconctl
CTL_ROOT=/usr/lib/falcon
CTL_DOC=/usr/share/doc/$CTL
ARCH=$(dpkg --print-architecture)
CTL_STAGE=$OUTDIR/.stage-$CTL
CTL_DEB=$OUTDIR/${CTL}_${VERSION}_${ARCH}.deb

for tool in strip dpkg-shlibdeps; do
  command -v "$tool" >/dev/null || die "$tool not found (Debian: apt-get install binutils dpkg-dev)"
done

# The compiled JS and the addon, built from this tree unless told not to
# (FALCON_DEB_NO_BUILD=1: package what dist/ and build/ hold).
ADDON=build/Release/falcon_genl.node
if [ -z "${FALCON_DEB_NO_BUILD:-}" ]; then
  [ -x node_modules/.bin/tsc ] || die "node_modules/.bin/tsc missing: run npm ci first"
  node_modules/.bin/tsc -p tsconfig.json || die "tsc failed"
  if [ ! -f "$ADDON" ] || [ -n "$(find binding.gyp native -newer "$ADDON" -print -quit)" ]; then
    npm run --silent build:native >&2 || die "npm run build:native failed"
  fi
fi
[ -f dist/src/cli/falconctl.js ] || die "dist/src/cli/falconctl.js missing: run npx tsc -p tsconfig.json"
[ -f "$ADDON" ] || die "$ADDON missing: run npm run build:native"

rm -rf "$CTL_STAGE"
mkdir -p "$CTL_STAGE/DEBIAN" "$CTL_STAGE$CTL_ROOT" "$CTL_STAGE$CTL_DOC" "$CTL_STAGE/usr/bin" \
  "$CTL_STAGE/lib/systemd/system" "$CTL_STAGE/etc/default" "$CTL_STAGE/etc/falcon" "$CTL_STAGE/usr/share/man/man8"

# What falconctl.js requires, transitively: the project's files (relative
# requires, resolved as Node does) and the packages outside it, with their own
# dependencies (package.json). Prints "file <path>" and "module <dir>" lines.
closure=$(node - <<'EOF'
const fs = require('fs');
const path = require('path');
const { builtinModules } = require('module');
const files = new Set();
const modules = new Set();
const resolveFile = (p) => [p, `${p}.js`, path.join(p, 'index.js')].find((c) => fs.existsSync(c) && fs.statSync(c).isFile());
function visitFile(f) {
  if (files.has(f)) return;
  files.add(f);
  const text = fs.readFileSync(f, 'utf8');
  for (const m of text.matchAll(/\brequire\(\s*(["'])([^"']+)\1\s*\)/g)) {
    const spec = m[2];
    if (spec.startsWith('.')) {
      const r = resolveFile(path.resolve(path.dirname(f), spec));
      if (!r) throw new Error(`${f}: cannot resolve ${spec}`);
      visitFile(r);
    } else if (!spec.startsWith('node:') && !builtinModules.includes(spec)) {
      visitModule(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
    }
  }
}
function visitModule(name) {
  if (modules.has(name)) return;
  modules.add(name);
  const pkg = JSON.parse(fs.readFileSync(path.join('node_modules', name, 'package.json'), 'utf8'));
  for (const dep of Object.keys(pkg.dependencies ?? {})) visitModule(dep);
}
visitFile(path.resolve('dist/src/cli/falconctl.js'));
for (const f of [...files].sort()) console.log(`file ${path.relative('.', f)}`);
for (const m of [...modules].sort()) console.log(`module ${m}`);
EOF
) || die "could not list what dist/src/cli/falconctl.js requires"

# debian/copyright below names every package shipped in node_modules: a new
# runtime dependency must be added there (and its license checked).
modules=$(sed -n 's/^module //p' <<<"$closure" | tr '\n' ' ')
[ "$modules" = "bindings file-uri-to-path " ] ||
  die "falconctl's runtime node_modules are now: $modules(expected bindings file-uri-to-path): update the falconctl copyright in $0"

# The project's JS, without the source map comments (the maps are not shipped).
while read -r f; do
  case $f in dist/src/testbed/*|dist/src/experiment/*|dist/src/topology/*)
    die "falconctl requires $f: the package is not meant to carry the testbed, the experiment or the topology" ;;
  esac
  install -D -m 0644 "$f" "$CTL_STAGE$CTL_ROOT/$f"
  sed -i '/^\/\/# sourceMappingURL=/d' "$CTL_STAGE$CTL_ROOT/$f"
done < <(sed -n 's/^file //p' <<<"$closure")
chmod 0755 "$CTL_STAGE$CTL_ROOT/dist/src/cli/falconctl.js"   # it has a shebang

# The runtime packages: their code and package.json (licenses go to copyright).
for m in $modules; do
  (cd node_modules && find "$m" -type f \( -name '*.js' -o -name package.json \) -not -path '*/test/*' -print0) |
    while IFS= read -r -d '' f; do
      install -D -m 0644 "node_modules/$f" "$CTL_STAGE$CTL_ROOT/node_modules/$f"
    done
done

# package.json: what Node and falconctl read (name, version, main, engines,
# the runtime dependencies), not the checkout's scripts and devDependencies.
node -e '
  const pkg = require("./package.json");
  const keep = (o, keys) => Object.fromEntries(Object.entries(o ?? {}).filter(([k]) => keys.includes(k)));
  const mods = process.argv[1].trim().split(/\s+/);
  const out = {
    name: pkg.name, version: pkg.version, description: pkg.description, license: pkg.license, private: true,
    main: pkg.main, bin: keep(pkg.bin, ["falconctl"]), engines: pkg.engines,
    dependencies: keep(pkg.dependencies, mods),
  };
  process.stdout.write(JSON.stringify(out, null, 2) + "\n");
' "$modules" > "$CTL_STAGE$CTL_ROOT/package.json"
chmod 0644 "$CTL_STAGE$CTL_ROOT/package.json"

# The addon, stripped as dh_strip does (no debug symbols, no build notes).
install -D -m 0644 "$ADDON" "$CTL_STAGE$CTL_ROOT/$ADDON"
strip --remove-section=.comment --remove-section=.note --strip-unneeded "$CTL_STAGE$CTL_ROOT/$ADDON"

# The wrapper, the command, the unit, the defaults, the configuration directory.
install -m 0755 packaging/falconctl-run "$CTL_STAGE$CTL_ROOT/falconctl-run"
ln -s ../lib/falcon/falconctl-run "$CTL_STAGE/usr/bin/falconctl"
install -m 0644 packaging/systemd/falcon.service "$CTL_STAGE/lib/systemd/system/falcon.service"
install -m 0644 packaging/default/falcon "$CTL_STAGE/etc/default/falcon"
echo /etc/default/falcon > "$CTL_STAGE/DEBIAN/conffiles"
chmod 0644 "$CTL_STAGE/DEBIAN/conffiles"
[ ! -e "$CTL_STAGE/etc/falcon/falcon.conf" ] || die "the package must not ship /etc/falcon/falcon.conf"

# --- falconctl(8) and bash completion, generated from falconctl's command table --
# (npm run gen:cli-docs writes them; a unit test fails when they are stale)
gzip -9n < man/falconctl.8 > "$CTL_STAGE/usr/share/man/man8/falconctl.8.gz"
chmod 0644 "$CTL_STAGE/usr/share/man/man8/falconctl.8.gz"
install -D -m 0644 contrib/bash-completion/falconctl "$CTL_STAGE/usr/share/bash-completion/completions/falconctl"

# --- documentation ----------------------------------------------------------
cat > "$CTL_STAGE$CTL_DOC/copyright" <<'EOF'
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: falcon
Upstream-Contact: Falcon developers <maintainers@users.noreply.r-seed-ee101919.example>
Comment: falconctl, the Falcon SDK it is built on (compiled from TypeScript)
 and its native addon are installed under /usr/lib/falcon/, with the two npm
 packages they need at run time under /usr/lib/falcon/node_modules/. SPDX:
 GPL-2.0-only; node_modules: MIT.

Files: *
Copyright: 2026 Falcon developers
License: GPL-2

Files: node_modules/bindings/*
Copyright: 2012 Nathan Rajlich <nathan@tootallnate.net>
License: Expat

Files: node_modules/file-uri-to-path/*
Copyright: 2014 Nathan Rajlich <nathan@tootallnate.net>
License: Expat

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

License: Expat
 Permission is hereby granted, free of charge, to any person obtaining
 a copy of this software and associated documentation files (the
 'Software'), to deal in the Software without restriction, including
 without limitation the rights to use, copy, modify, merge, publish,
 distribute, sublicense, and/or sell copies of the Software, and to
 permit persons to whom the Software is furnished to do so, subject to
 the following conditions:
 .
 The above copyright notice and this permission notice shall be
 included in all copies or substantial portions of the Software.
 .
 THE SOFTWARE IS PROVIDED 'AS IS', WITHOUT WARRANTY OF ANY KIND,
 EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF
 MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT.
 IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY
 CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT,
 TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE
 SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
EOF
chmod 0644 "$CTL_STAGE$CTL_DOC/copyright"

{
  echo "$CTL ($VERSION) unstable; urgency=medium"
  echo
  echo "  * Release $VERSION: falconctl, its native addon, and falcon.service,"
  echo "    which applies /etc/falcon/falcon.conf at boot."
  echo
  echo " -- $MAINTAINER  $(LC_ALL=C date -u -R -d "@$SOURCE_DATE_EPOCH")"
} | gzip -9n > "$CTL_STAGE$CTL_DOC/changelog.gz"
chmod 0644 "$CTL_STAGE$CTL_DOC/changelog.gz"

# --- maintainer scripts: what dh_installsystemd would write --------------------
# Enabled at install (a no-op until /etc/falcon/falcon.conf exists), started
# only where systemd runs (not in a container or a chroot); stopped on remove;
# the enable links and deb-systemd-helper's state go on purge.
cat > "$CTL_STAGE/DEBIAN/postinst" <<'EOF'
#!/bin/sh
# falconctl postinst: enables falcon.service (it applies /etc/falcon/falcon.conf
# at boot, and does nothing while that file does not exist), and starts it when
# systemd is running.
set -e

case "$1" in
  configure|abort-upgrade|abort-deconfigure|abort-remove)
    if command -v deb-systemd-helper >/dev/null 2>&1; then
      # Removes only the mask deb-systemd-helper made when the package was removed.
      deb-systemd-helper unmask falcon.service >/dev/null || true
      # was-enabled is true on a first install: enable; later, keep the admin's choice.
      if deb-systemd-helper --quiet was-enabled falcon.service; then
        deb-systemd-helper enable falcon.service >/dev/null || true
      else
        deb-systemd-helper update-state falcon.service >/dev/null || true
      fi
    fi
    if [ -d /run/systemd/system ]; then
      systemctl --system daemon-reload >/dev/null || true
      if command -v deb-systemd-invoke >/dev/null 2>&1; then
        if [ -n "$2" ]; then action=restart; else action=start; fi
        deb-systemd-invoke "$action" falcon.service >/dev/null || true
      fi
    fi
    ;;
  *)
    echo "postinst called with unknown argument '$1'" >&2
    exit 1
    ;;
esac

exit 0
EOF

cat > "$CTL_STAGE/DEBIAN/prerm" <<'EOF'
#!/bin/sh
# falconctl prerm: stops falcon.service when systemd is running (what it
# applied stays applied: the module keeps its settings until it is unloaded).
set -e

case "$1" in
  remove)
    if [ -d /run/systemd/system ] && command -v deb-systemd-invoke >/dev/null 2>&1; then
      deb-systemd-invoke stop falcon.service >/dev/null || true
    fi
    ;;
  upgrade|deconfigure|failed-upgrade)
    ;;
  *)
    echo "prerm called with unknown argument '$1'" >&2
    exit 1
    ;;
esac

exit 0
EOF

cat > "$CTL_STAGE/DEBIAN/postrm" <<'EOF'
#!/bin/sh
# falconctl postrm: on remove, masks falcon.service (its enable link outlives
# the unit file until purge); on purge, removes the enable links and
# deb-systemd-helper's record of them, and the mask.
set -e

case "$1" in
  remove)
    if command -v deb-systemd-helper >/dev/null 2>&1; then
      deb-systemd-helper mask falcon.service >/dev/null || true
    fi
    ;;
  purge)
    if command -v deb-systemd-helper >/dev/null 2>&1; then
      deb-systemd-helper purge falcon.service >/dev/null || true
      deb-systemd-helper unmask falcon.service >/dev/null || true
    fi
    ;;
  upgrade|failed-upgrade|abort-install|abort-upgrade|disappear)
    ;;
  *)
    echo "postrm called with unknown argument '$1'" >&2
    exit 1
    ;;
esac

if [ -d /run/systemd/system ]; then
  systemctl --system daemon-reload >/dev/null || true
fi

exit 0
EOF
chmod 0755 "$CTL_STAGE/DEBIAN/postinst" "$CTL_STAGE/DEBIAN/prerm" "$CTL_STAGE/DEBIAN/postrm"

# --- control ----------------------------------------------------------------
# The addon's shared libraries (libc6, libstdc++6, ...), as dpkg-shlibdeps
# finds them; its napi_* symbols come from node itself (nodejs >= 20).
shlibs_dir=$(mktemp -d)
trap 'rm -rf "$shlibs_dir"' EXIT
mkdir -p "$shlibs_dir/debian"
printf 'Source: falcon\n\nPackage: %s\nArchitecture: any\n' "$CTL" > "$shlibs_dir/debian/control"
shlibs=$(cd "$shlibs_dir" && dpkg-shlibdeps -O --warnings=0 "$CTL_STAGE$CTL_ROOT/$ADDON" 2>/dev/null | sed -n 's/^shlibs:Depends=//p') ||
  die "dpkg-shlibdeps failed on $ADDON"
[ -n "$shlibs" ] || die "dpkg-shlibdeps found no shared library dependency for $ADDON"

installed_size=$(du -sk --apparent-size --exclude=DEBIAN "$CTL_STAGE" | cut -f1)
cat > "$CTL_STAGE/DEBIAN/control" <<EOF
Package: $CTL
Version: $VERSION
Architecture: $ARCH
Maintainer: $MAINTAINER
Installed-Size: $installed_size
Depends: nodejs (>= 20), $PKG (= $VERSION), $shlibs
Section: net
Priority: optional
Description: Falcon packet-steering control tool and boot-time configuration
 Falcon pipelines container-overlay packet processing across cores: on a
 VXLAN overlay (Docker, Flannel, Calico) each receive stage of a flow can run
 on its own CPU, balanced by load, instead of every stage running in one
 softirq on one core. The kernel module comes in the falcon-dkms package.
 .
 This package provides falconctl, the command line tool that configures the
 module over Generic Netlink (steering settings, attached devices, counters,
 a configuration file it can save and apply), and falcon.service, which
 applies /etc/falcon/falcon.conf at boot after the module can load. The
 service is enabled on install and does nothing until that file exists.
 falconctl runs on Node.js 20 or later.
EOF
chmod 0644 "$CTL_STAGE/DEBIAN/control"

finish_deb "$CTL_STAGE" "$CTL_DEB"
