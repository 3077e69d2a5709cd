package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"mime"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/attache-bot/attache/knowledge"
)

// Store is what ingestion needs of the article store.
type Store interface {
	PutArticles(ctx context.Context, arts []*knowledge.Article) ([]knowledge.PutResult, error)
}

// Ingester reads articles from files, directories and URLs into a Store.
// Parsing and storing overlap: one goroutine parses and normalises while
// another writes the previous batch.
type Ingester struct {
	Store   Store
	Fetcher *Fetcher
	Log     *slog.Logger
	// BatchSize is how many articles share one transaction (default 5000).
	// The first batches are smaller, so that storing starts early while
	// the rest is parsed.
	BatchSize int
	// MaxFileBytes caps one input file, except JSONL which streams (default 10 MiB).
	MaxFileBytes int64
	// MaxProblems caps the problems a Summary lists and the log reports
	// (default 1000); the rest are only counted, so that a huge file of bad
	// lines does not fill memory with its errors.
	MaxProblems int
	// RetryFor bounds how long a batch is tried again while the database
	// server cannot be reached (a restart, a failover), waiting longer
	// each time (default 1 minute); past it the ingest stops, with what
	// was stored kept.
	RetryFor time.Duration
	// Progress, when set, is called with the running totals after each
	// stored batch and each input file (from the ingest's goroutines, one
	// call at a time).
	Progress func(Summary)

	batch      []pending
	batchBytes int // the text the batch holds
	batches    chan []pending
	sent       int        // batches handed to the storing goroutine
	mu         sync.Mutex // guards sum and fatal
	sum        *Summary
	fatal      error // a store failure that stops the ingest
}

// Problem is one input that could not be stored, with where it came from.
type Problem struct {
	Where string // "path", "path:line" or a URL
	Err   error
}

func (p Problem) Error() string { return p.Where + ": " + p.Err.Error() }

// Summary counts what an ingest did.
type Summary struct {
	Added, Updated, Duplicates, Failed int
	Files                              int // input files read
	// Problems lists the first failures (see Ingester.MaxProblems); Failed
	// counts them all.
	Problems []Problem
}

func (s Summary) String() string {
	return fmt.Sprintf("%d new, %d updated, %d duplicates, %d errors", s.Added, s.Updated, s.Duplicates, s.Failed)
}

type pending struct {
	where string
	art   *knowledge.Article
}

// Ingest reads every input (file, directory, read recursively, or http(s)
// URL). A bad file, line or page is recorded in the Summary and skipped; the
// rest is stored. The error is only for a failure that stops everything
// (the context ending, the database failing).
func (in *Ingester) Ingest(ctx context.Context, inputs ...string) (Summary, error) {
	var sum Summary
	in.sum, in.fatal, in.batch, in.sent, in.batchBytes = &sum, nil, nil, 0, 0
	in.batches = make(chan []pending)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for b := range in.batches {
			in.store(ctx, b)
		}
	}()
	err := in.ingestAll(ctx, inputs)
	if err == nil {
		in.flush()
	}
	close(in.batches)
	<-done
	if err == nil {
		err = in.fatal
	}
	in.sum, in.batches, in.batch = nil, nil, nil
	return sum, err
}

func (in *Ingester) ingestAll(ctx context.Context, inputs []string) error {
	for _, input := range inputs {
		if err := in.stopped(ctx); err != nil {
			return err
		}
		var err error
		if strings.HasPrefix(input, "http://") || strings.HasPrefix(input, "https://") {
			err = in.ingestURL(ctx, input)
		} else {
			err = in.ingestPath(ctx, input)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// stopped returns why the ingest must stop, if it must.
func (in *Ingester) stopped(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.fatal
}

func (in *Ingester) problem(where string, err error) {
	limit := in.MaxProblems
	if limit <= 0 {
		limit = 1000
	}
	in.mu.Lock()
	in.sum.Failed++
	listed := len(in.sum.Problems) < limit
	if listed {
		in.sum.Problems = append(in.sum.Problems, Problem{Where: where, Err: err})
	}
	first := in.sum.Failed == limit+1
	in.mu.Unlock()
	switch {
	case in.Log == nil:
	case listed:
		in.Log.Warn("ingest: skipped input", "where", where, "err", err)
	case first:
		in.Log.Warn("ingest: more inputs skipped; counting them without listing", "listed", limit)
	}
}

// add normalises an article and queues it, handing the queue to the storing
// goroutine when it is full.
func (in *Ingester) add(ctx context.Context, where string, a knowledge.Article) error {
	a.Body = dropFurniture(a.Body, a.Title)
	if err := a.Normalize(); err != nil {
		in.problem(where, err)
		return nil
	}
	in.batch = append(in.batch, pending{where, &a})
	in.batchBytes += len(a.Body)
	if len(in.batch) >= in.batchSize() || in.batchBytes >= maxBatchBytes {
		in.flush()
		return in.stopped(ctx)
	}
	return nil
}

// maxBatchBytes bounds the text of one batch, so that long articles do not
// make the two batches in flight large (5,000 news articles hold about 12 MB).
const maxBatchBytes = 32 << 20

// batchSize is the size of the next batch: 1/8 of the full size first,
// doubling up to it. Larger transactions write fewer, larger index segments;
// a small first batch keeps the storing goroutine from waiting.
func (in *Ingester) batchSize() int {
	size := in.BatchSize
	if size <= 0 {
		size = 5000
	}
	return max(1, size>>max(0, 3-in.sent))
}

func (in *Ingester) flush() {
	if len(in.batch) > 0 {
		in.batches <- in.batch
		in.batch, in.batchBytes = nil, 0
		in.sent++
	}
}

// store writes one batch in one transaction; when that fails it stores the
// articles one by one, so one bad article costs only itself.
func (in *Ingester) store(ctx context.Context, batch []pending) {
	if in.stopped(ctx) != nil {
		return
	}
	arts := make([]*knowledge.Article, len(batch))
	for i, p := range batch {
		arts[i] = p.art
	}
	res, err := in.put(ctx, arts)
	if err == nil {
		in.count(res)
		return
	}
	if in.stopOn(ctx, err) {
		return
	}
	for _, p := range batch {
		res, err := in.Store.PutArticles(ctx, []*knowledge.Article{p.art})
		if err != nil {
			if in.stopOn(ctx, err) {
				return
			}
			in.problem(p.where, err)
			continue
		}
		in.count(res)
	}
}

// put stores a batch in one transaction. While the database server cannot
// be reached the batch is tried again, waiting longer each time, for
// RetryFor: the failed transaction was rolled back whole, and a batch whose
// commit was lost with the connection is stored again as duplicates.
func (in *Ingester) put(ctx context.Context, arts []*knowledge.Article) ([]knowledge.PutResult, error) {
	give := time.Now().Add(in.retryFor())
	wait := 250 * time.Millisecond
	for tries := 1; ; tries++ {
		res, err := in.Store.PutArticles(ctx, arts)
		if err == nil || !knowledge.StoreDown(err) || ctx.Err() != nil {
			if err == nil && tries > 1 && in.Log != nil {
				in.Log.Info("ingest: the database is back; storing goes on", "tries", tries)
			}
			return res, err
		}
		if time.Now().Add(wait).After(give) {
			return nil, fmt.Errorf("%w; gave up after %d tries in %s: what was stored before is kept, and the same ingest run again goes on from there",
				err, tries, in.retryFor())
		}
		if in.Log != nil && tries == 1 {
			in.Log.Warn("ingest: the database cannot be reached; trying the batch again", "articles", len(arts), "for", in.retryFor(), "err", err)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, 5*time.Second)
	}
}

func (in *Ingester) retryFor() time.Duration {
	if in.RetryFor > 0 {
		return in.RetryFor
	}
	return time.Minute
}

// stopOn records err as the reason the ingest stops when no later write
// can succeed: the context ended, or the store is unavailable (disk full,
// read-only). Retrying article by article would only repeat the error.
func (in *Ingester) stopOn(ctx context.Context, err error) bool {
	switch {
	case ctx.Err() != nil:
		err = ctx.Err()
	case !errors.Is(err, knowledge.ErrUnavailable):
		return false
	}
	in.mu.Lock()
	if in.fatal == nil {
		in.fatal = err
	}
	in.mu.Unlock()
	return true
}

// progress reports the running totals; the caller holds in.mu.
func (in *Ingester) progress() {
	if in.Progress != nil {
		in.Progress(Summary{Added: in.sum.Added, Updated: in.sum.Updated, Duplicates: in.sum.Duplicates,
			Failed: in.sum.Failed, Files: in.sum.Files})
	}
}

func (in *Ingester) count(res []knowledge.PutResult) {
	in.mu.Lock()
	defer in.mu.Unlock()
	defer in.progress()
	for _, r := range res {
		switch r {
		case knowledge.Added:
			in.sum.Added++
		case knowledge.Updated:
			in.sum.Updated++
		case knowledge.Duplicate:
			in.sum.Duplicates++
		}
	}
}

// Formats the ingester reads, by file name extension.
var formatByExt = map[string]string{
	".txt": "text", ".text": "text",
	".jsonl": "jsonl", ".ndjson": "jsonl",
	".html": "html", ".htm": "html", ".xhtml": "html",
	".xml": "feed", ".rss": "feed", ".atom": "feed",
}

func (in *Ingester) ingestPath(ctx context.Context, path string) error {
	info, err := os.Stat(path)
	if err != nil {
		in.problem(path, readError(err))
		return nil
	}
	if !info.IsDir() {
		return in.ingestFile(ctx, path, formatByExt[strings.ToLower(filepath.Ext(path))])
	}
	var files []string
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			in.problem(p, readError(err))
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() && p != path && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		if !d.IsDir() && formatByExt[strings.ToLower(filepath.Ext(p))] != "" {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return err
	}
	sort.Strings(files)
	for _, f := range files {
		if err := in.stopped(ctx); err != nil {
			return err
		}
		if err := in.ingestFile(ctx, f, formatByExt[strings.ToLower(filepath.Ext(f))]); err != nil {
			return err
		}
	}
	return nil
}

func (in *Ingester) maxFileBytes() int64 {
	if in.MaxFileBytes > 0 {
		return in.MaxFileBytes
	}
	return 10 << 20
}

func (in *Ingester) ingestFile(ctx context.Context, path, format string) error {
	defer func() {
		in.mu.Lock()
		in.sum.Files++
		in.progress()
		in.mu.Unlock()
	}()
	f, err := openRegular(path)
	if err != nil {
		in.problem(path, err)
		return nil
	}
	defer f.Close()
	r := ctxReader{ctx, f}
	if format == "jsonl" {
		return in.ingestJSONL(ctx, path, r)
	}
	data, err := io.ReadAll(io.LimitReader(r, in.maxFileBytes()+1))
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		in.problem(path, readError(err))
		return nil
	}
	if int64(len(data)) > in.maxFileBytes() {
		in.problem(path, fmt.Errorf("file is over the %d MiB limit", in.maxFileBytes()>>20))
		return nil
	}
	return in.ingestDocument(ctx, path, format, "", "", data)
}

// ingestJSONL stores a stream's articles one line at a time. A read error
// ends the file as a problem of its own; the lines before it are kept.
func (in *Ingester) ingestJSONL(ctx context.Context, path string, r io.Reader) error {
	var stop error
	err := readJSONL(r, func(line int, a knowledge.Article, aliases []string, err error) error {
		where := fmt.Sprintf("%s:%d", path, line)
		if err != nil {
			in.problem(where, err)
			return nil
		}
		if stop = in.add(ctx, where, a); stop != nil {
			return stop
		}
		// An alias is the same text under another URL: stored as a
		// duplicate, it is remembered as the article's alias.
		for _, u := range aliases {
			alias := a
			alias.URL = u
			if stop = in.add(ctx, where, alias); stop != nil {
				return stop
			}
		}
		return nil
	})
	switch {
	case stop != nil:
		return stop
	case ctx.Err() != nil:
		return ctx.Err()
	case err != nil:
		in.problem(path, readError(err))
	}
	return nil
}

// openRegular opens an input file, refusing what is not a regular file: a
// FIFO or device would block the open, or never end.
func openRegular(path string) (*os.File, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, readError(err)
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("not a regular file (%s); give files, directories or URLs", fileKind(info.Mode()))
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, readError(err)
	}
	return f, nil
}

func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return m.Type().String()
}

// readError drops the operation and path a *PathError repeats, which the
// problem's "where" already says.
func readError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// ctxReader ends a read when the context ends, so that a slow or endless
// input cannot hold a stopping ingest.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// ingestDocument parses one document of the given format ("" to sniff it).
// pageURL is where it was fetched from, if anywhere.
func (in *Ingester) ingestDocument(ctx context.Context, where, format, pageURL, contentType string, data []byte) error {
	if err := checkText(data); err != nil {
		in.problem(where, err)
		return nil
	}
	if format == "" {
		format = sniff(data)
	}
	data = toUTF8(data, format, contentType)
	switch format {
	case "jsonl":
		return in.ingestJSONL(ctx, where, bytes.NewReader(data))
	case "feed":
		_, items, err := ParseFeed(data)
		if err != nil {
			in.problem(where, err)
			return nil
		}
		for i, it := range items {
			w := fmt.Sprintf("%s item %d", where, i+1)
			if it.Err != nil {
				in.problem(w, it.Err)
				continue
			}
			if err := in.add(ctx, w, it.Article); err != nil {
				return err
			}
		}
		return nil
	case "html":
		a, err := ParseHTML(data, pageURL)
		if err != nil {
			in.problem(where, err)
			return nil
		}
		return in.add(ctx, where, a)
	default:
		a, err := ParseScraped(string(data))
		if err != nil {
			in.problem(where, err)
			return nil
		}
		if pageURL != "" && strings.HasPrefix(a.URL, "urn:") {
			a.URL = pageURL
		}
		return in.add(ctx, where, a)
	}
}

func (in *Ingester) ingestURL(ctx context.Context, rawURL string) error {
	where := redactURL(rawURL) // no credentials or query in reports and logs
	if in.Fetcher == nil {
		in.problem(where, errors.New("fetching URLs is not enabled"))
		return nil
	}
	resp, err := in.Fetcher.Get(ctx, rawURL, "", "")
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		in.problem(where, err)
		return nil
	}
	return in.ingestDocument(ctx, where, formatOfContentType(resp.ContentType), resp.URL, resp.ContentType, resp.Body)
}

func formatOfContentType(ct string) string {
	mt, _, _ := mime.ParseMediaType(ct)
	switch {
	case strings.Contains(mt, "rss"), strings.Contains(mt, "atom"), mt == "application/xml", mt == "text/xml", mt == "application/feed+json":
		return "feed"
	case strings.Contains(mt, "html"):
		return "html"
	case mt == "text/plain":
		return "text"
	}
	return ""
}

// checkText refuses empty and binary input with a clear reason. Text in
// another encoding than UTF-8 is converted (see toUTF8), not refused.
func checkText(data []byte) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return errors.New("empty input")
	}
	head := data[:min(len(data), 8000)]
	if bytes.IndexByte(head, 0) >= 0 {
		return errors.New("binary data, not text")
	}
	return nil
}

// sniff guesses a document's format from its first bytes.
func sniff(data []byte) string {
	head := strings.ToLower(string(bytes.TrimSpace(data[:min(len(data), 1024)])))
	head = strings.TrimPrefix(head, "\ufeff")
	switch {
	case strings.HasPrefix(head, "<?xml") && !strings.Contains(head, "<html"),
		strings.HasPrefix(head, "<rss"), strings.HasPrefix(head, "<feed"), strings.HasPrefix(head, "<rdf"):
		return "feed"
	case strings.HasPrefix(head, "<"):
		return "html"
	case strings.HasPrefix(head, "{"):
		return "jsonl"
	}
	return "text"
}
