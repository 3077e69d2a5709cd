package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/attache-bot/attache/knowledge/ingest"
)

// progress prints an ingest's running totals: on a terminal one line
// rewritten in place four times a second, elsewhere a plain line every
// five seconds (and the first at once), so that a log shows it is alive.
type progress struct {
	w     io.Writer
	tty   bool
	start time.Time
	mu    sync.Mutex
	last  time.Time
	shown bool
}

func newProgress(w io.Writer) *progress {
	p := &progress{w: w, start: time.Now()}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	return p
}

func (p *progress) update(s ingest.Summary) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	every := 5 * time.Second
	if p.tty {
		every = 250 * time.Millisecond
	}
	if p.shown && now.Sub(p.last) < every {
		return
	}
	p.last, p.shown = now, true
	articles := s.Added + s.Updated + s.Duplicates
	rate := float64(articles) / max(now.Sub(p.start).Seconds(), 0.001)
	line := fmt.Sprintf("ingest: %d files, %d articles (%d new), %.0f articles/s, %d errors", s.Files, articles, s.Added, rate, s.Failed)
	if p.tty {
		fmt.Fprintf(p.w, "\r\033[K%s", line)
		return
	}
	fmt.Fprintln(p.w, line)
}

// done clears a terminal's progress line before the summary.
func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty && p.shown {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
