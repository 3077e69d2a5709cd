package text

import (
	"database/sql"
	"strings"
	"testing"

	_ "github.com/mattn/go-sqlite3" // the index's tokenizer, to compare with
)

// sqliteMemory is an in-memory SQLite with FTS5, on one connection (temp
// tables live on it).
func sqliteMemory(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

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
	db := sqliteMemory(t)
	if _, err := db.Exec(`CREATE VIRTUAL TABLE temp.stemcheck USING fts5(w, tokenize='porter unicode61 remove_diacritics 2')`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE VIRTUAL TABLE temp.stemvocab USING fts5vocab(temp, stemcheck, 'row')`); err != nil {
		t.Fatal(err)
	}
	for _, w := range words {
		if _, err := db.Exec(`DELETE FROM temp.stemcheck`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(`INSERT INTO temp.stemcheck(w) VALUES (?)`, w); err != nil {
			t.Fatal(err)
		}
		var got string
		if err := db.QueryRow(`SELECT term FROM temp.stemvocab`).Scan(&got); err != nil {
			t.Fatalf("%s: %v", w, err)
		}
		if mine := porterStem(Fold(w)); mine != got {
			t.Errorf("porterStem(%q) = %q, SQLite stores %q", w, mine, got)
		}
	}
}
