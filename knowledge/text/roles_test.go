package text_test

import (
	"strings"
	"testing"

	"github.com/attache-bot/attache/knowledge/text"
)

func TestExtractRoles(t *testing.T) {
	tests := []struct {
		txt  string
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
		for _, m := range text.ExtractRoles(tt.txt) {
			got = append(got, m.Name+" | "+m.Role)
		}
		if strings.Join(got, "; ") != strings.Join(tt.want, "; ") {
			t.Errorf("ExtractRoles(%q)\n got %q\nwant %q", tt.txt, got, tt.want)
		}
	}
}
