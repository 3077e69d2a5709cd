package ingest_test

import (
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/attache-bot/attache/knowledge/ingest"
)

func FuzzParseScraped(f *testing.F) {
	for _, p := range []string{"testdata/scraped/raw-seed-format.txt", "testdata/scraped/no-date.txt", "../../sample/scraped/rubio-witkoff-paris-talks.txt"} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(string(b))
		}
	}
	f.Add("date 2025-01-01\nT\nbyX\n")
	f.Add(" date 2025-13-45 junk\n\n\n")
	f.Add("url \nsource \ndate 2025-01-01\nTitle\nby\n01/01/2025\n")
	f.Fuzz(func(t *testing.T, text string) {
		a, err := ingest.ParseScraped(text)
		if err != nil {
			return
		}
		if strings.TrimSpace(a.Title) == "" || strings.TrimSpace(a.Body) == "" || a.URL == "" {
			t.Fatalf("accepted an article missing a field: %+v", a)
		}
		if strings.HasPrefix(a.URL, "urn:attache:") && a.Published.IsZero() != strings.HasPrefix(a.URL, "urn:attache:undated:") {
			t.Fatalf("a generated name says undated exactly when the text has no date: %+v", a)
		}
		if utf8.ValidString(text) && (!utf8.ValidString(a.Body) || !utf8.ValidString(a.Title)) {
			t.Fatalf("valid input gave invalid UTF-8 output")
		}
		for _, p := range strings.Split(a.Body, "\n\n") {
			if strings.EqualFold(strings.TrimSpace(p), "Support us on Patreon") {
				t.Fatalf("junk line kept in body: %q", a.Body)
			}
		}
	})
}
