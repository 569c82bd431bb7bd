#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the host packages and prepare the patched kernel tree.
#
# Idempotent: packages are only installed when one is missing, and the
# tree is only re-created when the Debian source package or the patch
# series changed.  Overlay files are synchronised on every run (rsync
# keeps timestamps of unchanged files, so builds stay incremental).

set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/harness/lib.sh"

PACKAGES=(
	linux-source-6.12 device-tree-compiler qemu-system-arm
	gcc-aarch64-linux-gnu libc6-dev-arm64-cross
	gcc-arm-linux-gnueabihf libc6-dev-armhf-cross
	gcc make flex bison bc libelf-dev libssl-dev ccache graphviz
	python3 python3-docutils python3-ply sparse mypy cpio xz-utils rsync git
)

sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)

missing=()
for p in "${PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	log "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	"${sudo_cmd[@]}" apt-get update -q
	"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# A static arm64 busybox gives the guest a shell for the kernel's shell
# selftests.  Debian's busybox-static:arm64 is unpacked into $WORK, not
# installed; apt only needs the arm64 package lists to fetch it.
busybox=$WORK/busybox/bin/busybox
if [ ! -x "$busybox" ]; then
	mkdir -p "$WORK"
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		log "adding the arm64 package architecture for busybox-static:arm64"
		"${sudo_cmd[@]}" dpkg --add-architecture arm64
		"${sudo_cmd[@]}" apt-get update -q
	fi
	deb=$(mktemp -d)
	(cd "$deb" && { apt-get download -q -o APT::Sandbox::User=root \
			busybox-static:arm64 ||
		{ "${sudo_cmd[@]}" apt-get update -q &&
		  apt-get download -q -o APT::Sandbox::User=root \
			busybox-static:arm64; }; }) >/dev/null
	rm -rf "$WORK/busybox"
	dpkg-deb -x "$deb"/busybox-static_*_arm64.deb "$WORK/busybox"
	rm -rf "$deb"
	[ -x "$busybox" ] || die "no busybox in busybox-static:arm64"
fi

pkgver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
tarball=/usr/src/linux-source-6.12.tar.xz
[ -f "$tarball" ] || die "$tarball missing after install"

mkdir -p "$WORK" "$CCACHE_DIR"
echo "linux-source-6.12 $pkgver" > "$WORK/base-version"

# The pristine tree is a git repository: commit "base" is the unpacked
# Debian source, every patch of the series becomes one commit on top, so
# edits can be turned back into the series with harness/refresh-series.
series_id=$( (echo "$pkgver"; series_patches; series_patches |
	xargs -r cat) | sha256sum | cut -c1-16)

if [ ! -f "$SRC/.probe-graph-series" ] ||
   [ "$(cat "$SRC/.probe-graph-series")" != "$series_id" ]; then
	if [ ! -f "$SRC/.probe-graph-base" ] ||
	   [ "$(cat "$SRC/.probe-graph-base")" != "$pkgver" ]; then
		log "unpacking $tarball ($pkgver)"
		rm -rf "$SRC" "$WORK/unpack"
		mkdir -p "$WORK/unpack"
		tar -C "$WORK/unpack" -xf "$tarball"
		mv "$WORK/unpack/linux-source-6.12" "$SRC"
		rmdir "$WORK/unpack"
		git_src init -q -b base-tree
		git_src add -A -f
		git_src commit -q -m "linux-source-6.12 $pkgver"
		git_src tag -f base >/dev/null
		echo "$pkgver" > "$SRC/.probe-graph-base"
	fi
	git_src checkout -q -f -B series base
	while read -r patch; do
		log "applying ${patch#"$top"/}"
		# git am refuses any patch that does not apply exactly
		git_src am -q --keep-cr "$patch" ||
			{ git_src am --abort || true; die "$patch does not apply"; }
	done < <(series_patches)
	echo "$series_id" > "$SRC/.probe-graph-series"
fi

# Lay in the files this project owns; they are not part of the series,
# so keep git in the tree from seeing them.
for dir in $(overlays); do
	(cd "$dir" && find . -type f | sed 's|^\./|/|')
done > "$SRC/.git/info/exclude"
printf '/.probe-graph-*\n' >> "$SRC/.git/info/exclude"
# Changed files get the time of the copy, not the overlay's: make must see
# them as newer than objects built from their previous content.
for dir in $(overlays); do
	rsync -rlp --checksum "$dir/" "$SRC/"
done
log "tree ready: $SRC ($(cat "$WORK/base-version"))"
