#!/usr/bin/env bash
# bench.sh: measure `sdkvet scan` on a large generated APK against `unzip -t`.
#
# Builds bin/sdkvet, generates testdata/bench/large.apk once (full size,
# > 100 MB; BENCH_REGEN=1 regenerates it), then times `unzip -t` and
# `sdkvet scan` on it (RUNS runs each, default 3; the median is reported)
# and records sdkvet's peak RSS. Prints a table and a "GOAL MISSED" line per
# missed goal (sdkvet/unzip <= 0.5, peak RSS <= 256 MiB); exits 0 either way,
# non-zero only when something fails to run.
set -euo pipefail

cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
APK=testdata/bench/large.apk
STATS=testdata/bench/large.stats
RATIO_GOAL=0.5
RSS_GOAL_MIB=256

for tool in go unzip awk; do
	command -v "$tool" >/dev/null || { echo "bench.sh: $tool not found" >&2; exit 1; }
done

echo "== building bin/sdkvet"
go build -o bin/sdkvet ./cmd/sdkvet

if [[ ! -s $APK || ! -s $STATS || ${BENCH_REGEN:-0} == 1 ]]; then
	echo "== generating $APK (full size)"
	mkdir -p "$(dirname "$APK")"
	go run ./internal/fixture/bigapk/cmd/mkbigapk -out "$APK" >"$STATS.tmp"
	mv "$STATS.tmp" "$STATS"
fi

stat_of() { awk -F= -v k="$1" '$1 == k { print $2 }' "$STATS"; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

size_bytes=$(stat -c %s "$APK")
dex_count=$(unzip -Z1 "$APK" | grep -cE '^classes[0-9]*\.dex$' || true)
classes=$(stat_of classes)

# Warm the page cache so that both tools read from memory.
cat "$APK" >/dev/null

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "== unzip -t ($RUNS runs)"
unzip_times=()
for ((i = 1; i <= RUNS; i++)); do
	t0=$(now)
	unzip -tqq "$APK" >/dev/null
	t1=$(now)
	unzip_times+=("$(elapsed "$t0" "$t1")")
done
echo "   ${unzip_times[*]} s"

# Peak RSS: GNU time's %M (ru_maxrss from wait4) when /usr/bin/time exists.
# It is the larger of sdkvet's own peak and that of its largest child; the
# children (one contained parser each, for the manifest and the label) are
# short-lived and small, so this is the parent's peak. Without GNU time,
# VmHWM of the sdkvet process itself is sampled from /proc until it exits.
# BENCH_RSS=proc forces the /proc sampling.
if [[ ${BENCH_RSS:-} != proc && -x /usr/bin/time ]] && /usr/bin/time -f %M true >/dev/null 2>&1; then
	rss_method="/usr/bin/time %M (sdkvet process; children are smaller)"
	run_sdkvet() {
		/usr/bin/time -f %M -o "$tmp/rss" bin/sdkvet scan --format json --allow-incomplete -o /dev/null "$APK"
	}
	read_rss() { tail -n1 "$tmp/rss"; }
else
	rss_method="VmHWM of the sdkvet process (sampled from /proc)"
	run_sdkvet() {
		bin/sdkvet scan --format json --allow-incomplete -o /dev/null "$APK" &
		local pid=$! hwm=0 key val _
		# Builtins only, so that sampling costs the measured run little.
		while kill -0 "$pid" 2>/dev/null; do
			while read -r key val _; do
				if [[ $key == VmHWM: ]]; then hwm=$val; fi
			done <"/proc/$pid/status" 2>/dev/null || true
			sleep 0.05
		done
		echo "$hwm" >"$tmp/rss"
		wait "$pid"
	}
	read_rss() { cat "$tmp/rss"; }
fi

echo "== sdkvet scan ($RUNS runs)"
sdkvet_times=()
rss_kb=0
for ((i = 1; i <= RUNS; i++)); do
	t0=$(now)
	rc=0
	run_sdkvet || rc=$?
	t1=$(now)
	# 1 means banned SDKs were found, as they are in this package.
	if ((rc > 1)); then
		echo "bench.sh: sdkvet scan exited with status $rc" >&2
		exit 1
	fi
	sdkvet_times+=("$(elapsed "$t0" "$t1")")
	r=$(read_rss)
	if ((r > rss_kb)); then rss_kb=$r; fi
done
echo "   ${sdkvet_times[*]} s"

unzip_s=$(median "${unzip_times[@]}")
sdkvet_s=$(median "${sdkvet_times[@]}")
ratio=$(awk -v a="$sdkvet_s" -v b="$unzip_s" 'BEGIN { printf "%.2f", a / b }')
rss_mib=$(awk -v k="$rss_kb" 'BEGIN { printf "%.1f", k / 1024 }')
size_mb=$(awk -v s="$size_bytes" 'BEGIN { printf "%.1f", s / 1e6 }')

echo
printf '%-34s %s\n' "file" "$APK"
printf '%-34s %s MB (%s bytes)\n' "file size" "$size_mb" "$size_bytes"
printf '%-34s %s\n' "DEX files" "$dex_count"
printf '%-34s %s\n' "classes" "$classes"
printf '%-34s %s\n' "unzip -t, median of $RUNS (s)" "$unzip_s"
printf '%-34s %s\n' "sdkvet scan, median of $RUNS (s)" "$sdkvet_s"
printf '%-34s %s (goal <= %s)\n' "ratio sdkvet/unzip" "$ratio" "$RATIO_GOAL"
printf '%-34s %s (goal <= %s; max of %s runs)\n' "sdkvet peak RSS (MiB)" "$rss_mib" "$RSS_GOAL_MIB" "$RUNS"
printf '%-34s %s\n' "RSS measured with" "$rss_method"
echo

if awk -v r="$ratio" -v g="$RATIO_GOAL" 'BEGIN { exit !(r > g) }'; then
	echo "GOAL MISSED: sdkvet/unzip time ratio $ratio > $RATIO_GOAL"
fi
if awk -v r="$rss_mib" -v g="$RSS_GOAL_MIB" 'BEGIN { exit !(r > g) }'; then
	echo "GOAL MISSED: peak RSS $rss_mib MiB > $RSS_GOAL_MIB MiB"
fi
exit 0
