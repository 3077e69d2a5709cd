package knowledge_test

import (
	"context"
	"strings"
	"testing"
)

func TestWhoIs(t *testing.T) {
	db := MustOpenDB(t)
	mustPut(t, db,
		article("https://a.example/1", "Talks", "Special envoy Steve Witkoff met Vladimir Putin. Witkoff, the White House special envoy for the Middle East, flew home.", "2025-03-14"),
		article("https://a.example/2", "Gaza", "US envoy Steve Witkoff negotiated the ceasefire with French Foreign Minister Jean-Noël Barrot present.", "2025-10-13"),
	)
	ctx := context.Background()
	for _, name := range []string{"Witkoff", "steve witkoff", "Steve Witkoff's", "WITKOFF"} {
		people, err := db.WhoIs(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		if len(people) != 1 || people[0].Person.Name != "Steve Witkoff" {
			t.Fatalf("WhoIs(%q) = %+v", name, people)
		}
		roles := people[0].Distinct()
		var got []string
		for _, r := range roles {
			got = append(got, r.Title+" "+r.Article.Published.Format("2006-01-02"))
		}
		// Newest first; "special envoy" is held in the longer title.
		if want := "US envoy 2025-10-13; White House special envoy for the Middle East 2025-03-14"; strings.Join(got, "; ") != want {
			t.Errorf("WhoIs(%q) roles %q, want %q", name, got, want)
		}
	}
	if people, _ := db.WhoIs(ctx, "Jean-Noel Barrot"); len(people) != 1 || people[0].Person.Name != "Jean-Noël Barrot" {
		t.Errorf("diacritics: %+v", people)
	}
	if people, _ := db.WhoIs(ctx, "Nobody Known"); len(people) != 0 {
		t.Errorf("unknown name: %+v", people)
	}
	ps, err := db.People(ctx, "wi", 25)
	if err != nil || len(ps) != 1 || ps[0].Name != "Steve Witkoff" {
		t.Errorf("People(wi) = %+v %v", ps, err)
	}
	// Editing the article replaces its roles.
	mustPut(t, db, article("https://a.example/2", "Gaza", "The ceasefire held.", "2025-10-13"))
	people, _ := db.WhoIs(ctx, "Barrot")
	if len(people) != 0 {
		t.Errorf("roles of an edited article remain: %+v", people)
	}
	// Edited again, naming him with another title: only the new role counts.
	for _, title := range []string{"Foreign Minister", "French Foreign Minister"} {
		mustPut(t, db, article("https://a.example/2", "Gaza", "The ceasefire held, said "+title+" Jean-Noël Barrot on the day.", "2025-10-13"))
		people, err := db.WhoIs(ctx, "Barrot")
		if err != nil {
			t.Fatal(err)
		}
		if len(people) != 1 || len(people[0].Roles) != 1 || people[0].Roles[0].Title != title {
			t.Errorf("after an edit naming him %q: %+v", title, people)
		}
	}
}
