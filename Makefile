# Every Go command passes -tags sqlite_fts5: mattn/go-sqlite3 compiles FTS5 only with it.
GO      ?= go
TAGS    := sqlite_fts5
FUZZTIME ?= 5s

STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: demo test fuzz bench build vet lint

## demo: ingest the sample corpus into a temporary database and answer a question (no keys, no network)
demo:
	$(GO) run -tags $(TAGS) ./cmd/attache demo

## build: build the attache binary
build:
	$(GO) build -tags $(TAGS) -o attache ./cmd/attache

## test: vet, every test under the race detector, then each fuzz target briefly
test: vet
	$(GO) test -race -tags $(TAGS) -count=1 ./...
	$(MAKE) fuzz

vet:
	$(GO) vet -tags $(TAGS) ./...

## lint: gofmt (no file may need formatting) and staticcheck
lint:
	@unformatted="$$(gofmt -l .)"; if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) run $(STATICCHECK) -tags $(TAGS) ./...

fuzz:
	$(GO) test -tags $(TAGS) -run '^$$' -fuzz '^FuzzQuery$$' -fuzztime $(FUZZTIME) ./knowledge/sqlite/
	$(GO) test -tags $(TAGS) -run '^$$' -fuzz '^FuzzParseScraped$$' -fuzztime $(FUZZTIME) ./knowledge/ingest/
	$(GO) test -tags $(TAGS) -run '^$$' -fuzz '^FuzzDecodeJSONArticle$$' -fuzztime $(FUZZTIME) ./knowledge/ingest/

## bench: the benchmarks (see README, "Performance"); ATTACHE_BENCH_ARTICLES sets the corpus size
bench:
	$(GO) test -tags $(TAGS) -run '^$$' -bench '^Benchmark(IngestJSONL|Search|Answer|Burst)$$' -benchtime 1x -timeout 60m ./knowledge/sqlite/ ./knowledge/answer/ ./bot/
