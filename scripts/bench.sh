#!/usr/bin/env bash
# bench.sh: measure `sdkvet scan` on a large generated APK and a large
# generated IPA, each against `unzip -t` on the same file.
#
# Builds bin/sdkvet, generates testdata/bench/large.apk (full size,
# > 100 MB) and testdata/bench/large.ipa (full size, > 200 MB, fat
# binaries, 37 frameworks) once each (BENCH_REGEN=1 regenerates them), then
# for each package times `unzip -t` and `sdkvet scan` on it (RUNS runs
# each, default 3; the median is reported) and records sdkvet's peak RSS.
# Prints a table per package and a "GOAL MISSED" line per missed goal
# (sdkvet/unzip <= 0.5, peak RSS <= 256 MiB); exits 0 either way, non-zero
# only when something fails to run. BENCH_PARTS="apk" or "ipa" runs one
# part only (default: both). BENCH_PARTS="source" and "batch" run the parts
# described above them below (not in the default).
#
# The IPA part runs sdkvet once more, untimed (BENCH_DIAG=0 skips it), to
# split the cost between the sdkvet process and the go-macho children it
# starts (two per Mach-O slice): their CPU time, and the sdkvet process's
# own peak RSS (VmHWM) as opposed to the largest child's.
set -euo pipefail

cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
PARTS=${BENCH_PARTS:-apk ipa}
APK=testdata/bench/large.apk
STATS=testdata/bench/large.stats
IPA=testdata/bench/large.ipa
IPA_STATS=testdata/bench/large-ipa.stats
RATIO_GOAL=0.5
RSS_GOAL_MIB=256

for tool in go unzip awk; do
	command -v "$tool" >/dev/null || { echo "bench.sh: $tool not found" >&2; exit 1; }
done

echo "== building bin/sdkvet"
# Same build as `make build`: libdeflate when its header is installed.
TAGS=${TAGS-$( [ -f /usr/include/libdeflate.h ] && echo libdeflate )}
go build -tags "$TAGS" -o bin/sdkvet ./cmd/sdkvet
echo "build tags: ${TAGS:-none} (libdeflate: whole-entry inflater)"

if [[ " $PARTS " == *" apk "* ]] && [[ ! -s $APK || ! -s $STATS || ${BENCH_REGEN:-0} == 1 ]]; then
	echo "== generating $APK (full size)"
	mkdir -p "$(dirname "$APK")"
	go run ./internal/fixture/bigapk/cmd/mkbigapk -out "$APK" >"$STATS.tmp"
	mv "$STATS.tmp" "$STATS"
fi
if [[ " $PARTS " == *" ipa "* ]] && [[ ! -s $IPA || ! -s $IPA_STATS || ${BENCH_REGEN:-0} == 1 ]]; then
	echo "== generating $IPA (full size)"
	mkdir -p "$(dirname "$IPA")"
	go run ./internal/fixture/bigipa/cmd/mkbigipa -out "$IPA" >"$IPA_STATS.tmp"
	mv "$IPA_STATS.tmp" "$IPA_STATS"
fi

stat_of() { awk -F= -v k="$1" '$1 == k { print $2 }' "${2:-$STATS}"; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Peak RSS: GNU time's %M (ru_maxrss from wait4) when /usr/bin/time exists.
# It is the larger of sdkvet's own peak and that of its largest child; for
# the APK the children (one contained parser each, for the manifest and the
# label) are short-lived and small, so this is the parent's peak. Without
# GNU time, VmHWM of the sdkvet process itself is sampled from /proc until
# it exits. BENCH_RSS=proc forces the /proc sampling.
if [[ ${BENCH_RSS:-} != proc && -x /usr/bin/time ]] && /usr/bin/time -f %M true >/dev/null 2>&1; then
	rss_method="/usr/bin/time %M (sdkvet process; children are smaller)"
	# For the IPA, children are go-macho parsers of up to 40 MB slices;
	# each child's ru_maxrss also counts sdkvet's RSS at the moment it was
	# started (vfork + exec), so %M stays sdkvet's peak unless a child
	# outgrows it. The diagnostic run reports sdkvet's own VmHWM.
	ipa_rss_method="/usr/bin/time %M (sdkvet or its largest child)"
	run_sdkvet() {
		/usr/bin/time -f %M -o "$tmp/rss" bin/sdkvet scan --format json --allow-incomplete -o /dev/null "$1"
	}
	read_rss() { tail -n1 "$tmp/rss"; }
else
	rss_method="VmHWM of the sdkvet process (sampled from /proc)"
	ipa_rss_method=$rss_method
	run_sdkvet() {
		bin/sdkvet scan --format json --allow-incomplete -o /dev/null "$1" &
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

# measure FILE: sets unzip_s, sdkvet_s, ratio, rss_mib, size_bytes, size_mb.
measure() {
	local file=$1 i t0 t1 rc r
	size_bytes=$(stat -c %s "$file")

	# Warm the page cache so that both tools read from memory.
	cat "$file" >/dev/null

	echo "== unzip -t $file ($RUNS runs)"
	local unzip_times=()
	for ((i = 1; i <= RUNS; i++)); do
		t0=$(now)
		unzip -tqq "$file" >/dev/null
		t1=$(now)
		unzip_times+=("$(elapsed "$t0" "$t1")")
	done
	echo "   ${unzip_times[*]} s"

	echo "== sdkvet scan $file ($RUNS runs)"
	local sdkvet_times=()
	rss_kb=0
	for ((i = 1; i <= RUNS; i++)); do
		t0=$(now)
		rc=0
		run_sdkvet "$file" || rc=$?
		t1=$(now)
		# 1 means banned SDKs were found, as they are in these packages.
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
}

# goals prints a GOAL MISSED line per goal the last measure missed; $1
# names the package in the lines.
goals() {
	if awk -v r="$ratio" -v g="$RATIO_GOAL" 'BEGIN { exit !(r > g) }'; then
		echo "GOAL MISSED: ${1}sdkvet/unzip time ratio $ratio > $RATIO_GOAL"
	fi
	if awk -v r="$rss_mib" -v g="$RSS_GOAL_MIB" 'BEGIN { exit !(r > g) }'; then
		echo "GOAL MISSED: ${1}peak RSS $rss_mib MiB > $RSS_GOAL_MIB MiB"
	fi
}

# diagnose FILE: one untimed scan, sampling /proc/PID/stat and status of
# the sdkvet process until it exits: its own CPU time, that of the
# children it has reaped (the go-macho parsers), and its own VmHWM.
# Builtins only in the loop. Sets diag_* variables.
diagnose() {
	local tck stat f key val _ hwm=0 self=0 kids=0 t0 t1
	tck=$(getconf CLK_TCK)
	t0=$(now)
	bin/sdkvet scan --format json --allow-incomplete -o /dev/null "$1" &
	local pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		if read -r stat <"/proc/$pid/stat" 2>/dev/null; then
			read -ra f <<<"${stat##*) }"
			# Fields 14-17 of stat: utime stime cutime cstime.
			self=$((f[11] + f[12]))
			kids=$((f[13] + f[14]))
		fi
		while read -r key val _; do
			if [[ $key == VmHWM: ]]; then hwm=$val; fi
		done <"/proc/$pid/status" 2>/dev/null || true
		sleep 0.02
	done
	wait "$pid" || true
	t1=$(now)
	diag_wall=$(elapsed "$t0" "$t1")
	diag_self_s=$(awk -v t="$self" -v h="$tck" 'BEGIN { printf "%.2f", t / h }')
	diag_kids_s=$(awk -v t="$kids" -v h="$tck" 'BEGIN { printf "%.2f", t / h }')
	diag_hwm_mib=$(awk -v k="$hwm" 'BEGIN { printf "%.1f", k / 1024 }')
}

if [[ " $PARTS " == *" apk "* ]]; then
	dex_count=$(unzip -Z1 "$APK" | grep -cE '^classes[0-9]*\.dex$' || true)
	classes=$(stat_of classes)

	measure "$APK"

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

	goals ""
fi

if [[ " $PARTS " == *" ipa "* ]]; then
	# Frameworks are the Payload/X.app/Frameworks/Y.framework folders.
	fw_count=$(unzip -Z1 "$IPA" | awk -F/ '$1 == "Payload" && $3 == "Frameworks" && $4 ~ /\.framework$/ { print $4 }' | sort -u | wc -l)
	macho_files=$(stat_of macho_files "$IPA_STATS")
	macho_slices=$(stat_of macho_slices "$IPA_STATS")
	main_mb=$(awk -v s="$(stat_of main_executable_bytes "$IPA_STATS")" 'BEGIN { printf "%.1f", s / 1e6 }')
	macho_mb=$(awk -v s="$(stat_of macho_bytes "$IPA_STATS")" 'BEGIN { printf "%.1f", s / 1e6 }')
	objc_classes=$(stat_of objc_classes "$IPA_STATS")

	measure "$IPA"
	if [[ ${BENCH_DIAG:-1} != 0 ]]; then
		echo "== sdkvet scan $IPA (1 untimed run, sampling /proc)"
		diagnose "$IPA"
	fi

	echo
	printf '%-34s %s\n' "file" "$IPA"
	printf '%-34s %s MB (%s bytes)\n' "file size" "$size_mb" "$size_bytes"
	printf '%-34s %s\n' "frameworks" "$fw_count"
	printf '%-34s %s (%s slices, %s MB; main executable %s MB)\n' "Mach-O binaries" "$macho_files" "$macho_slices" "$macho_mb" "$main_mb"
	printf '%-34s %s\n' "Objective-C classes" "$objc_classes"
	printf '%-34s %s\n' "unzip -t, median of $RUNS (s)" "$unzip_s"
	printf '%-34s %s\n' "sdkvet scan, median of $RUNS (s)" "$sdkvet_s"
	printf '%-34s %s (goal <= %s)\n' "ratio sdkvet/unzip" "$ratio" "$RATIO_GOAL"
	printf '%-34s %s (goal <= %s; max of %s runs)\n' "sdkvet peak RSS (MiB)" "$rss_mib" "$RSS_GOAL_MIB" "$RUNS"
	printf '%-34s %s\n' "RSS measured with" "$ipa_rss_method"
	if [[ ${BENCH_DIAG:-1} != 0 ]]; then
		printf '%-34s %s s wall; CPU %s s sdkvet, %s s go-macho children\n' "untimed run, split" "$diag_wall" "$diag_self_s" "$diag_kids_s"
		printf '%-34s %s\n' "sdkvet process VmHWM (MiB)" "$diag_hwm_mib"
	fi
	echo

	goals "IPA: "
fi
# Source part (BENCH_PARTS=source): a generated source tree of 50,000 files,
# about 1 GiB (SDKVET_BENCH_SCALE scales it), scanned by sdkvet and searched by
# `grep -rFf patterns.txt` with the signature database's hosts and package
# prefixes, in the same run. Goal: sdkvet <= 2.0x grep's wall time.
if [[ " $PARTS " == *" source "* ]]; then
	SRC=testdata/bench/source
	SRC_STATS=testdata/bench/source.stats
	PATTERNS=testdata/bench/patterns.txt
	SRC_GOAL=2.0
	scale=${SDKVET_BENCH_SCALE:-1}
	if [[ ! -s $SRC_STATS || ! -s $PATTERNS || ${BENCH_REGEN:-0} == 1 || $(stat_of scale "$SRC_STATS") != "$scale" ]]; then
		echo "== generating $SRC (scale $scale)"
		rm -rf "$SRC"
		go run ./internal/fixture/bigsource/cmd/mkbigsource -out "$SRC" -scale "$scale" -patterns "$PATTERNS" >"$SRC_STATS.tmp"
		echo "scale=$scale" >>"$SRC_STATS.tmp"
		mv "$SRC_STATS.tmp" "$SRC_STATS"
	fi
	files=$(stat_of files "$SRC_STATS")
	bytes=$(stat_of bytes "$SRC_STATS")
	find "$SRC" -type f -exec cat {} + >/dev/null # warm the page cache for both tools
	grep_times=() sdkvet_times=()
	for _ in $(seq "$RUNS"); do
		t0=$(now)
		LC_ALL=C grep -rFf "$PATTERNS" "$SRC" >/dev/null || true
		t1=$(now)
		grep_times+=("$(elapsed "$t0" "$t1")")
		t0=$(now)
		rc=0
		bin/sdkvet scan --format json --allow-incomplete -o "$tmp/source.json" "$SRC" || rc=$?
		t1=$(now)
		if [[ $rc != 0 && $rc != 1 ]]; then
			echo "bench.sh: sdkvet scan exited with status $rc" >&2
			exit 1
		fi
		sdkvet_times+=("$(elapsed "$t0" "$t1")")
	done
	grep_s=$(median "${grep_times[@]}")
	sdkvet_s=$(median "${sdkvet_times[@]}")
	ratio=$(awk -v a="$sdkvet_s" -v b="$grep_s" 'BEGIN { printf "%.2f", a / b }')
	echo
	printf '%-34s %s\n' "tree" "$SRC"
	printf '%-34s %s files, %s MB\n' "size" "$files" "$(awk -v b="$bytes" 'BEGIN { printf "%.0f", b / 1e6 }')"
	printf '%-34s %s\n' "patterns" "$(wc -l <"$PATTERNS") ($PATTERNS)"
	printf '%-34s %s\n' "grep -rFf, median of $RUNS (s)" "$grep_s"
	printf '%-34s %s (%s files/s)\n' "sdkvet scan, median of $RUNS (s)" "$sdkvet_s" "$(awk -v f="$files" -v t="$sdkvet_s" 'BEGIN { printf "%.0f", f / t }')"
	printf '%-34s %s (goal <= %s)\n' "ratio sdkvet/grep" "$ratio" "$SRC_GOAL"
	echo
	if awk -v r="$ratio" -v g="$SRC_GOAL" 'BEGIN { exit !(r > g) }'; then
		echo "GOAL MISSED: source: sdkvet/grep time ratio $ratio > $SRC_GOAL"
	fi
fi
# Batch part (BENCH_PARTS=batch): a folder of BATCH_N packages (default
# 200), copies of the sample packages that mkfixtures writes, without the
# two deliberately hostile resource tables (hostile-table.apk,
# greedy-table.apk) that run into the parser timeout. Times
# `sdkvet scan --progress none -j 1` and `-j 2` over the folder in the same
# run (RUNS runs each, median) and prints packages/s and the speed-up of two
# workers over one. A scan of one package, timed the same way, is the fixed
# cost of a run (start, signature compilation); the speed-up is also given
# net of it, which is what a batch of thousands of packages approaches.
if [[ " $PARTS " == *" batch "* ]]; then
	BATCH=testdata/bench/batch
	n=${BATCH_N:-200}
	if [[ ${BENCH_REGEN:-0} == 1 || $(find "$BATCH" -maxdepth 1 -type f 2>/dev/null | wc -l) != "$n" ]]; then
		echo "== generating $BATCH ($n packages)"
		rm -rf "$BATCH"
		mkdir -p "$BATCH"
		go run ./internal/fixture/mkfixtures -out "$tmp/samples" >/dev/null
		rm -f "$tmp/samples/hostile-table.apk" "$tmp/samples/greedy-table.apk"
		mapfile -t samples < <(find "$tmp/samples" -maxdepth 1 -type f -printf '%f\n' | sort)
		for ((i = 0; i < n; i++)); do
			s=${samples[i % ${#samples[@]}]}
			cp "$tmp/samples/$s" "$BATCH/$(printf '%04d' "$i")-$s"
		done
	fi
	bytes=$(find "$BATCH" -maxdepth 1 -type f -printf '%s\n' | awk '{ s += $1 } END { print s }')
	find "$BATCH" -maxdepth 1 -type f -exec cat {} + >/dev/null # warm the page cache
	declare -A batch_s
	one=$(find "$BATCH" -maxdepth 1 -type f -name '*.apk' | sort | head -n1)
	echo "== sdkvet scan $one, the fixed cost ($RUNS runs)"
	times=()
	for _ in $(seq "$RUNS"); do
		t0=$(now)
		bin/sdkvet scan --progress none -j 1 --allow-incomplete --format json -o /dev/null "$one" 2>/dev/null || true
		t1=$(now)
		times+=("$(elapsed "$t0" "$t1")")
	done
	echo "   ${times[*]} s"
	fixed_s=$(median "${times[@]}")
	for jobs in 1 2; do
		echo "== sdkvet scan -j $jobs $BATCH ($RUNS runs)"
		times=()
		for _ in $(seq "$RUNS"); do
			t0=$(now)
			rc=0
			bin/sdkvet scan --progress none -j "$jobs" --allow-incomplete --format json -o "$tmp/batch.json" "$BATCH" 2>/dev/null || rc=$?
			t1=$(now)
			if ((rc > 1)); then
				echo "bench.sh: sdkvet scan -j $jobs exited with status $rc" >&2
				exit 1
			fi
			times+=("$(elapsed "$t0" "$t1")")
		done
		echo "   ${times[*]} s"
		batch_s[$jobs]=$(median "${times[@]}")
	done
	targets=$(grep -c '^      "path": ' "$tmp/batch.json" || true)
	rate() { awk -v n="$n" -v t="$1" 'BEGIN { printf "%.1f", n / t }'; }
	echo
	printf '%-34s %s\n' "folder" "$BATCH"
	printf '%-34s %s packages, %s KB (%s targets in the report)\n' "size" "$n" "$(awk -v b="$bytes" 'BEGIN { printf "%.0f", b / 1e3 }')" "$targets"
	printf '%-34s %s\n' "cores" "$(nproc)"
	printf '%-34s %s s (%s packages/s)\n' "-j 1, median of $RUNS" "${batch_s[1]}" "$(rate "${batch_s[1]}")"
	printf '%-34s %s s (%s packages/s)\n' "-j 2, median of $RUNS" "${batch_s[2]}" "$(rate "${batch_s[2]}")"
	printf '%-34s %s\n' "speed-up -j 2 / -j 1" "$(awk -v a="${batch_s[1]}" -v b="${batch_s[2]}" 'BEGIN { printf "%.2fx", a / b }')"
	printf '%-34s %s s (one package, median of %s)\n' "fixed cost of a run" "$fixed_s" "$RUNS"
	printf '%-34s %s\n' "speed-up net of the fixed cost" "$(awk -v a="${batch_s[1]}" -v b="${batch_s[2]}" -v f="$fixed_s" 'BEGIN { if (b > f) printf "%.2fx", (a - f) / (b - f); else print "n/a (runs too short)" }')"
	echo
fi
exit 0
