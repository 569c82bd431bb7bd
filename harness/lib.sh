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
