package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
)

// cmdHelp is what `attache CMD -h` says besides the flags.
type cmdHelp struct {
	usage   string // after "attache "
	about   string
	example string
}

// helps are the commands' texts; every command has one (a test checks).
var helps = map[string]cmdHelp{
	"ingest": {"ingest [--quiet] PATH|URL ...",
		"Store articles from files (.txt scraped pages, .jsonl, .html, RSS/Atom), directories, feed URLs and web pages.\nRe-ingesting changes nothing; a bad input is reported and skipped.",
		"attache ingest sample/ https://example.org/feed.xml"},
	"search": {"search QUERY [flags]", "Search the stored articles, best match first.",
		`attache search "Iran nuclear talks" --days 30 --limit 5`},
	"ask": {"ask QUESTION [flags]", "Answer a question from the stored articles, with numbered citations that link to them.",
		`attache ask "What is Witkoff's role?" --as-of 2025-10-15`},
	"whois": {"whois NAME [--json]", "A person's titles, newest first, each dated and cited.", "attache whois Witkoff"},
	"summarize": {"summarize [TOPIC] [flags]", "Summarise the news on a topic, or all of it, in the last N days, cited.",
		`attache summarize tariffs --days 0`},
	"timeline": {"timeline TOPIC [flags]", "A story so far: its events across the stored articles, oldest first, one dated and cited line each.",
		`attache timeline "Iran nuclear talks"`},
	"digest": {"digest [--since 24h]", "Print the digest of the recent news, as the bot posts it.", "attache digest --since 48h"},
	"feeds": {"feeds add URL | feeds remove URL | feeds list | feeds poll", "Manage the feeds the bot polls, or poll them once now.",
		"attache feeds add https://example.org/rss.xml"},
	"serve": {"serve", "Run the Discord bot, the digests and the feed poller until SIGINT or SIGTERM (needs DISCORD_TOKEN).", "attache serve"},
	"eval":  {"eval [--set FILE]", "Score the answerer on an evaluation set over the sample corpus.", "attache eval --set eval/questions.json"},
	"demo": {"demo [QUESTION]", "Ingest the sample corpus into a temporary database and answer a question: no keys, no network.",
		`attache demo "Who is Kaja Kallas?"`},
	"doctor": {"doctor", "Check what is configured: the database, the LLM server, the Discord token and key, the HTTP addresses.\nExits 0 only when every configured part works.", "attache doctor"},
	"backup": {"backup FILE", "Write a consistent copy of the SQLite database to FILE while the bot and ingests run, and check it.\nOn PostgreSQL it prints the pg_dump command to use instead.",
		"attache backup attache-2025-10-15.db"},
	"export": {"export [--since DATE] [FILE]", "Write the archive as JSONL in the format ingest reads (to stdout without FILE), to move it\nbetween hosts or from SQLite to PostgreSQL.",
		"attache export --since 2025-01-01 archive.jsonl"},
}

// helpRequested is -h or --help given to a command.
type helpRequested struct{ fs *flag.FlagSet }

func (helpRequested) Error() string { return "help requested" }

// printHelp writes a command's usage, what it does, its flags with their
// defaults, and an example.
func printHelp(w io.Writer, fs *flag.FlagSet) {
	h, ok := helps[fs.Name()]
	if !ok {
		h = cmdHelp{usage: fs.Name()}
	}
	fmt.Fprintf(w, "Usage: attache %s\n\n%s\n", h.usage, h.about)
	var flags []string
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		line := "  --" + f.Name
		if name != "" {
			line += " " + name
		}
		line += "\n      " + usage
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
			line += fmt.Sprintf(" (default %s)", f.DefValue)
		}
		flags = append(flags, line)
	})
	if len(flags) > 0 {
		fmt.Fprintf(w, "\nFlags:\n%s\n", strings.Join(flags, "\n"))
	}
	if h.example != "" {
		fmt.Fprintf(w, "\nExample:\n  %s\n", h.example)
	}
}
