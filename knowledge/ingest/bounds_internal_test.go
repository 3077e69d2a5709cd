package ingest

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// hugeDOM is a page whose article paragraph sits among n empty-ish sibling
// divs, as generated or hostile pages are.
func hugeDOM(n int) []byte {
	var b strings.Builder
	b.WriteString(`<html><head><title>Talks resume</title><meta property="article:published_time" content="2025-04-16T09:00:00Z"></head><body>`)
	for i := range n / 2 {
		fmt.Fprintf(&b, "<div><span>cell %d</span></div>", i%10)
	}
	b.WriteString("<article><h1>Talks resume</h1><p>" + strings.Repeat("Envoys met in Muscat for a second round of talks on the programme. ", 12) +
		"</p><p>The foreign minister said the next round would follow within a week.</p></article>")
	for i := range n / 2 {
		fmt.Fprintf(&b, "<div>%d</div>", i%10)
	}
	b.WriteString("</body></html>")
	return []byte(b.String())
}

// A page of far more elements than news pages have is parsed through a
// tree of at most maxElements, so memory follows the page's size, and its
// article, headline and date are still found.
func TestPagesOfHugeTreesAreFlattened(t *testing.T) {
	page := hugeDOM(400000)
	if n := countElements(page, maxElements); n <= maxElements {
		t.Fatalf("the test page has only %d elements", n)
	}
	flat := flattenHTML(page, maxElements)
	if n := countElements(flat, 2*maxElements); n > maxElements {
		t.Errorf("the flattened page still has %d elements", n)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	a, err := ParseHTML(page, "https://wire.example/talks")
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	// Allocation is counted, not timed: the same on every machine.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8*uint64(len(page)) {
		t.Errorf("parsing a %d MB page allocated %d MB", len(page)>>20, alloc>>20)
	}
	if a.Title != "Talks resume" || a.Published.Format("2006-01-02") != "2025-04-16" || !strings.Contains(a.Body, "next round would follow") {
		t.Errorf("got title %q, date %v, body %.200q…", a.Title, a.Published, a.Body)
	}
	// Pages of ordinary size are not touched.
	small := hugeDOM(200)
	if countElements(small, maxElements) > maxElements {
		t.Fatal("the small page is over the bound")
	}
}

// BenchmarkParseHTMLHugeTree reports the memory a page of 800k elements
// costs (B/op); before the bound it was about 50 times the page's size.
func BenchmarkParseHTMLHugeTree(b *testing.B) {
	page := hugeDOM(800000)
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseHTML(page, "https://wire.example/talks"); err != nil {
			b.Fatal(err)
		}
	}
}
