package bot_test

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/attache-bot/attache/bot"
	"github.com/attache-bot/attache/knowledge/answer/answertest"
)

// BenchmarkBurst sends 50 /ask at once through the fake Discord while the
// LLM takes 2 s an answer, and reports the acknowledgement latency (from
// dispatching the event to the deferral reaching Discord) and how long
// until every answer was delivered.
//
//	go test -tags sqlite_fts5 -run '^$' -bench Burst -benchtime 1x ./bot/
func BenchmarkBurst(b *testing.B) {
	burst := burstSize()
	h := newHarness(b, bot.Config{UserBurst: 1000, LLMConcurrency: 8, EditInterval: 300 * time.Millisecond},
		func(n int, req openai.ChatCompletionRequest) answertest.Reply {
			r := citeFirst(n, req)
			r.Delay = 2 * time.Second
			return r
		})
	var acks []time.Duration
	var deliver []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sent := map[string]time.Time{}
		start := time.Now()
		var ids []string
		for k := 0; k < burst; k++ {
			at := time.Now()
			iid := h.slash(b, "ask", map[string]any{"question": "What is Witkoff's role?"}, fmt.Sprint(5000+k))
			ids = append(ids, iid)
			sent[iid] = at
		}
		want := float64(burst * (i + 1))
		done := func() bool { return h.counter("ask", "ok") >= want }
		if !h.discord.WaitFor(5*time.Minute, done) {
			b.Fatal("not every answer was delivered")
		}
		deliver = append(deliver, time.Since(start))
		for _, iid := range ids {
			cb := h.calls("POST", "/interactions/"+iid+"/")
			if len(cb) != 1 || cb[0].Body["type"] != float64(5) {
				b.Fatalf("interaction %s: %+v", iid, cb)
			}
			acks = append(acks, cb[0].At.Sub(sent[iid]))
		}
		for _, iid := range ids {
			edits := h.calls("PATCH", "itoken-"+iid+"/messages/@original")
			if !strings.Contains(edits[len(edits)-1].Body["content"].(string), "[1]") {
				for _, c := range h.discord.Calls() {
					if strings.Contains(c.Path, iid) {
						b.Logf("%s %s %v", c.Method, c.Path, c.Body)
					}
				}
				b.Fatalf("answer without citation: %v", edits[len(edits)-1].Body["content"])
			}
		}
	}
	b.StopTimer()
	sort.Slice(acks, func(i, j int) bool { return acks[i] < acks[j] })
	b.ReportMetric(float64(acks[len(acks)/2])/1e6, "ack-p50-ms")
	b.ReportMetric(float64(acks[len(acks)*99/100])/1e6, "ack-p99-ms")
	b.ReportMetric(float64(acks[len(acks)-1])/1e6, "ack-max-ms")
	b.ReportMetric(deliver[0].Seconds(), "all-delivered-s")
	b.ReportMetric(float64(len(h.calls("PATCH", "@original"))), "edits")
}

func burstSize() int {
	if n, err := strconv.Atoi(os.Getenv("ATTACHE_BURST")); err == nil && n > 0 {
		return n
	}
	return 50
}
