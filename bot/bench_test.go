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

// BenchmarkBurst sends a burst of /ask at once (30; ATTACHE_BURST changes
// it) through the fake Discord, which answers every REST call after 50 ms,
// while the LLM takes 2 s an answer. With as many model slots as questions
// it reports how long until the last answer was delivered; with the default
// 8 slots, also how many of the waiting askers were shown their place.
// Acknowledgement latency is from dispatching the event to the deferral
// reaching Discord.
//
//	go test -tags sqlite_fts5 -run '^$' -bench Burst -benchtime 1x ./bot/
func BenchmarkBurst(b *testing.B) {
	for _, slots := range []int{burstSize(), 8} {
		b.Run(fmt.Sprintf("slots=%d", slots), func(b *testing.B) { benchBurst(b, slots) })
	}
}

func benchBurst(b *testing.B, slots int) {
	burst := burstSize()
	h := newHarness(b, bot.Config{UserBurst: 1000, LLMConcurrency: slots, EditInterval: 300 * time.Millisecond},
		func(n int, req openai.ChatCompletionRequest) answertest.Reply {
			r := citeFirst(n, req)
			r.Delay = 2 * time.Second
			return r
		})
	h.discord.SetLatency(50 * time.Millisecond)
	var acks []time.Duration
	var deliver []time.Duration
	queued := 0
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
			for _, e := range edits {
				if c, _ := e.Body["content"].(string); strings.Contains(c, "in line") {
					queued++
				}
			}
			if !strings.Contains(edits[len(edits)-1].Body["content"].(string), "[1]") {
				b.Fatalf("answer without citation: %v", edits[len(edits)-1].Body["content"])
			}
		}
	}
	b.StopTimer()
	sort.Slice(acks, func(i, j int) bool { return acks[i] < acks[j] })
	b.ReportMetric(float64(acks[len(acks)/2])/1e6, "ack-p50-ms")
	b.ReportMetric(float64(acks[len(acks)*99/100])/1e6, "ack-p99-ms")
	b.ReportMetric(deliver[0].Seconds(), "all-delivered-s")
	b.ReportMetric(float64(queued)/float64(b.N), "shown-their-place")
	b.ReportMetric(float64(h.discord.MaxInFlight("PATCH")), "max-edits-at-once")
}

func burstSize() int {
	if n, err := strconv.Atoi(os.Getenv("ATTACHE_BURST")); err == nil && n > 0 {
		return n
	}
	return 30
}
