package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/attache-bot/attache/knowledge/postgres/pgtest"
	"github.com/attache-bot/attache/knowledge/synth"
)

// Every command answers -h, --help and `attache help CMD` with its usage,
// its flags and an example, exit 0; an unknown flag names itself and shows
// the usage, exit 2.
func TestHelpOnEveryCommand(t *testing.T) {
	ctx := context.Background()
	t.Setenv("ATTACHE_DB", filepath.Join(t.TempDir(), "a.db"))
	var names []string
	for name := range helps {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		for _, args := range [][]string{{name, "-h"}, {name, "--help"}, {"help", name}} {
			code, out, errOut := attache(t, ctx, args...)
			if code != 0 || !strings.HasPrefix(out, "Usage: attache "+name) || !strings.Contains(out, "Example:\n  attache "+name) {
				t.Errorf("attache %q: exit %d\nstdout: %s\nstderr: %s", args, code, out, errOut)
			}
		}
		code, out, errOut := attache(t, ctx, name, "--no-such-flag")
		if code != 2 || !strings.Contains(errOut, "-no-such-flag") || !strings.Contains(errOut, "Usage: attache "+name) || out != "" {
			t.Errorf("attache %s --no-such-flag: exit %d\nstdout: %s\nstderr: %s", name, code, out, errOut)
		}
	}
	// Every command Run knows has a help text.
	for _, name := range []string{"ingest", "search", "ask", "whois", "summarize", "timeline", "eval", "serve", "digest", "feeds", "demo", "doctor", "backup", "export"} {
		if _, ok := helps[name]; !ok {
			t.Errorf("no help for %s", name)
		}
	}
	if code, _, errOut := attache(t, ctx, "help", "frobnicate"); code != 2 || !strings.Contains(errOut, "no command") {
		t.Errorf("help of an unknown command: exit %d: %s", code, errOut)
	}
	if code, out, _ := attache(t, ctx, "ask", "-h"); code != 0 || !strings.Contains(out, "--as-of DATE") || !strings.Contains(out, "--json") {
		t.Errorf("ask's flags are not listed:\n%s", out)
	}
}

// A backup taken while an ingest writes is a whole database: it passes
// integrity_check and answers a search. It never overwrites a file.
func TestBackupDuringAnIngest(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	t.Setenv("ATTACHE_DB", filepath.Join(dir, "a.db"))
	if code, _, errOut := attache(t, ctx, "ingest", "--quiet", "../../sample/scraped"); code != 0 {
		t.Fatal(errOut)
	}
	// A corpus large enough that the backups below run while it is written.
	big := filepath.Join(dir, "big.jsonl")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := synth.New(7).WriteJSONL(f, 4000); err != nil {
		t.Fatal(err)
	}
	f.Close()
	var wg sync.WaitGroup
	var ingesting atomic.Bool
	ingesting.Store(true)
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer ingesting.Store(false)
		attache(t, ctx, "ingest", "--quiet", big)
	}()
	var backups []string
	during := 0
	for i := 0; i < 3 || (ingesting.Load() && i < 50); i++ {
		name := filepath.Join(dir, fmt.Sprintf("backup-%d.db", i))
		was := ingesting.Load()
		code, out, errOut := attache(t, ctx, "backup", name)
		if code != 0 || !strings.Contains(out, "integrity ok") {
			t.Fatalf("backup %d: exit %d\n%s%s", i, code, out, errOut)
		}
		if was && ingesting.Load() {
			during++
		}
		backups = append(backups, name)
	}
	wg.Wait()
	if during == 0 {
		t.Error("no backup was taken while the ingest ran")
	}
	t.Logf("%d backups, %d during the ingest", len(backups), during)
	for _, b := range backups {
		c, err := sql.Open("sqlite3", "file:"+b+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		var verdict string
		if err := c.QueryRow("PRAGMA integrity_check").Scan(&verdict); err != nil || verdict != "ok" {
			t.Errorf("%s: integrity %q, %v", b, verdict, err)
		}
		c.Close()
		t.Setenv("ATTACHE_DB", b)
		if code, out, errOut := attache(t, ctx, "search", "Witkoff", "--limit", "1"); code != 0 || !strings.Contains(out, "Witkoff") {
			t.Errorf("search in %s: exit %d\n%s%s", b, code, out, errOut)
		}
	}
	before, _ := os.ReadFile(backups[0])
	t.Setenv("ATTACHE_DB", filepath.Join(dir, "a.db"))
	if code, _, errOut := attache(t, ctx, "backup", backups[0]); code != 2 || !strings.Contains(errOut, "nothing was overwritten") {
		t.Errorf("backup over a file: exit %d: %s", code, errOut)
	}
	if after, _ := os.ReadFile(backups[0]); string(after) != string(before) {
		t.Error("the existing file was changed")
	}
}

// exportFixture has what a plain ingest of the sample lacks: an article
// seen under two URLs, one without a date, a language, an author.
const exportFixture = `{"url":"https://wire.example/a","title":"Oman hosts a third round of Iran-US talks","source":"Wire","author":"A. Writer","published":"2025-04-26T09:30:00Z","body":"Oman hosted a third round of talks between Iran and the United States in Muscat on Saturday.\n\nBoth sides said technical work would go on."}
{"url":"https://mirror.example/a-copy","title":"Oman hosts a third round of Iran-US talks","source":"Wire","published":"2025-04-26T09:30:00Z","body":"Oman hosted a third round of talks between Iran and the United States in Muscat on Saturday.\n\nBoth sides said technical work would go on."}
{"url":"https://blog.example/undated","title":"A note without a date","source":"Blog","body":"The author gives no date for this note about the talks in Muscat."}
{"url":"https://presse.example/fr","title":"Barrot reçoit Rubio à Paris","source":"Presse","published":"2025-04-17","lang":"fr","body":"Le ministre Jean-Noël Barrot a reçu Marco Rubio à Paris jeudi."}
`

// export writes what ingest reads back into the same archive: SQLite →
// JSONL → SQLite (and PostgreSQL when there is one) → JSONL, byte for byte.
func TestExportRoundTrip(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	fixture := filepath.Join(dir, "fixture.jsonl")
	os.WriteFile(fixture, []byte(exportFixture), 0o644)
	t.Setenv("ATTACHE_DB", filepath.Join(dir, "a.db"))
	for _, in := range []string{"../../sample", fixture} {
		if code, _, errOut := attache(t, ctx, "ingest", "--quiet", in); code != 0 {
			t.Fatal(errOut)
		}
	}
	first := filepath.Join(dir, "first.jsonl")
	if code, _, errOut := attache(t, ctx, "export", first); code != 0 {
		t.Fatal(errOut)
	}
	data, _ := os.ReadFile(first)
	for _, want := range []string{`"aliases":["https://mirror.example/a-copy"]`, `"undated":true`, `"lang":"fr"`, `"author":"A. Writer"`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("export lacks %s", want)
		}
	}
	if n := strings.Count(string(data), "\n"); n != 27 {
		t.Errorf("%d lines, want 27 articles", n)
	}
	targets := map[string]string{"sqlite": filepath.Join(dir, "b.db")}
	if os.Getenv("ATTACHE_TEST_POSTGRES") != "" || os.Getenv("CI") != "" {
		targets["postgres"] = pgtest.Database(t)
	}
	for name, target := range targets {
		t.Setenv("ATTACHE_DB", target)
		if code, _, errOut := attache(t, ctx, "ingest", "--quiet", first); code != 0 {
			t.Fatalf("%s: %s", name, errOut)
		}
		again := filepath.Join(dir, name+".jsonl")
		if code, _, errOut := attache(t, ctx, "export", again); code != 0 {
			t.Fatalf("%s: %s", name, errOut)
		}
		if got, _ := os.ReadFile(again); string(got) != string(data) {
			t.Errorf("%s: the export of the re-ingested archive differs:\n%s", name, firstDiff(string(data), string(got)))
		}
		if code, out, _ := attache(t, ctx, "search", "third round Muscat", "--limit", "1"); code != 0 || !strings.Contains(out, "Oman hosts a third round") {
			t.Errorf("%s: the re-ingested archive does not find its articles:\n%s", name, out)
		}
	}
	// --since, standard output, and a file that exists.
	t.Setenv("ATTACHE_DB", filepath.Join(dir, "a.db"))
	code, out, _ := attache(t, ctx, "export", "--since", "2025-10-01")
	if code != 0 || strings.Contains(out, "2025-04-26") || !strings.Contains(out, "2025-10") {
		t.Errorf("--since: exit %d\n%.300s", code, out)
	}
	if code, _, errOut := attache(t, ctx, "export", first); code != 2 || !strings.Contains(errOut, "nothing was overwritten") {
		t.Errorf("export over a file: exit %d: %s", code, errOut)
	}
	if code, _, errOut := attache(t, ctx, "export", "--since", "yesterday"); code != 2 || !strings.Contains(errOut, "not a date") {
		t.Errorf("bad --since: exit %d: %s", code, errOut)
	}
	// A folder that is not there is named with the file asked for, not
	// with the name of the file export writes first.
	missing := filepath.Join(t.TempDir(), "gone", "x.jsonl")
	if code, _, errOut := attache(t, ctx, "export", missing); code != 1 || !strings.Contains(errOut, "cannot write "+missing+": ") || strings.Contains(errOut, "partial") {
		t.Errorf("export into a missing folder: exit %d: %s", code, errOut)
	}
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			return "want " + al[i] + "\n got " + bl[i]
		}
	}
	return "lengths differ"
}
