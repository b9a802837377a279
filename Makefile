# sdkvet — build, test, benchmark, fuzz, lint.
GO      ?= go
BIN     := bin/sdkvet
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X github.com/sdkvet/sdkvet/scanner.Version=$(VERSION)
# A count, not a duration: a duration-based -fuzztime can fail spuriously
# with "context deadline exceeded" in Go 1.26 (golang/go#75804).
FUZZTIME ?= 50000x

.PHONY: build demo test test-go tools bench fuzz lint clean

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/sdkvet

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

test-go:
	$(GO) vet ./...
	$(GO) test -count=1 ./...

bench: build
	bash scripts/bench.sh

# Each fuzz target runs a fixed number of inputs (a slow target names its
# own count after a second colon); FUZZTIME=5000000x for a longer campaign.
FUZZ_TARGETS := \
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
	./scanner/berguard:FuzzCheck

fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$$(echo $$t | cut -d: -f1); fn=$$(echo $$t | cut -d: -f2); n=$$(echo $$t | cut -d: -f3); \
		n=$${n:-$(FUZZTIME)}; \
		echo "fuzz $$pkg $$fn ($$n)"; \
		$(GO) test -run '^$$' -fuzz "^$$fn\$$" -fuzztime $$n -fuzzminimizetime 2s $$pkg; \
	done

lint:
	@test -z "$$(gofmt -l .)" || (gofmt -l .; echo "gofmt needed"; exit 1)
	$(GO) vet ./...

clean:
	rm -rf bin testdata/generated testdata/bench
