#!/usr/bin/env bash
# Builds the release binaries into dist/ with a SHA256SUMS file; no container.
#
#   linux/amd64   cgo on, linked statically (netgo, osusergo): includes the
#                 cgo-only parts (tree-sitter source parsing, libdeflate when
#                 its header is installed). Falls back to CGO_ENABLED=0 when
#                 no C toolchain is present, and says so.
#   linux/arm64, darwin/arm64, windows/amd64
#                 CGO_ENABLED=0: fully static, everything but the cgo-only
#                 parts (source files are still matched by build manifests).
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
VERSION=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
LDFLAGS="-s -w -X github.com/sdkvet/sdkvet/scanner.Version=${VERSION}"
OUT=${OUT:-dist}
rm -rf "$OUT"
mkdir -p "$OUT"

build() { # goos goarch cgo tags extldflags
	local goos=$1 goarch=$2 cgo=$3 tags=$4 ext=$5
	local name="sdkvet-${VERSION}-${goos}-${goarch}"
	[ "$goos" = windows ] && name="${name}.exe"
	local ld="$LDFLAGS"
	[ -n "$ext" ] && ld="$ld -linkmode external -extldflags '$ext'"
	echo "build $name (CGO_ENABLED=$cgo${tags:+, tags $tags})"
	GOOS=$goos GOARCH=$goarch CGO_ENABLED=$cgo \
		$GO build -trimpath -tags "$tags" -ldflags "$ld" -o "$OUT/$name" ./cmd/sdkvet
}

if command -v "${CC:-cc}" >/dev/null 2>&1; then
	tags="netgo,osusergo"
	[ -f /usr/include/libdeflate.h ] && [ -f /usr/lib/x86_64-linux-gnu/libdeflate.a ] && tags="$tags,libdeflate"
	build linux amd64 1 "$tags" "-static"
else
	echo "release: no C compiler: linux/amd64 is built without cgo (no tree-sitter source parsing)" >&2
	build linux amd64 0 "" ""
fi
build linux arm64 0 "" ""
build darwin arm64 0 "" ""
build windows amd64 0 "" ""

(cd "$OUT" && sha256sum sdkvet-* > SHA256SUMS)
cat "$OUT/SHA256SUMS"
