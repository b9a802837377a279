#!/usr/bin/env bash
# Runs sdkvet exactly as docs/ci/github-actions.yml and docs/ci/gitlab-ci.yml
# do (the "sdkvet scan ..." line is taken from each file, not copied), on a
# clean package and on one embedding a banned SDK, and checks the exit codes
# and the files the jobs upload. Used by cmd/sdkvet's TestCIExamples:
#   ci-examples-test.sh SDKVET_BINARY CLEAN_APK BANNED_APK [SARIF_OUT_DIR]
# The SARIF files are copied to SARIF_OUT_DIR (when given) for validation.
set -euo pipefail
bin=$1 clean=$2 banned=$3 keep=${4:-}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin"
ln -s "$bin" "$work/bin/sdkvet"

for example in github-actions.yml gitlab-ci.yml; do
	line=$(grep -E '^\s*(- )?(run: )?sdkvet scan ' "$root/docs/ci/$example" | head -1 | sed -E 's/^\s*(- )?(run: )?//')
	[ -n "$line" ] || { echo "$example: no sdkvet scan line" >&2; exit 1; }
	for case in clean banned; do
		dir="$work/$example-$case"
		mkdir -p "$dir"
		if [ $case = clean ]; then app=$clean; want=0; else app=$banned; want=1; fi
		set +e
		(cd "$dir" && PATH="$work/bin:$PATH" APP="$app" bash -c "$line") >"$dir/stdout" 2>"$dir/stderr"
		code=$?
		set -e
		if [ $code -ne $want ]; then
			echo "$example ($case): exit $code, want $want: $(cat "$dir/stderr")" >&2
			exit 1
		fi
		sarif=$(ls "$dir"/*.sarif)
		grep -q '"version": "2.1.0"' "$sarif" || { echo "$example ($case): $sarif is not SARIF 2.1.0" >&2; exit 1; }
		for f in sdkvet.html sdkvet.md; do
			[ -s "$dir/$f" ] || { echo "$example ($case): $f missing" >&2; exit 1; }
		done
		echo "$example ($case): exit $code, $(basename "$sarif") $(wc -c <"$sarif") bytes"
		[ -z "$keep" ] || cp "$sarif" "$keep/$example-$case.sarif"
	done
done
