package answer

import (
	"testing"
	"time"
)

var nowForTest = time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)

// The verdict comes from the evidence: a negation on the question's words
// is a no, accounts at odds a dispute, the question's words without either
// a yes; evidence that bears on none of it gives no verdict.
func TestVerdict(t *testing.T) {
	tests := []struct {
		q         string
		sentences []string
		want      string
	}{
		{"Did Ukraine accept the US ceasefire proposal?", []string{"Ukraine said it was ready to accept an American proposal for a 30-day ceasefire."}, verdictYes},
		{"Did the talks produce a ceasefire?", []string{"The talks lasted less than two hours and produced no ceasefire."}, verdictNo},
		{"Does the deal count past aid as a debt?", []string{"The final text does not count past American military aid as a debt."}, verdictNo},
		{"Did Putin attend the summit?", []string{"Putin declined to attend the summit in Istanbul."}, verdictNo},
		{"Was the damage at Fordow agreed?", []string{"Independent assessments of the damage at Fordow differed."}, verdictDisputed},
		{"Did the United States broker the ceasefire?", []string{"Washington said it brokered the ceasefire.", "New Delhi said the ceasefire was not brokered by any third country."}, verdictDisputed},
		// A negation on other words is no verdict of no.
		{"Did Rubio meet Barrot in Paris?", []string{"Rubio met Barrot in Paris, though no joint statement followed."}, verdictYes},
		// Evidence that does not bear on the question gives no verdict.
		{"Did Oman host the talks?", []string{"Markets rallied on the news."}, ""},
	}
	for _, tt := range tests {
		q := ParseQuestion(tt.q, nowForTest)
		if !isYesNo(q) {
			t.Errorf("%q is not taken for a yes/no question", tt.q)
			continue
		}
		var picked []candidate
		for _, s := range tt.sentences {
			picked = append(picked, candidate{txt: s})
		}
		if got := verdict(q, picked); got != tt.want {
			t.Errorf("%q on %q: %q, want %q", tt.q, tt.sentences, got, tt.want)
		}
	}
	for _, q := range []string{"Did Witkoff or Rubio lead the talks?", "Didn't Ukraine accept it?", "Who led the talks?", "Est-ce que l'Ukraine a accepté ?"} {
		if isYesNo(ParseQuestion(q, nowForTest)) {
			t.Errorf("%q taken for a yes/no question", q)
		}
	}
}

// A question about a thing the evidence says there was none of is declined,
// with the report that says so; a question that does not presuppose it is
// not.
func TestDeniesPremise(t *testing.T) {
	best := candidate{txt: "The talks lasted less than two hours and produced no ceasefire."}
	for q, want := range map[string]bool{
		"What did the ceasefire signed in Istanbul say?":    true,
		"What did the Istanbul talks produce?":              false,
		"Did the Istanbul talks produce a ceasefire?":       false, // yes/no: answered No
		"Why was no ceasefire agreed in Istanbul?":          false, // the question itself denies
		"How long did the Istanbul talks with Russia last?": false,
	} {
		if got := deniesPremise(ParseQuestion(q, nowForTest), best); got != want {
			t.Errorf("%q: %v, want %v", q, got, want)
		}
	}
}
