# scanmail — see README.md. `make run` for the demo, `make test` for every test.
GO      ?= go
BIN     := bin
LDFLAGS := -s -w
ARMFLAGS := CGO_ENABLED=0 GOOS=linux

.PHONY: all build run test test-arm bench arm deps clean

all: build

build:
	$(GO) build -o $(BIN)/ ./cmd/...

# The whole product on this machine: the front panel on this terminal,
# simulated scanner, local identity provider and SMTP server on loopback.
# State goes to ./scanmail.db, mail to ./demo-mail/ (of RUNDIR, when set).
RUNDIR ?= .
run: build
	cd $(RUNDIR) && $(CURDIR)/$(BIN)/scanmaild -demo

# Every test: vet, the race-checked tests, the scan tests on ARM under
# qemu, and the ARM builds.
test: deps
	$(GO) vet ./...
	$(GO) test -race -count=1 -parallel 4 ./...
	# The JPEG encoder's pure-Go path gives the assembly's bytes.
	$(GO) test -count=1 -tags purego -run TestGolden ./scan/jpegenc/
	# Page-size guards and settings' bounds on a 32-bit int, as on ARMv7.
	GOARCH=386 $(GO) test -count=1 -run 'PageSize|Settings' ./scan/ ./device/
	$(MAKE) test-arm
	$(MAKE) arm

# All of scan/... (encoders, writers, links) built for 32-bit ARMv7 and
# arm64 and run under Debian's qemu-user-static: ARM instructions and a
# 32-bit int, not speed. About 2.3 minutes here (2 cores; 1.7 with a warm
# build cache), so all of scan/..., not -short nor a subset; the
# emulated tests run the host's pdftoppm, tesseract, tiffcp, djpeg natively.
test-arm: deps
	GOARCH=arm GOARM=7 $(GO) vet ./scan/...
	GOARCH=arm64 $(GO) vet ./scan/...
	$(ARMFLAGS) GOARCH=arm GOARM=7 $(GO) test -count=1 -exec qemu-arm-static ./scan/...
	$(ARMFLAGS) GOARCH=arm64 $(GO) test -count=1 -exec qemu-aarch64-static ./scan/...

# Go benchmarks, then sending against curl (the median of 11 interleaved
# pairs and their ratio), then the whole-process figures: peak RSS of demo
# jobs of 10 to 500 pages; the panel's start to its home screen and Start
# to Sent through tmux; the web pages' time to first byte beside curl's and
# peak RSS with a live page. Last, the JPEG encoder against libjpeg-turbo's
# cjpeg on A4 pages at quality 75: wall and CPU ms a page, medians of 21
# interleaved runs, and their ratios, ending with a table.
bench: deps
	$(GO) test -run '^$$' -bench . -skip 'SendVsCurl|VsCjpeg' -benchmem ./scan/... ./mailer/... ./device/...
	$(GO) test -run '^$$' -bench SendVsCurl -benchtime 11x ./mailer/
	$(GO) test -run '^$$' -bench 'Process|Panel|Web' -benchtime 1x -timeout 30m ./cmd/scanmaild
	$(MAKE) arm
	@ls -l $(BIN)/linux-arm/scanmaild $(BIN)/linux-arm64/scanmaild
	$(GO) test -run '^$$' -bench VsCjpeg -benchtime 21x ./scan/jpegenc/

# Stripped, static binaries for the board: 32-bit ARMv7 and arm64, without
# the demo's identity provider and SMTP server.
arm:
	$(ARMFLAGS) GOARCH=arm GOARM=7 $(GO) build -tags nodemo -trimpath -ldflags='$(LDFLAGS)' -o $(BIN)/linux-arm/scanmaild ./cmd/scanmaild
	$(ARMFLAGS) GOARCH=arm64 $(GO) build -tags nodemo -trimpath -ldflags='$(LDFLAGS)' -o $(BIN)/linux-arm64/scanmaild ./cmd/scanmaild

# What the tests need from Debian (PDF checkers), installed when missing.
deps:
	@./.ci/deps

clean:
	rm -rf $(BIN) demo-mail demo-relay.pem demo-relay.key scanmail.db scanmaild.sock scanmaild.log spool
