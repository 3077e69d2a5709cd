package answer

import (
	"strconv"
	"time"

	"github.com/attache-bot/attache/knowledge"
	"github.com/attache-bot/attache/knowledge/text"
)

var monthOf = map[string]time.Month{
	"january": time.January, "february": time.February, "march": time.March, "april": time.April,
	"may": time.May, "june": time.June, "july": time.July, "august": time.August, "september": time.September,
	"october": time.October, "november": time.November, "december": time.December,
}

// equivalents are words a question and an article use for the same thing in
// diplomatic news: a capital for its government, a country for its
// adjective, a plain word for the press's. A question term counts as found
// when any of its equivalents is.
var equivalents = func() map[string][]string {
	groups := [][]string{
		{"us", "usa", "american", "americans", "washington", "america"},
		{"russia", "russian", "russians", "moscow", "kremlin"},
		{"ukraine", "ukrainian", "ukrainians", "kyiv", "kiev"},
		{"iran", "iranian", "iranians", "tehran"},
		{"china", "chinese", "beijing"},
		{"france", "french", "paris", "elysee"},
		{"britain", "british", "uk", "london"},
		{"germany", "german", "berlin"},
		{"israel", "israeli", "israelis"},
		{"eu", "european", "europe", "brussels"},
		{"saudi", "riyadh", "jeddah"},
		{"oman", "omani", "muscat"},
		{"turkey", "turkish", "ankara", "istanbul"},
		{"ceasefire", "truce", "armistice"},
		{"talks", "negotiations", "negotiation", "meeting", "meetings", "discussions"},
		{"tariff", "tariffs", "duty", "duties", "levy", "levies"},
		{"envoy", "emissary", "negotiator", "representative"},
		{"minister", "secretary"},
		{"deal", "agreement", "accord", "pact"},
		{"nuclear", "enrichment", "atomic"},
		{"prisoner", "prisoners", "detainees", "captives"},
		{"sanctions", "snapback", "embargo", "penalties", "penalty"},
		{"embassy", "embassies", "mission", "missions", "diplomats", "consulate"},
		{"agree", "agreed", "decide", "decided", "accept", "accepted"},
		{"aircraft", "bombers", "jets", "planes", "warplanes"},
		{"leader", "leaders", "heads", "head"},
		{"host", "hosted", "hosts"},
		{"attack", "attacks", "strike", "strikes", "struck", "bombed"},
		{"role", "title", "job", "position", "post"},
		{"un", "nations"},
		{"gaza", "hamas", "hostages"},
	}
	m := map[string][]string{}
	for _, g := range groups {
		for _, w := range g {
			m[w] = g
		}
	}
	return m
}()

// termGroup is one question word with its equivalents, as index stems, or
// a name of several words, found by any of them.
type termGroup struct {
	word  string
	words []string // the question words the group stands for
	stems []string
	idf   float64
	month time.Month // a month name: also found in an article of that month
	day   int        // a day of the month next to a month name
	year  int        // a year: also found in an article of that year
	focus bool       // from the question's own sentence, or a name
}

// groupsOf builds the term groups of a question's words; the words of each
// multi-word name form one group, so that "Sharm el-Sheikh" weighs as one
// name and not three rare words.
func groupsOf(words, names, focusWords []string) []termGroup {
	// The question sentence's words and every name's words are focus.
	inFocus := map[string]bool{}
	for _, w := range focusWords {
		inFocus[w] = true
	}
	for _, n := range names {
		for _, w := range knowledge.QueryWords(n) {
			inFocus[w] = true
		}
	}
	var out []termGroup
	inName := map[string]int{}
	for _, n := range names {
		nw := knowledge.QueryWords(n)
		if len(nw) < 2 {
			continue
		}
		g := termGroup{word: nw[len(nw)-1], words: nw, focus: true}
		for _, w := range nw {
			if _, dup := inName[w]; !dup {
				inName[w] = len(out)
			}
			g.stems = append(g.stems, text.Stem(w))
		}
		out = append(out, g)
	}
	// A day number next to a month belongs to the month's group.
	dayWord := map[int]bool{}
	for i, w := range words {
		if _, ok := monthOf[w]; ok {
			for _, j := range []int{i - 1, i + 1} {
				if j >= 0 && j < len(words) {
					if d, err := strconv.Atoi(words[j]); err == nil && d >= 1 && d <= 31 {
						dayWord[j] = true
					}
				}
			}
		}
	}
	for i, w := range words {
		if _, ok := inName[w]; ok || dayWord[i] {
			continue
		}
		g := termGroup{word: w, words: []string{w}, focus: inFocus[w] || len(focusWords) == 0}
		if y, err := strconv.Atoi(w); err == nil && len(w) == 4 && y >= 1900 && y <= 2100 {
			g.year = y
		}
		if m, ok := monthOf[w]; ok {
			g.month = m
			if i > 0 {
				if d, err := strconv.Atoi(words[i-1]); err == nil && d >= 1 && d <= 31 {
					g.day = d
				}
			}
			if i+1 < len(words) {
				if d, err := strconv.Atoi(words[i+1]); err == nil && d >= 1 && d <= 31 {
					g.day = d
				}
			}
		}
		alts := equivalents[w]
		if alts == nil {
			alts = []string{w}
		}
		seen := map[string]bool{}
		for _, a := range alts {
			s := text.Stem(a)
			if !seen[s] {
				seen[s] = true
				g.stems = append(g.stems, s)
			}
		}
		out = append(out, g)
	}
	return out
}
