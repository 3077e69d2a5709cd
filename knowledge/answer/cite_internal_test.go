package answer

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/attache-bot/attache/knowledge"
	"github.com/attache-bot/attache/knowledge/sqlite"
)

// An extractive answer cites, beside its first article, only articles of
// the same time: an older one with a sentence as good is background that
// the news since may have overtaken. The two passages are made equally
// relevant here, so that only their dates tell them apart.
func TestOlderArticlesAreNotCitedBesideTheNews(t *testing.T) {
	ctx := context.Background()
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	june := &knowledge.Article{URL: "https://w.example/2025/06/aid", Title: "Aid convoy reaches the northern districts", Published: day("2025-06-20"),
		Body: "An aid convoy of forty trucks reached the northern districts on Thursday carrying food, the relief agency said."}
	for _, older := range []struct {
		published string
		cited     bool
	}{{"2025-05-30", true}, {"2025-01-10", false}} {
		db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), older.published+".db"))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		other := &knowledge.Article{URL: "https://w.example/" + older.published + "/aid", Title: "Convoy carries fuel north", Published: day(older.published),
			Body: "Diesel fuel filled twelve trucks of an aid convoy that reached the northern districts, officials in the capital confirmed."}
		if _, err := db.PutArticles(ctx, []*knowledge.Article{june, other}); err != nil {
			t.Fatal(err)
		}
		r := &Retriever{Store: db, AsOf: day("2025-06-22")}
		ev, err := r.Retrieve(ctx, "How many trucks were in the aid convoy that reached the northern districts carrying food and fuel?", "")
		if err != nil {
			t.Fatal(err)
		}
		var keep []Scored
		for _, u := range []string{june.URL, other.URL} {
			a, err := db.ArticleByURL(ctx, u)
			if err != nil {
				t.Fatal(err)
			}
			ps, err := db.Passages(ctx, a.ID)
			if err != nil || len(ps) == 0 {
				t.Fatalf("passages of %s: %v", u, err)
			}
			// Equally relevant: only the dates differ.
			keep = append(keep, Scored{Hit: knowledge.Hit{Article: a, Passage: ps[0]}, Focus: 1, ArticleFocus: 1, Score: 1, Supported: true})
		}
		ev.Passages = keep
		cited := false
		for _, c := range pickSentences(ev) {
			cited = cited || c.hit.Article.URL == other.URL
		}
		if cited != older.cited {
			t.Errorf("an article of %s beside one of 2025-06-20: cited %v, want %v", older.published, cited, older.cited)
		}
	}
}
