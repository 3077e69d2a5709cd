package knowledge_test

import (
	"context"
	"strings"
	"testing"

	"github.com/attache-bot/attache/knowledge"
)

func TestExtractRoles(t *testing.T) {
	tests := []struct {
		text string
		want []string // "Name | Role"
	}{
		{"US Secretary of State Marco Rubio flew to Paris.", []string{"Marco Rubio | US Secretary of State"}},
		{"The talks were led by special envoy Steve Witkoff.", []string{"Steve Witkoff | special envoy"}},
		{"French President Emmanuel Macron received him.", []string{"Emmanuel Macron | French President"}},
		{"Kirill Dmitriev, the head of Russia's sovereign wealth fund who knows Witkoff, was there.", []string{"Kirill Dmitriev | head of Russia's sovereign wealth fund"}},
		{"Steve Witkoff arrived. Witkoff, President Trump's envoy for Ukraine, said little.", []string{"Steve Witkoff | President Trump's envoy for Ukraine"}},
		{"The president will nominate Mike Waltz as the next US ambassador to the United Nations.", []string{"Mike Waltz | US ambassador to the United Nations"}},
		{"European Commission President Ursula von der Leyen spoke.", []string{"Ursula von der Leyen | European Commission President"}},
		{"Rubio, the top diplomat, spoke.", nil}, // a surname the text never completes
		{"On Monday the ministers met in Geneva.", nil},
	}
	for _, tt := range tests {
		var got []string
		for _, m := range knowledge.ExtractRoles(tt.text) {
			got = append(got, m.Name+" | "+m.Role)
		}
		if strings.Join(got, "; ") != strings.Join(tt.want, "; ") {
			t.Errorf("ExtractRoles(%q)\n got %q\nwant %q", tt.text, got, tt.want)
		}
	}
}

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
