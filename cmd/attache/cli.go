package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/attache-bot/attache/knowledge"
	"github.com/attache-bot/attache/knowledge/ingest"
	"github.com/attache-bot/attache/knowledge/postgres"
	"github.com/attache-bot/attache/knowledge/sqlite"
)

// openDB opens the database at path for writing, creating and migrating
// it if needed; Main closes it.
func (m *Main) openDB(ctx context.Context, path string) (knowledge.Store, error) {
	return m.open(ctx, path, false)
}

// readDB opens the database at path for reading only: it never creates,
// migrates or locks it, so reads run beside an ingest. PostgreSQL reads
// never wait for writers, and opening migrates only under a lock, once.
func (m *Main) readDB(ctx context.Context, path string) (knowledge.Store, error) {
	return m.open(ctx, path, true)
}

func (m *Main) open(ctx context.Context, path string, readOnly bool) (knowledge.Store, error) {
	var db knowledge.Store
	switch {
	case isPostgres(path):
		pg, err := postgres.Open(ctx, path)
		if err != nil {
			return nil, err
		}
		db = pg
	default:
		open := sqlite.Open
		if readOnly {
			open = sqlite.OpenReadOnly
		}
		lite, err := open(ctx, path)
		if err != nil {
			return nil, err
		}
		db = lite
	}
	m.closers = append(m.closers, db.Close)
	return db, nil
}

// isPostgres reports an ATTACHE_DB that names a PostgreSQL database.
func isPostgres(path string) bool {
	return strings.HasPrefix(path, "postgres://") || strings.HasPrefix(path, "postgresql://")
}

// parseArgs parses flags that may come before, between or after the
// positional arguments, which it returns. -h and --help ask for the
// command's help (helpRequested); a flag it does not know is a usage
// error that shows the command's usage.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, helpRequested{fs}
			}
			return nil, usageError{msg: fmt.Sprintf("%s: %v", fs.Name(), err), fs: fs}
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func (m *Main) newIngester(db knowledge.Store) *ingest.Ingester {
	return &ingest.Ingester{
		Store: db,
		Fetcher: ingest.NewFetcher(ingest.FetcherOptions{
			Timeout:  m.Config.FetchTimeout,
			MaxBytes: m.Config.FetchMaxBytes,
		}),
		Log:          m.Log,
		MaxFileBytes: m.Config.FetchMaxBytes,
		RetryFor:     m.Config.DBRetry,
	}
}

func (m *Main) runIngest(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("ingest", flag.ContinueOnError)
	quiet := fs.Bool("quiet", false, "print only the summary: no progress, no list of problems")
	inputs, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(inputs) == 0 {
		return usagef("ingest: give at least one file, directory or URL")
	}
	db, err := m.openDB(ctx, m.Config.DBPath)
	if err != nil {
		return err
	}
	in := m.newIngester(db)
	var prog *progress
	if !*quiet {
		prog = newProgress(m.Stderr)
		in.Progress = prog.update
	}
	sum, err := in.Ingest(ctx, inputs...)
	if prog != nil {
		prog.done()
	}
	if !*quiet {
		printProblems(m.Stderr, sum)
	}
	fmt.Fprintf(m.Stdout, "ingest: %s\n", sum)
	if err != nil && ctx.Err() != nil {
		return errors.New("ingest interrupted; the articles stored before it are kept")
	}
	if err != nil {
		return fmt.Errorf("ingest stopped: %w", err)
	}
	if sum.Failed > 0 {
		return errFailed
	}
	return nil
}

// searchResult is one line of `attache search --json`.
type searchResult struct {
	Title     string    `json:"title"`
	Source    string    `json:"source"`
	URL       string    `json:"url"`
	Published time.Time `json:"published"`
	Snippet   string    `json:"snippet"`
	Score     float64   `json:"score"`
}

func (m *Main) runSearch(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("search", flag.ContinueOnError)
	days := fs.Int("days", 0, "only articles from the last N days")
	source := fs.String("source", "", "only articles from this publication")
	limit := fs.Int("limit", 10, "number of results")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	query := strings.TrimSpace(strings.Join(pos, " "))
	if query == "" {
		return usagef("search: give a query, e.g. attache search \"Iran nuclear talks\"")
	}
	if *days < 0 || *limit < 1 || *limit > knowledge.MaxSearchLimit {
		return usagef("search: --days must be 0 or more and --limit between 1 and %d", knowledge.MaxSearchLimit)
	}
	db, err := m.readDB(ctx, m.Config.DBPath)
	if err != nil {
		return err
	}
	opt := knowledge.SearchOptions{Source: *source, Limit: *limit}
	if *days > 0 {
		opt.Since = m.now().AddDate(0, 0, -*days)
	}
	hits, err := db.Search(ctx, query, opt)
	if err != nil {
		return err
	}
	if *asJSON {
		out := make([]searchResult, len(hits))
		for i, h := range hits {
			out[i] = searchResult{h.Article.Title, h.Article.Source, h.Article.URL, h.Article.Published, h.Snippet, h.Score}
		}
		enc := json.NewEncoder(m.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	if len(hits) == 0 {
		fmt.Fprintf(m.Stdout, "No stored article matches %q.\n", query)
		return nil
	}
	for i, h := range hits {
		fmt.Fprintf(m.Stdout, "%d. %s\n   %s, %s\n   %s\n   %s\n\n", i+1, safeLine(h.Article.Title),
			safeLine(sourceName(h.Article)), h.Article.Day(), safeLine(h.Article.URL), safeLine(h.Snippet))
	}
	return nil
}

func sourceName(a knowledge.Article) string {
	if a.Source == "" {
		return "unknown outlet"
	}
	return a.Source
}

// runDemo ingests the sample corpus into a temporary database, never the
// user's own, and shows the main job on it.
func (m *Main) runDemo(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	corpus := fs.String("corpus", "sample", "the sample corpus directory")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	question := "What is Witkoff's role?"
	if len(pos) > 0 {
		question = strings.Join(pos, " ")
	}
	db, err := m.tempCorpus(ctx, "demo", *corpus)
	if err != nil {
		return err
	}
	return m.demoAnswer(ctx, db, question)
}

// tempCorpus ingests a corpus into a temporary database, never the user's
// own, removed when Main closes.
func (m *Main) tempCorpus(ctx context.Context, command, corpus string) (knowledge.Store, error) {
	if _, err := os.Stat(corpus); err != nil {
		return nil, usagef("%s: the corpus %q is not here; run from the repository root or pass --corpus DIR", command, corpus)
	}
	dir, err := os.MkdirTemp("", "attache-"+command+"-")
	if err != nil {
		return nil, err
	}
	m.closers = append(m.closers, func() error { return os.RemoveAll(dir) })
	db, err := m.openDB(ctx, filepath.Join(dir, command+".db"))
	if err != nil {
		return nil, err
	}
	sum, err := m.newIngester(db).Ingest(ctx, corpus)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(m.Stdout, "Corpus %s: %s (temporary database, removed on exit)\n\n", corpus, sum)
	printProblems(m.Stderr, sum)
	return db, nil
}

// demoAnswer answers the demo's question on the sample corpus.
func (m *Main) demoAnswer(ctx context.Context, db knowledge.Store, question string) error {
	fmt.Fprintf(m.Stdout, "$ attache ask %q\n\n", question)
	return m.ask(ctx, db, question, time.Time{}, false)
}

// printProblems lists an ingest's failures, and how many went unlisted.
func printProblems(w io.Writer, sum ingest.Summary) {
	for _, p := range sum.Problems {
		fmt.Fprintf(w, "error: %s\n", safeLine(p.Error()))
	}
	if more := sum.Failed - len(sum.Problems); more > 0 {
		fmt.Fprintf(w, "error: and %d more\n", more)
	}
}
