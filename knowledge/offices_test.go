package knowledge_test

import (
	"strings"
	"testing"
	"time"

	"github.com/attache-bot/attache/knowledge"
)

func role(title, day string) knowledge.Role {
	t, _ := time.Parse(time.DateOnly, day)
	return knowledge.Role{Title: title, Sentence: title + " said so.", Article: knowledge.Article{ID: t.Unix(), Published: t, Title: "On " + day}}
}

// Variants of one office are one office, with its first and last mention;
// different offices stay apart.
func TestOffices(t *testing.T) {
	tests := []struct {
		name  string
		roles []knowledge.Role // newest first, as WhoIs gives them
		want  []string         // "title first..last mentions"
	}{
		{"one office named four ways", []knowledge.Role{
			role("special envoy", "2025-10-13"), role("US envoy", "2025-04-19"),
			role("White House special envoy for the Middle East", "2025-03-14"), role("envoy", "2025-02-21")},
			[]string{"White House special envoy for the Middle East 2025-02-21..2025-10-13 4"}},
		{"two offices at once", []knowledge.Role{
			role("Secretary of State", "2025-08-16"), role("interim national security adviser", "2025-05-02"), role("US Secretary of State", "2025-02-18")},
			[]string{"US Secretary of State 2025-02-18..2025-08-16 2", "interim national security adviser 2025-05-02..2025-05-02 1"}},
		{"a bare head with two scoped offices stays apart", []knowledge.Role{
			role("envoy", "2025-05-01"), role("special envoy for Ukraine", "2025-04-01"), role("special envoy for Iran", "2025-03-01")},
			[]string{"envoy 2025-05-01..2025-05-01 1", "special envoy for Ukraine 2025-04-01..2025-04-01 1", "special envoy for Iran 2025-03-01..2025-03-01 1"}},
	}
	for _, tt := range tests {
		var got []string
		for _, o := range (knowledge.PersonRoles{Roles: tt.roles}).Offices() {
			got = append(got, o.Title+" "+o.First.Format(time.DateOnly)+".."+o.Last.Format(time.DateOnly)+" "+string(rune('0'+len(o.Mentions))))
		}
		if strings.Join(got, " | ") != strings.Join(tt.want, " | ") {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
		}
	}
}

// A title is split into what qualifies it, its head and its scope.
func TestParseOffice(t *testing.T) {
	tests := []struct{ title, quals, head, scope string }{
		{"White House special envoy for the Middle East", "White House", "special envoy", "for the Middle East"},
		{"President Donald Trump's special envoy", "President Donald Trump's", "special envoy", ""},
		{"US Secretary of State", "US", "secretary of state", ""},
		{"interim national security adviser", "interim", "national security adviser", ""},
		{"director general of the International Atomic Energy Agency", "", "director general", "of the International Atomic Energy Agency"},
		{"US ambassador to the United Nations", "US", "ambassador", "to the United Nations"},
		{"former congressman from Florida and a retired Army officer", "former", "congressman", "from Florida"},
		{"Kremlin aide", "Kremlin", "aide", ""},
		{"French Foreign Minister", "French", "foreign minister", ""},
	}
	for _, tt := range tests {
		quals, head, scope := knowledge.ParseOffice(tt.title)
		if strings.Join(quals, ",") != tt.quals || head != tt.head || scope != tt.scope {
			t.Errorf("ParseOffice(%q) = %q, %q, %q; want %q, %q, %q", tt.title, quals, head, scope, tt.quals, tt.head, tt.scope)
		}
	}
}
