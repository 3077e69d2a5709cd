package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/attache-bot/attache/bot/discordtest"
	"github.com/attache-bot/attache/internal/syncbuf"
	"github.com/attache-bot/attache/knowledge/ingest"
	"github.com/attache-bot/attache/knowledge/postgres/pgtest"
)

// attache runs the binary's entry point with args and returns its exit
// status and output.
func attache(t *testing.T, ctx context.Context, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut syncbuf.Buffer
	code := run(ctx, args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// serving is `attache serve` running in the background against a fake
// Discord, with the database ATTACHE_DB names.
type serving struct {
	errOut syncbuf.Buffer
	cancel context.CancelFunc
	done   chan int
	code   int
	once   sync.Once
}

// startServe runs `attache serve` against fake; the test stops it at the
// latest when it ends.
func startServe(t *testing.T, fake *discordtest.Server) *serving {
	t.Helper()
	t.Setenv("DISCORD_TOKEN", "test-token")
	t.Setenv("DISCORD_API_URL", fake.URL)
	ctx, cancel := context.WithCancel(context.Background())
	s := &serving{cancel: cancel, done: make(chan int, 1)}
	go func() { s.done <- run(ctx, []string{"serve"}, io.Discard, &s.errOut) }()
	t.Cleanup(func() { s.stop(t) })
	return s
}

// log is what serve has written to stderr so far.
func (s *serving) log() string { return s.errOut.String() }

// stop cancels serve as SIGTERM would and returns its exit status; a
// serve that does not stop fails the test (a hang guard, not a timing).
func (s *serving) stop(t *testing.T) int {
	t.Helper()
	s.once.Do(func() {
		s.cancel()
		select {
		case s.code = <-s.done:
		case <-time.After(30 * time.Second):
			t.Fatalf("serve did not stop:\n%s", s.log())
		}
	})
	return s.code
}

func TestDemoAnswersWithCitations(t *testing.T) {
	code, out, errOut := attache(t, context.Background(), "demo", "--corpus", "../../sample")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"24 new", "Witkoff", "[1]", "Sources:", "https://"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
}

func TestCommandLine(t *testing.T) {
	ctx := context.Background()
	bad := filepath.Join(t.TempDir(), "bad.txt")
	os.WriteFile(bad, []byte("\x00\x01binary"), 0o644)
	sample := []string{"../../sample"}
	tests := []struct {
		stored   []string // ingested into the case's own database first
		args     []string
		wantCode int
		want     string // in stdout or stderr
	}{
		{nil, []string{"ingest", "../../sample", bad}, 1, "24 new, 0 updated, 0 duplicates, 1 errors"},
		{sample, []string{"ingest", "../../sample"}, 0, "0 new, 0 updated, 24 duplicates, 0 errors"},
		{nil, []string{"ingest", "../../sample/wire.jsonl"}, 0, "ingest: 1 files, "},
		{sample, []string{"search", "Iran nuclear talks", "--limit", "2"}, 0, "Gulf Monitor"},
		{sample, []string{"search", `NEAR("`, "--json"}, 0, "["},
		{sample, []string{"search"}, 2, "give a query"},
		{sample, []string{"search", "x", "--limit", "0"}, 2, "--limit"},
		{sample, []string{"ask", "What is Witkoff's role?", "--json"}, 0, `"grounded": true`},
		{sample, []string{"ask", "What is the price of bitcoin?"}, 0, "do not answer"},
		{sample, []string{"ask"}, 2, "give a question"},
		{sample, []string{"ask", "What happened in Gaza this week?"}, 0, "do not answer"},
		{sample, []string{"ask", "What happened in Gaza this week?", "--as-of", "2025-10-15"}, 0, "Sharm el-Sheikh"},
		{sample, []string{"ask", "What happened in Gaza this week?", "--as-of", "2025-10-12"}, 0, "do not answer"},
		{sample, []string{"ask", "x", "--as-of", "last week"}, 2, "not a date"},
		{sample, []string{"whois", "Barrot"}, 0, "French Foreign Minister"},
		{sample, []string{"whois", "Witkoff"}, 0, "  18 Feb 2025 – 13 Oct 2025 — White House special envoy for the Middle East [1]\n      also named: special envoy; envoy; US envoy\n  Sources:"},
		{sample, []string{"timeline", "Iran nuclear talks"}, 0, "- **13 Apr 2025**: Iranian and American negotiators"},
		{sample, []string{"timeline"}, 2, "give a topic"},
		{sample, []string{"summarize", "tariffs", "--days", "0"}, 0, "[1]"},
		{sample, []string{"digest", "--since", "24h"}, 0, "quiet day"},
		{sample, []string{"feeds", "list"}, 0, "no feeds"},
		{nil, []string{"feeds", "add", "ftp://nowhere"}, 2, "not an http(s) URL"},
		{nil, []string{"frobnicate"}, 2, "unknown command"},
		{nil, []string{"serve"}, 2, "DISCORD_TOKEN is not set"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			t.Setenv("ATTACHE_DB", filepath.Join(t.TempDir(), "a.db"))
			if tt.stored != nil {
				if code, _, errOut := attache(t, ctx, append([]string{"ingest", "--quiet"}, tt.stored...)...); code != 0 {
					t.Fatalf("ingest %v: %s", tt.stored, errOut)
				}
			}
			code, out, errOut := attache(t, ctx, tt.args...)
			if code != tt.wantCode || !strings.Contains(out+errOut, tt.want) {
				t.Errorf("attache %q: exit %d, want %d with %q\nstdout: %s\nstderr: %s", tt.args, code, tt.wantCode, tt.want, out, errOut)
			}
		})
	}
}

// --quiet prints the summary alone: no progress line.
func TestIngestQuietPrintsNoProgress(t *testing.T) {
	t.Setenv("ATTACHE_DB", filepath.Join(t.TempDir(), "a.db"))
	for _, quiet := range []bool{false, true} {
		args := []string{"ingest", "../../sample/wire.jsonl"}
		if quiet {
			args = append(args, "--quiet")
		}
		code, out, errOut := attache(t, context.Background(), args...)
		if code != 0 || !strings.Contains(out, "7 ") || strings.Contains(errOut, "files,") != !quiet {
			t.Errorf("quiet %v: exit %d\nstdout: %s\nstderr: %s", quiet, code, out, errOut)
		}
	}
}

func TestBadConfigurationIsReportedAtOnce(t *testing.T) {
	t.Setenv("ATTACHE_LLM_TIMEOUT", "soon")
	t.Setenv("ATTACHE_DIGEST_QUIET", "loud")
	code, _, errOut := attache(t, context.Background(), "help")
	if code != 2 || !strings.Contains(errOut, "ATTACHE_LLM_TIMEOUT") || !strings.Contains(errOut, "ATTACHE_DIGEST_QUIET") {
		t.Errorf("exit %d: %s", code, errOut)
	}
}

// TestServeRunsAndShutsDown starts the real wiring against a fake Discord,
// answers one /ask, then stops it as SIGTERM would.
func TestServeRunsAndShutsDown(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "s.db")
	t.Setenv("ATTACHE_DB", db)
	if code, _, errOut := attache(t, context.Background(), "ingest", "../../sample"); code != 0 {
		t.Fatal(errOut)
	}
	fake := discordtest.New(t)
	defer fake.Close()
	srv := startServe(t, fake)
	if !fake.WaitFor(10*time.Second, func() bool { return len(fake.CommandsRegistered(fake.AppID)) == 10 }) {
		t.Fatalf("commands not registered: %d (exit %d)\n%s", len(fake.CommandsRegistered(fake.AppID)), srv.stop(t), srv.log())
	}
	fake.Dispatch("INTERACTION_CREATE", discordtest.Interaction("800000000000000001", fake.AppID, "ask",
		map[string]any{"question": "Who is Kaja Kallas?"}, "5"))
	answered := fake.WaitFor(10*time.Second, func() bool {
		for _, c := range fake.Calls() {
			if c.Method == "PATCH" && strings.Contains(c.Path, "itoken-800000000000000001") && strings.Contains(c.Body["content"].(string), "[1]") {
				return true
			}
		}
		return false
	})
	if code := srv.stop(t); code != 0 {
		t.Errorf("serve exited %d: %s", code, srv.log())
	}
	if !answered {
		t.Error("serve did not answer /ask")
	}
	if strings.Contains(srv.log(), "test-token") {
		t.Error("the token reached the log")
	}
}

func TestPrintProblemsCountsTheUnlisted(t *testing.T) {
	var b strings.Builder
	printProblems(&b, ingest.Summary{Failed: 3, Problems: []ingest.Problem{{Where: "f.jsonl:1", Err: errors.New("not a JSON object")}}})
	if want := "error: f.jsonl:1: not a JSON object\nerror: and 2 more\n"; b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

// Escape sequences in an article reach the terminal escaped, and a file
// name with a newline cannot forge a line of the ingest's output.
func TestTerminalOutputIsEscaped(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("ATTACHE_DB", filepath.Join(dir, "a.db"))
	ctx := context.Background()
	hostile := `{"url":"https://x.example/esc","title":"Envoy \u001b]0;pwned\u0007 talks \u001b[2J","source":"Wire","published":"2025-01-02","body":"The envoy \u001b[31mmet\u001b[0m the minister in Vienna to discuss the prisoner exchange and the next round of talks."}` + "\n"
	file := filepath.Join(dir, "hostile.jsonl")
	os.WriteFile(file, []byte(hostile), 0o644)
	forged := filepath.Join(dir, "x\ningest: 999 new, 0 updated, 0 duplicates, 0 errors\n.txt")
	os.WriteFile(forged, []byte("\x00binary"), 0o644)
	_, out, errOut := attache(t, ctx, "ingest", file, forged)
	if strings.Contains(out+errOut, "\ningest: 999 new") {
		t.Errorf("a file name forged a line:\n%s%s", out, errOut)
	}
	// Ingest strips control characters; a database written by an older
	// version, or by hand, may still hold them.
	raw, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, "a.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec("UPDATE articles SET title = ?", "Envoy \x1b]0;pwned\x07 talks \x1b[2J"); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"search", "envoy Vienna"}, {"ask", "Who did the envoy meet in Vienna?"}} {
		_, out, _ := attache(t, ctx, args...)
		if strings.ContainsRune(out, 0x1b) || strings.ContainsRune(out, 0x07) {
			t.Errorf("%q printed a raw control character: %q", args, out)
		}
		if !strings.Contains(out, `\x1b`) {
			t.Errorf("%q: want the escape shown as \\x1b: %q", args, out)
		}
	}
}

// Reading commands never create a database on a mistyped path, and run
// while another process holds the write lock.
func TestReadingCommandsNeitherCreateNorWait(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	typo := filepath.Join(dir, "typo.db")
	t.Setenv("ATTACHE_DB", typo)
	for _, args := range [][]string{{"search", "Iran"}, {"ask", "Who is Witkoff?"}, {"whois", "Witkoff"},
		{"summarize", "tariffs"}, {"digest"}, {"feeds", "list"}} {
		code, out, errOut := attache(t, ctx, args...)
		if code != 1 || !strings.Contains(errOut, "no database here") {
			t.Errorf("attache %q on a missing database: exit %d\nstdout: %s\nstderr: %s", args, code, out, errOut)
		}
	}
	if _, err := os.Stat(typo); !os.IsNotExist(err) {
		t.Fatalf("a reading command created %s (%v)", typo, err)
	}

	path := filepath.Join(dir, "a.db")
	t.Setenv("ATTACHE_DB", path)
	if code, _, errOut := attache(t, ctx, "ingest", "--quiet", "../../sample/wire.jsonl"); code != 0 {
		t.Fatalf("ingest: %s", errOut)
	}
	holder, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	tx, err := holder.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec("DELETE FROM feeds"); err != nil { // takes the write lock
		t.Fatal(err)
	}
	for _, args := range [][]string{{"search", "Witkoff"}, {"whois", "Witkoff"}, {"feeds", "list"}} {
		if code, out, errOut := attache(t, ctx, args...); code != 0 {
			t.Errorf("attache %q while the database is being written: exit %d\nstdout: %s\nstderr: %s", args, code, out, errOut)
		}
	}
}

// serve stops when told while Discord rate limits it without end or its
// gateway never says HELLO, and says in the log what it waits for.
func TestServeStopsWhileDiscordStalls(t *testing.T) {
	cases := map[string]struct {
		setup   func(*discordtest.Server)
		wantLog string
	}{
		"429 on every route": {func(f *discordtest.Server) {
			f.SetFail(func(discordtest.Call) (int, string) {
				return 429, `{"message": "You are being rate limited.", "retry_after": 0.2, "global": false}`
			})
		}, "rate limiting"},
		"a global 429": {func(f *discordtest.Server) {
			f.SetFail(func(discordtest.Call) (int, string) {
				return 429, `{"message": "You are being rate limited.", "retry_after": 30, "global": true}`
			})
		}, "rate limiting"},
		"a gateway without HELLO": {func(f *discordtest.Server) { f.SetSilent(true) }, "connecting to Discord"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Setenv("ATTACHE_DB", filepath.Join(t.TempDir(), "s.db"))
			fake := discordtest.New(t)
			defer fake.Close()
			tc.setup(fake)
			srv := startServe(t, fake)
			if !fake.WaitFor(10*time.Second, func() bool {
				return strings.Contains(srv.log(), tc.wantLog) && (!fake.Silent || fake.Connects() > 0)
			}) {
				t.Errorf("the log does not say %q:\n%s", tc.wantLog, srv.log())
			}
			if code := srv.stop(t); code != 0 {
				t.Errorf("exit %d after SIGTERM:\n%s", code, srv.log())
			}
			if strings.Contains(srv.log(), "test-token") {
				t.Error("the token reached the log")
			}
		})
	}
}

// A process answers Discord's signed HTTP interactions with its gateway
// off (and then nothing else connects), and with a gateway that is down:
// PING gets PONG, and a command is answered over REST.
func TestServeHTTPInteractions(t *testing.T) {
	for name, gatewayOff := range map[string]bool{"gateway off": true, "gateway down": false} {
		t.Run(name, func(t *testing.T) {
			t.Setenv("ATTACHE_DB", filepath.Join(t.TempDir(), "s.db"))
			if code, _, errOut := attache(t, context.Background(), "ingest", "--quiet", "../../sample"); code != 0 {
				t.Fatalf("ingest: %s", errOut)
			}
			fake := discordtest.New(t)
			defer fake.Close()
			pub, priv, err := ed25519.GenerateKey(rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			t.Setenv("ATTACHE_INTERACTIONS_ADDR", "127.0.0.1:0")
			t.Setenv("DISCORD_PUBLIC_KEY", hex.EncodeToString(pub))
			if gatewayOff {
				t.Setenv("ATTACHE_GATEWAY", "off")
			} else {
				fake.SetSilent(true) // the gateway accepts the connection and never says hello
			}
			srv := startServe(t, fake)
			addrRE := regexp.MustCompile(`interactions endpoint listening" addr=(\S+)`)
			var addr string
			if !fake.WaitFor(10*time.Second, func() bool {
				m := addrRE.FindStringSubmatch(srv.log())
				if m != nil {
					addr = m[1]
				}
				up := addr != ""
				if gatewayOff {
					up = up && len(fake.CommandsRegistered(fake.BotID)) > 0
				} else {
					up = up && fake.Connects() > 0
				}
				return up
			}) {
				srv.stop(t)
				t.Fatalf("no endpoint, or no commands registered, or no gateway tried:\n%s", srv.log())
			}
			post := func(body string) (int, string) {
				t.Helper()
				ts := fmt.Sprint(time.Now().Unix())
				req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/", strings.NewReader(body))
				req.Header.Set("X-Signature-Timestamp", ts)
				req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(priv, []byte(ts+body))))
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				out, _ := io.ReadAll(resp.Body)
				return resp.StatusCode, strings.TrimSpace(string(out))
			}
			if code, pong := post(`{"type":1,"id":"1","application_id":"` + fake.AppID + `","token":"t"}`); code != 200 || pong != `{"type":1}` {
				t.Errorf("PING: %d %s", code, pong)
			}
			cmd, _ := json.Marshal(discordtest.Interaction("900000000000000001", fake.AppID, "search", map[string]any{"query": "Witkoff"}, "77"))
			if code, ack := post(string(cmd)); code != 200 || !strings.Contains(ack, `"type":`) {
				t.Errorf("/search: %d %s", code, ack)
			}
			if !fake.WaitFor(10*time.Second, func() bool {
				for _, c := range fake.Calls() {
					if strings.Contains(c.Path, "itoken-900000000000000001") && strings.Contains(fmt.Sprint(c.Body), "Witkoff") {
						return true
					}
				}
				return false
			}) {
				t.Errorf("/search was not answered over REST:\n%s", srv.log())
			}
			if gatewayOff && fake.Connects() != 0 {
				t.Errorf("the gateway was opened %d times with ATTACHE_GATEWAY=off", fake.Connects())
			}
			if code := srv.stop(t); code != 0 {
				t.Errorf("exit %d:\n%s", code, srv.log())
			}
		})
	}
}

func TestInteractionsEndpointNeedsTheKey(t *testing.T) {
	t.Setenv("ATTACHE_INTERACTIONS_ADDR", "127.0.0.1:0")
	t.Setenv("DISCORD_PUBLIC_KEY", "not-hex")
	t.Setenv("ATTACHE_GATEWAY", "sometimes")
	code, _, errOut := attache(t, context.Background(), "search", "x")
	if code != 2 || !strings.Contains(errOut, "DISCORD_PUBLIC_KEY must be") || !strings.Contains(errOut, "ATTACHE_GATEWAY") {
		t.Errorf("exit %d: %s", code, errOut)
	}
}

// ATTACHE_DB may name a PostgreSQL database: every command works on it.
func TestCommandsOnPostgreSQL(t *testing.T) {
	ctx := context.Background()
	t.Setenv("ATTACHE_DB", pgtest.Database(t))
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"ingest", "--quiet", "../../sample"}, "24 new"},
		{[]string{"ingest", "--quiet", "../../sample"}, "24 duplicates"},
		{[]string{"search", "Iran nuclear talks", "--limit", "2"}, "Gulf Monitor"},
		{[]string{"whois", "Barrot"}, "French Foreign Minister"},
		{[]string{"ask", "What is Witkoff's role?"}, "[1]"},
		{[]string{"summarize", "tariffs", "--days", "0"}, "[1]"},
		{[]string{"digest", "--since", "24h"}, "quiet day"},
		{[]string{"feeds", "list"}, "no feeds"},
	} {
		code, out, errOut := attache(t, ctx, tc.args...)
		if code != 0 || !strings.Contains(out+errOut, tc.want) {
			t.Errorf("attache %q: exit %d, want %q\nstdout: %s\nstderr: %s", tc.args, code, tc.want, out, errOut)
		}
	}
}
