# SPDX-License-Identifier: GPL-2.0
# Shared settings for the harness scripts (sourced, not executed).

: "${top:?}"
# Debian's tools first: the kernel scripts and our checks use what the
# project installs, not whatever else is on the PATH.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
WORK=${PG_WORK:-$top/.build}
SRC=$WORK/linux
# ccache lives outside the checkout, in its default place, so that a
# fresh clone on the same machine reuses what earlier builds cached;
# paths under the checkout are hashed relative to it for the same reason.
export CCACHE_DIR=${CCACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ccache}
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$top}
export CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-5G}
JOBS=${JOBS:-$(nproc)}

log() { printf '[%s] %s\n' "${0##*/}" "$*" >&2; }
die() { printf '[%s] error: %s\n' "${0##*/}" "$*" >&2; exit 1; }

git_src() {
	git -C "$SRC" -c user.name="Probe Graph Developers" \
		-c user.email="probe-graph@example.org" -c advice.detachedHead=false \
		-c core.autocrlf=false "$@"
}

# What the harness applies on "base": the mailable series, patches/ and
# overlay/, then the boot test device, its binding and its vendor prefix,
# harness/test-only/patches/ and harness/test-only/overlay/, which the
# boot tests and benchmarks need and which are never mailed.  POSIX sh:
# the Makefile sources this file too.
TESTONLY=$top/harness/test-only

# overlays: the directories laid over the tree, in order, one a line.
overlays() {
	printf '%s\n' "$top/overlay" "$TESTONLY/overlay"
}

# series_patches: every patch to apply on base, in order, one path a line.
series_patches() {
	for dir in "$top/patches" "$TESTONLY/patches"; do
		[ -f "$dir/series" ] || continue
		grep -v '^\(#.*\)\?$' "$dir/series" | sed "s|^|$dir/|"
	done
}

# write_series <dir>: the git format-patch files in <dir>, one per commit
# on base, become patches/ and, the last N of them, N being the length of
# harness/test-only/patches/series, harness/test-only/patches/.
write_series() {
	n=$(grep -cv '^\(#.*\)\?$' "$TESTONLY/patches/series" 2>/dev/null)
	total=$(find "$1" -maxdepth 1 -name '*.patch' | wc -l)
	[ "$total" -ge "${n:-0}" ] ||
		die "$total commits on base, fewer than the $n test-only patches"
	mkdir -p "$top/patches" "$TESTONLY/patches"
	rm -f "$top"/patches/*.patch "$TESTONLY"/patches/*.patch
	: > "$top/patches/series"
	: > "$TESTONLY/patches/series"
	i=0
	for f in $(find "$1" -maxdepth 1 -name '*.patch' | sort); do
		i=$((i + 1))
		dest=$top/patches
		[ "$i" -gt $((total - ${n:-0})) ] && dest=$TESTONLY/patches
		cp "$f" "$dest/"
		basename "$f" >> "$dest/series"
	done
}
