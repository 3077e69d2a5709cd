package knowledge

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestPorterStemMatchesSQLite checks the Go stemmer against the index's own
// tokenizer: every word of a varied text must stem to what SQLite stores.
func TestPorterStemMatchesSQLite(t *testing.T) {
	words := strings.Fields(`caresses ponies ties caress cats feed agreed plastered bled motoring sing
	conflated troubled sized hopping tanned falling hissing fizzed failing filing happy sky relational
	conditional rational valenci hesitanci digitizer conformabli radicalli differentli vileli analogousli
	vietnamization predication operator feudalism decisiveness hopefulness callousness formaliti
	sensitiviti sensibiliti triplicate formative formalize electriciti electrical hopeful goodness
	revival allowance inference airliner gyroscopic adjustable defensible irritant replacement
	adjustment dependent adoption homologou communism activate angulariti homologous effective
	bowdlerize probate rate cease controll roll negotiations negotiating ceasefire ambassadors
	sanctions envoy envoys secretary tariffs diplomatic relations presidential ministers reported
	talks meeting meetings security guarantees enrichment nuclear agreement agreements united states
	witkoff rubio macron barrot zelensky putin lavrov araghchi kellogg ukraine ukrainian russia
	logistics archaeology generalization yes year years eyes flying dying lying skies quickly
	fully vision gentle traditional hopefully`)
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.write.Exec(`CREATE VIRTUAL TABLE temp.stemcheck USING fts5(w, tokenize='porter unicode61 remove_diacritics 2')`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.write.Exec(`CREATE VIRTUAL TABLE temp.stemvocab USING fts5vocab(temp, stemcheck, 'row')`); err != nil {
		t.Fatal(err)
	}
	for _, w := range words {
		if _, err := db.write.Exec(`DELETE FROM temp.stemcheck`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.write.Exec(`INSERT INTO temp.stemcheck(w) VALUES (?)`, w); err != nil {
			t.Fatal(err)
		}
		var got string
		if err := db.write.QueryRow(`SELECT term FROM temp.stemvocab`).Scan(&got); err != nil {
			t.Fatalf("%s: %v", w, err)
		}
		if mine := porterStem(Fold(w)); mine != got {
			t.Errorf("porterStem(%q) = %q, SQLite stores %q", w, mine, got)
		}
	}
}
