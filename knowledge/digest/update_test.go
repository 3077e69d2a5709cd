package digest_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/attache-bot/attache/knowledge"
	"github.com/attache-bot/attache/knowledge/digest"
	"github.com/attache-bot/attache/knowledge/sqlite"
)

// A story an earlier digest posted comes back only with its new articles,
// marked as an update; a topic keeps the stories that hold it.
func TestStoriesUpdatesAndTopics(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "d.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	day := time.Date(2025, 6, 24, 8, 0, 0, 0, time.UTC)
	arts := []*knowledge.Article{
		{URL: "https://w.example/1", Title: "Ceasefire between Israel and Iran holds", Source: "Wire", Published: day.Add(-24 * time.Hour),
			Body: "A ceasefire between Israel and Iran held on Monday after twelve days of war."},
		{URL: "https://w.example/2", Title: "Ceasefire between Israel and Iran holds for a second day", Source: "Post", Published: day,
			Body: "The ceasefire between Israel and Iran held for a second day on Tuesday after twelve days of war."},
		{URL: "https://w.example/3", Title: "EU and US agree on tariffs", Source: "Desk", Published: day,
			Body: "The European Union and the United States agreed on a 15% tariff on most goods."},
	}
	if _, err := db.PutArticles(ctx, arts); err != nil {
		t.Fatal(err)
	}
	seen := map[int64]string{arts[0].ID: arts[0].Title}
	stories, err := digest.Stories(ctx, db, day.Add(-48*time.Hour), day.Add(time.Hour), digest.Options{Seen: seen})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range stories {
		got = append(got, s.Headline+map[bool]string{true: " (update)", false: ""}[s.Update])
		for _, a := range s.Articles {
			if a.ID == arts[0].ID {
				t.Errorf("a posted article came back: %+v", s)
			}
		}
	}
	if j := strings.Join(got, " | "); !strings.Contains(j, "for a second day (update)") || !strings.Contains(j, "EU and US agree on tariffs") || strings.Contains(j, "tariffs (update)") {
		t.Errorf("stories: %s", j)
	}
	d := digest.Compose(ctx, stories, day.Add(-48*time.Hour), day, digest.Options{}, true)
	if !strings.Contains(d.Text, "**Update: Ceasefire between Israel and Iran holds for a second day**") {
		t.Errorf("the update is not marked:\n%s", d.Text)
	}
	stories, _ = digest.Stories(ctx, db, day.Add(-48*time.Hour), day.Add(time.Hour), digest.Options{Topic: "tariffs trade"})
	if len(stories) != 1 || !strings.Contains(stories[0].Headline, "tariffs") {
		t.Errorf("topic stories: %+v", stories)
	}
}
