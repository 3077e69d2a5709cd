package answer_test

// Benchmarks of answering at the scale of the knowledge base's benchmarks
// (ATTACHE_BENCH_ARTICLES, default 100,000 synthetic articles):
//
//	go test -tags sqlite_fts5 -run '^$' -bench . -benchtime 1x ./knowledge/answer/

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/attache-bot/attache/knowledge/answer"
	"github.com/attache-bot/attache/knowledge/synth"
)

func p50(d []time.Duration) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

// BenchmarkAnswer measures question to prompt ready (retrieval and packing)
// and the whole extractive answer, over natural questions.
func BenchmarkAnswer(b *testing.B) {
	ctx := context.Background()
	db, err := synth.OpenDB(ctx, synth.BenchSize())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	r := &answer.Retriever{Store: db}
	svc := &answer.Service{Retriever: r}
	qs := synth.New(11).Queries(300)
	var prompt, extract []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, q := range qs {
			t0 := time.Now()
			ev, err := r.Retrieve(ctx, q, "")
			if err != nil {
				b.Fatal(err)
			}
			answer.BuildPrompt(ev, nil, 3000)
			prompt = append(prompt, time.Since(t0))
			t0 = time.Now()
			if _, err := svc.Ask(ctx, q, nil, nil); err != nil {
				b.Fatal(err)
			}
			extract = append(extract, time.Since(t0))
		}
	}
	b.ReportMetric(float64(p50(prompt))/1e6, "prompt-ready-p50-ms")
	b.ReportMetric(float64(p50(extract))/1e6, "extractive-p50-ms")
}
