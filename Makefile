# sdkvet — build, test, benchmark, fuzz, lint.
GO      ?= go
BIN     := bin/sdkvet
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X github.com/sdkvet/sdkvet/scanner.Version=$(VERSION)
# A count, not a duration: a duration-based -fuzztime can fail spuriously
# with "context deadline exceeded" in Go 1.26 (golang/go#75804).
FUZZTIME ?= 50000x
# libdeflate (Debian's libdeflate-dev) inflates entries that are read whole
# some 2.7 times as fast as the pure-Go inflater; it is used when its
# header is installed and cgo is on (`make tools` installs it).
TAGS ?= $(shell test -f /usr/include/libdeflate.h && echo libdeflate)

.PHONY: build demo test test-go tools bench bench-rejudge fuzz lint clean release

# cgo: tree-sitter grammars parse source code (a build without cgo still
# reads packages and build manifests, and reports source code as not read).
# Without a C compiler the build falls back to CGO_ENABLED=0 and says so.
CGO ?= $(shell command -v $(CC) >/dev/null 2>&1 && echo 1 || echo 0)

build:
	@[ "$(CGO)" = 1 ] || echo "make build: no C compiler ($(CC)); building without cgo: source code will not be parsed (build manifests and packages are read)" >&2
	CGO_ENABLED=$(CGO) $(GO) build -tags '$(TAGS)' -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/sdkvet

# Build sdkvet, generate the sample packages and scan them.
demo: build
	$(GO) run ./internal/fixture/mkfixtures -out testdata/generated
	-$(BIN) scan testdata/generated/wechat-share.apk
	-$(BIN) scan testdata/generated/pangle-game.ipa
	-$(BIN) scan --allow-incomplete testdata/generated

# Install what the tests use, then run every test and a short fuzz pass.
test: tools test-go fuzz

# Debian's Android tools check that the fixtures are real (tests skip
# them when absent); installed only when missing and apt is available.
tools:
	@bash scripts/install-test-tools.sh

# The store tests also run against a throwaway PostgreSQL cluster on
# loopback (scripts/start-test-postgres.sh), stopped when the tests end.
test-go:
	$(GO) vet -tags '$(TAGS)' ./...
	@eval "$$(bash scripts/start-test-postgres.sh)"; \
		$(GO) test -tags '$(TAGS)' -count=1 ./...; rc=$$?; \
		bash scripts/start-test-postgres.sh stop; exit $$rc

bench: build
	TAGS='$(TAGS)' bash scripts/bench.sh

# Re-judge 10,000 stored packages under new settings (goal: < 10 s).
bench-rejudge:
	$(GO) test -run '^$$' -bench Rejudge -benchtime 2x -timeout 30m ./server/judge/

# Each fuzz target runs a fixed number of inputs (a slow target names its
# own count after a second colon); FUZZTIME=5000000x for a longer campaign.
FUZZ_TARGETS := \
	./server/extractcodec:FuzzDecode \
	./scanner/dex:FuzzParse \
	./scanner/arsc:FuzzStrings \
	./scanner/manifest:FuzzManifestXML \
	./scanner/analyzers/nativelib:FuzzELF \
	./scanner/walk:FuzzWalk:10000x \
	./scanner/aabproto:FuzzDecodeXML \
	./scanner/aabproto:FuzzResourceStrings \
	./scanner/apksig:FuzzParseSigningBlock \
	./scanner/apksig:FuzzFindSigningBlock \
	./scanner/apksig:FuzzParseV1 \
	./scanner/hostscan:FuzzScan \
	./scanner/arfile:FuzzMembers \
	./scanner/iosmeta:FuzzParseInfo \
	./scanner/iosmeta:FuzzParsePrivacy \
	./scanner/iosmeta:FuzzParseProfile \
	./scanner/macho:FuzzPreCheck \
	./scanner/macho:FuzzStringRanges \
	./scanner/macho:FuzzUnpackSlice \
	./scanner/berguard:FuzzCheck \
	./scanner/walk:FuzzLibdeflate \
	./scanner/baseline:FuzzParse \
	./scanner/policy:FuzzParse \
	./signatures:FuzzParse \
	./server/web:FuzzParseFilter \
	./server/web:FuzzSafeNext \
	./scanner/tokens:FuzzLex \
	./scanner/source:FuzzExtract:20000x \
	./scanner/buildfile:FuzzGradle \
	./scanner/buildfile:FuzzGradleKotlin \
	./scanner/buildfile:FuzzVersionCatalog \
	./scanner/buildfile:FuzzPOM \
	./scanner/buildfile:FuzzPodfile \
	./scanner/buildfile:FuzzPodspec \
	./scanner/buildfile:FuzzPodfileLock \
	./scanner/buildfile:FuzzPackageSwift \
	./scanner/buildfile:FuzzPackageResolved \
	./scanner/buildfile:FuzzCartfile \
	./scanner/buildfile:FuzzPackageJSON \
	./scanner/buildfile:FuzzNPMLock \
	./scanner/buildfile:FuzzYarnLock \
	./scanner/buildfile:FuzzPNPMLock \
	./scanner/buildfile:FuzzPubspec \
	./scanner/buildfile:FuzzPubspecLock

fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$$(echo $$t | cut -d: -f1); fn=$$(echo $$t | cut -d: -f2); n=$$(echo $$t | cut -d: -f3); \
		n=$${n:-$(FUZZTIME)}; \
		echo "fuzz $$pkg $$fn ($$n)"; \
		$(GO) test -tags '$(TAGS)' -run '^$$' -fuzz "^$$fn\$$" -fuzztime $$n -fuzzminimizetime 2s $$pkg; \
	done

lint:
	@test -z "$$(gofmt -l .)" || (gofmt -l .; echo "gofmt needed"; exit 1)
	$(GO) vet ./...

# Static binaries for linux/amd64 (cgo, statically linked), linux/arm64,
# darwin/arm64 and windows/amd64 (CGO_ENABLED=0) in dist/, with SHA256SUMS.
release:
	VERSION=$(VERSION) GO=$(GO) bash scripts/release.sh

clean:
	rm -rf bin dist testdata/generated testdata/bench
