package text

import (
	"database/sql"
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

// in looks words up through a 32-byte buffer: every word of the sets must fit.
func TestWordSetsFitTheLookupBuffer(t *testing.T) {
	for name, set := range map[string]map[string]bool{"roleWords": roleWords, "roleModifiers": roleModifiers,
		"notNameWords": notNameWords, "sentenceOpeners": sentenceOpeners} {
		for w := range set {
			if len(w) > 32 {
				t.Errorf("%s holds %q, longer than 32 bytes", name, w)
			}
			// The same answer as a lookup of the lower-cased, trimmed word.
			for _, form := range []string{w, strings.ToUpper(w[:1]) + w[1:] + ",", "“" + strings.ToUpper(w) + "”", w + "x"} {
				if got, want := in(set, form), set[bare(form)]; got != want {
					t.Errorf("%s: in(%q) = %v, lookup of %q = %v", name, form, got, bare(form), want)
				}
				if got, want := isRoleWord(form), roleWords[bare(form)]; got != want {
					t.Errorf("isRoleWord(%q) = %v, lookup of %q = %v", form, got, bare(form), want)
				}
			}
		}
	}
}

// passagesOf takes whole paragraphs out of the body instead of copying
// them; the passages must be those that joining copies would give.
func TestPassagesOfSharesBodyButMatchesJoining(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	word := func() string {
		return []string{"talks", "resumed", "in", "Geneva", "on", "Monday.", "envoys", "met"}[rng.Intn(8)]
	}
	for trial := 0; trial < 300; trial++ {
		var paras []string
		for p := 0; p < 1+rng.Intn(8); p++ {
			n := []int{1, 5, 30, 59, 61, 120, 249, 251, 400, 700}[rng.Intn(10)]
			ws := make([]string, n)
			for i := range ws {
				ws[i] = word()
			}
			paras = append(paras, strings.Join(ws, " "))
		}
		body := strings.Join(paras, "\n\n")
		got := SplitPassages(body)
		want := joinedPassages(paras)
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Fatalf("trial %d: passages differ\ngot  %q\nwant %q", trial, got, want)
		}
	}
}

// joinedPassages is passagesOf written with copies: the reference.
func joinedPassages(paragraphs []string) []string {
	var paras []string
	for _, p := range paragraphs {
		if CountWords(p) > maxPassageWords {
			paras = append(paras, cutLong(p)...)
		} else {
			paras = append(paras, p)
		}
	}
	var out, cur []string
	words := 0
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.Join(cur, "\n\n"))
			cur, words = nil, 0
		}
	}
	for _, p := range paras {
		n := CountWords(p)
		if words > 0 && words+n > maxPassageWords {
			flush()
		}
		cur = append(cur, p)
		words += n
		if words >= minPassageWords {
			flush()
		}
	}
	if len(cur) > 0 && len(out) > 0 && words+CountWords(out[len(out)-1]) <= maxPassageWords {
		out[len(out)-1] += "\n\n" + strings.Join(cur, "\n\n")
		cur = nil
	}
	flush()
	return out
}

// appendFolded is the allocation-free form of joining Words; stored content
// hashes depend on the two agreeing.
func TestAppendFoldedMatchesWords(t *testing.T) {
	for _, s := range []string{
		"", "  ", "Rubio's talks: 3 days, 2 nights!", "A-B c_d\te\nf", "MIXED case Words", "x" + strings.Repeat(" word", 2000),
		"Jean-Noël Barrot", "«Київ» — talks",
	} {
		got := string(AppendFolded([]byte("x"), s))
		if want := "x" + strings.Join(Words(s), " "); got != want {
			t.Errorf("AppendFolded(%.40q) = %.60q, want %.60q", s, got, want)
		}
	}
}

// The vectorised check of the stored form must agree with the byte loop.
func TestScanNormalizedFastMatchesSlow(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	alphabet := []string{"a", "bc", " ", "\n", "\n\n", "\t", "\r"}
	for trial := 0; trial < 20000; trial++ {
		var b strings.Builder
		for i := rng.Intn(12); i >= 0; i-- {
			b.WriteString(alphabet[rng.Intn(len(alphabet))])
		}
		body := b.String()
		if body == "" || body[0] == ' ' || body[0] == '\n' || body[len(body)-1] == ' ' || body[len(body)-1] == '\n' {
			continue // refused before either path runs
		}
		fp, fw, fok := scanNormalized(body)
		sp, sw, sok := scanNormalizedSlow(body)
		if fok != sok || fmt.Sprint(fp, fw) != fmt.Sprint(sp, sw) {
			t.Fatalf("%q: fast %v %q %v, slow %v %q %v", body, fok, fp, fw, sok, sp, sw)
		}
	}
}

// Words folds and splits as the index's tokenizer does, in every script:
// otherwise a query word would never match the token the index holds (as
// й, folded to и here but not there, once did).
func TestWordsMatchTheIndexTokenizer(t *testing.T) {
	raw, err := sql.Open("sqlite3", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	raw.SetMaxOpenConns(1)
	for _, q := range []string{
		"CREATE VIRTUAL TABLE f USING fts5(text, tokenize = 'unicode61 remove_diacritics 2')",
		"CREATE VIRTUAL TABLE v USING fts5vocab(f, 'instance')",
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	for _, txt := range []string{
		"Jean-Noël Barrot", "Zürich Łódź Ðorđević", "Erdoğan", "Nguyễn Phú Trọng", "Зеленский и Лавров",
		"Ελλάδα Αθήνα", "محمد بن سلمان", "हिंदी समाचार", "e\u0301te\u0301", "İstanbul", "Straße",
	} {
		if _, err := raw.Exec("DELETE FROM f; INSERT INTO f(rowid, text) VALUES (1, ?)", txt); err != nil {
			t.Fatal(err)
		}
		rows, err := raw.Query("SELECT term FROM v ORDER BY offset")
		if err != nil {
			t.Fatal(err)
		}
		var index []string
		for rows.Next() {
			var term string
			rows.Scan(&term)
			index = append(index, term)
		}
		rows.Close()
		if got := Words(txt); strings.Join(got, " ") != strings.Join(index, " ") {
			t.Errorf("%q: Words %q, the index %q", txt, got, index)
		}
	}
}
