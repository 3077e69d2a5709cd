// Command attache is the Attache binary: it ingests and searches diplomatic
// news, answers questions about it with citations, and runs the Discord bot.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"
	_ "time/tzdata" // the zone database ships inside the binary, for bare containers

	"github.com/attache-bot/attache/knowledge/answer"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is main without the process: it returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if err := loadDotEnv(".env"); err != nil {
		fmt.Fprintf(stderr, "attache: %v\n", err)
		return 2
	}
	cfg, err := LoadConfig(os.Getenv)
	if err != nil {
		fmt.Fprintf(stderr, "attache: %v\n", err)
		return 2
	}
	m := NewMain(cfg, stdout, stderr)
	defer m.Close()
	err = m.Run(ctx, args)
	var ue usageError
	var help helpRequested
	switch {
	case err == nil:
		return 0
	case errors.As(err, &help):
		printHelp(stdout, help.fs)
		return 0
	case errors.As(err, &ue):
		if ue.fs != nil {
			printHelp(stderr, ue.fs)
			fmt.Fprintln(stderr)
		}
		fmt.Fprintf(stderr, "attache: %v\n", err)
		return 2
	case errors.Is(err, errFailed):
		return 1 // the command already said what failed
	default:
		fmt.Fprintf(stderr, "attache: %v\n", err)
		return 1
	}
}

// Main wires the program: configuration, logger, database and the command
// that runs. Everything it opens, Close closes.
type Main struct {
	Config Config
	Log    *slog.Logger
	Stdout io.Writer
	Stderr io.Writer

	closers []func() error
	llm     *answer.OpenAI // shared by every model call; see newLLM
}

// NewMain returns a Main that logs to stderr.
func NewMain(cfg Config, stdout, stderr io.Writer) *Main {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	var h slog.Handler = slog.NewTextHandler(stderr, opts)
	if cfg.LogJSON {
		h = slog.NewJSONHandler(stderr, opts)
	}
	return &Main{Config: cfg, Log: slog.New(h), Stdout: stdout, Stderr: stderr}
}

// now is the wall clock, in UTC.
func (m *Main) now() time.Time { return time.Now().UTC() }

// Close releases what Run opened, last opened first.
func (m *Main) Close() error {
	var errs []error
	for i := len(m.closers) - 1; i >= 0; i-- {
		errs = append(errs, m.closers[i]())
	}
	m.closers = nil
	return errors.Join(errs...)
}

// usageError is a mistake in the command line; fs, when set, is the
// command whose usage is shown with it.
type usageError struct {
	msg string
	fs  *flag.FlagSet
}

func (e usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return usageError{msg: fmt.Sprintf(format, a...)} }

// errFailed means the command reported its failures itself.
var errFailed = errors.New("failed")

const usageText = `Attache briefs you on diplomatic news, with citations.

Usage:
  attache demo                       ingest the sample corpus into a temporary database and ask a question
  attache ingest PATH|URL ...        store articles from files, directories, feeds and web pages
  attache search QUERY [--days N] [--source S] [--limit K] [--json]
  attache ask QUESTION [--json] [--as-of DATE]  answer from the stored articles, with numbered citations
  attache whois NAME [--json]        a person's titles, newest first, each dated and cited
  attache summarize [TOPIC] [--days N] [--json]   the news on a topic (or all of it) in the last N days, cited
  attache timeline TOPIC [--days N]  a story so far: its events across the articles, dated and cited
  attache digest [--since 24h]       print the digest of the recent news
  attache feeds add|remove URL, feeds list, feeds poll
  attache serve                      run the Discord bot (DISCORD_TOKEN), until SIGINT or SIGTERM
  attache eval [--set FILE]          score the answerer on the evaluation set over the sample corpus
  attache doctor                     check the database, the LLM server, the Discord settings and addresses
  attache backup FILE                a consistent copy of the SQLite database, checked
  attache export [--since DATE] [FILE]  the archive as JSONL that ingest reads
  attache help [COMMAND]             this text, or a command's usage, flags and an example

Settings come from the environment or a .env file; see .env.example.
attache COMMAND -h shows a command's flags.
`

// Run runs the command named by args[0].
func (m *Main) Run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(m.Stderr, usageText)
		return usagef("no command given")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "ingest":
		return m.runIngest(ctx, rest)
	case "search":
		return m.runSearch(ctx, rest)
	case "ask":
		return m.runAsk(ctx, rest)
	case "whois":
		return m.runWhois(ctx, rest)
	case "summarize", "summarise":
		return m.runSummarize(ctx, rest)
	case "timeline":
		return m.runTimeline(ctx, rest)
	case "eval":
		return m.runEval(ctx, rest)
	case "serve":
		return m.runServe(ctx, rest)
	case "digest":
		return m.runDigest(ctx, rest)
	case "feeds":
		return m.runFeeds(ctx, rest)
	case "demo":
		return m.runDemo(ctx, rest)
	case "doctor":
		return m.runDoctor(ctx, rest)
	case "backup":
		return m.runBackup(ctx, rest)
	case "export":
		return m.runExport(ctx, rest)
	case "help", "-h", "--help":
		if len(rest) > 0 && rest[0] != "help" && rest[0] != "-h" && rest[0] != "--help" {
			if _, ok := helps[rest[0]]; !ok {
				fmt.Fprint(m.Stderr, usageText)
				return usagef("help: no command %q", rest[0])
			}
			return m.Run(ctx, []string{rest[0], "-h"})
		}
		fmt.Fprint(m.Stdout, usageText)
		return nil
	}
	fmt.Fprint(m.Stderr, usageText)
	return usagef("unknown command %q", cmd)
}
