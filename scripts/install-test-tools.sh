#!/usr/bin/env bash
# Installs the Debian packages whose tools the tests use to prove that the
# fixtures are real Android artefacts (aapt/aapt2 with the framework
# resources, dexdump, apksigner, jarsigner via a JDK, readelf, unzip, time)
# and real iOS Mach-O files (clang-14 for arm64-apple-ios objects, ld64.lld-14
# for dylibs and executables, llvm-14's lipo, ar, objdump and nm).
# Tests that need a tool skip when it is absent, so this is best effort on
# machines without apt or root.
set -euo pipefail
need=()
command -v aapt2 >/dev/null || need+=(aapt)
[ -f /usr/share/android-framework-res/framework-res.apk ] || need+=(android-framework-res)
command -v dexdump >/dev/null || need+=(dexdump)
command -v apksigner >/dev/null || need+=(apksigner)
command -v zipalign >/dev/null || need+=(zipalign)
command -v jarsigner >/dev/null || need+=(openjdk-17-jdk-headless)
command -v readelf >/dev/null || need+=(binutils)
command -v unzip >/dev/null || need+=(unzip)
[ -x /usr/bin/time ] || need+=(time)
command -v clang-14 >/dev/null || need+=(clang-14)
command -v ld64.lld-14 >/dev/null || need+=(lld-14)
command -v llvm-lipo-14 >/dev/null || need+=(llvm-14)
# libdeflate: the fast whole-entry inflater the build uses when present.
[ -f /usr/include/libdeflate.h ] || need+=(libdeflate-dev)
# Headless Chromium renders the HTML report (browser test, --format pdf);
# pdftotext reads the PDF back.
command -v chromium >/dev/null || command -v chromium-browser >/dev/null || command -v google-chrome >/dev/null || need+=(chromium fonts-dejavu-core)
command -v pdftotext >/dev/null || need+=(poppler-utils)
# A CJK font, so that Chinese SDK names print in screenshots and PDFs.
[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need+=(fonts-wqy-microhei)
if [ ${#need[@]} -eq 0 ]; then
	echo "test tools: all present"
	exit 0
fi
if ! command -v apt-get >/dev/null; then
	echo "test tools: apt-get not available; tests that need ${need[*]} will skip" >&2
	exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "test tools: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
