package answer

import (
	"regexp"
	"strings"

	"github.com/attache-bot/attache/knowledge/text"
)

// Yes/no questions are answered "Yes", "No" or "The sources disagree"
// first, then the evidence. The verdict is read from the evidence itself:
// a negation bearing on the question's own words ("produced no ceasefire",
// "does not count … as a debt", "declined to attend") is a no; evidence
// that reports accounts at odds ("assessments differed", "denied", "X said
// …, but Y said …") or picked sentences of opposite sense is a dispute;
// evidence holding the question's words without either is a yes. When the
// evidence allows no verdict, none is given.
const (
	verdictYes      = "Yes."
	verdictNo       = "No."
	verdictDisputed = "The sources disagree."
)

var (
	// englishAuxRE: an English question that asks whether.
	englishAuxRE = regexp.MustCompile(`(?i)^\s*(?:did|does|do|is|are|was|were|has|have|had|will|would|can|could|should)\s+\S`)
	// negationRE: a word that denies what follows it.
	negationRE = regexp.MustCompile(`(?i)\b(?:no|not|never|without|neither|nor|none|declined|refused|rejected|failed|denied|dismissed|ruled\s+out|stopped\s+short\s+of)\b|n't\b`)
	// disputeRE: evidence that reports accounts at odds.
	disputeRE = regexp.MustCompile(`(?i)\b(?:differed|differ|disputed|disputes|contradicted|contested|denied|denies|disagreed|disagree|conflicting|contradictory|rejected\s+(?:the|that|this)\s+(?:claim|account|version)|gave\s+different\s+accounts)\b`)
	// orAltRE: "Did X or Y …?" asks which, not whether.
	orAltRE = regexp.MustCompile(`(?i)\bor\b`)
)

// isYesNo reports a question that asks whether.
func isYesNo(q Question) bool {
	if q.Lang != "" && q.Lang != "en" {
		return false
	}
	f := strings.TrimSpace(q.Focus)
	return englishAuxRE.MatchString(f) && !orAltRE.MatchString(f) && !negationRE.MatchString(f)
}

// verdict reads the answer to a yes/no question from the picked sentences.
func verdict(q Question, picked []candidate) string {
	words := contentStems(q.Focus)
	if len(words) == 0 || len(picked) == 0 {
		return ""
	}
	no, yes := 0, 0
	for _, c := range picked {
		switch {
		case disputeRE.MatchString(c.txt) && bears(c.txt, words):
			return verdictDisputed
		case deniesQuestion(c.txt, words):
			no++
		case holds(c.txt, words):
			yes++
		}
	}
	switch {
	case no > 0 && yes > 0:
		return verdictDisputed
	case no > 0:
		return verdictNo
	case yes > 0:
		return verdictYes
	}
	return ""
}

// contentStems are the stems of a question's content words, the
// auxiliary that opens it left out.
func contentStems(q string) map[string]bool {
	out := map[string]bool{}
	for i, w := range text.Words(q) {
		if i == 0 || text.IsStopword(w) || len(w) < 3 {
			continue
		}
		out[text.Stem(w)] = true
	}
	return out
}

// deniesQuestion: a negation in the sentence bears on one of the question's
// words, within the five words after it.
func deniesQuestion(s string, words map[string]bool) bool {
	for _, loc := range negationRE.FindAllStringIndex(s, -1) {
		after := text.Words(s[loc[1]:])
		for i := 0; i < len(after) && i < 5; i++ {
			if words[text.Stem(after[i])] {
				return true
			}
		}
	}
	return false
}

// bears: the sentence holds some of the question's words.
func bears(s string, words map[string]bool) bool {
	for _, w := range text.Words(s) {
		if words[text.Stem(w)] {
			return true
		}
	}
	return false
}

// holds: the sentence holds most of the question's words.
func holds(s string, words map[string]bool) bool {
	have := map[string]bool{}
	for _, w := range text.Words(s) {
		have[text.Stem(w)] = true
		for _, e := range equivalents[w] {
			have[text.Stem(e)] = true
		}
	}
	n := 0
	for w := range words {
		if have[w] {
			n++
		}
	}
	return 2*n >= len(words)
}

// deniesPremise reports a question whose premise the best evidence denies:
// a question that asks about something ("what did the ceasefire signed in
// Istanbul say?") answered by a sentence that says there was none ("the
// talks produced no ceasefire"). A yes/no question, and one that itself
// holds a negation, are not judged so.
func deniesPremise(q Question, best candidate) bool {
	if q.Lang != "" && q.Lang != "en" {
		return false
	}
	f := strings.TrimSpace(q.Focus)
	if englishAuxRE.MatchString(f) || negationRE.MatchString(f) {
		return false
	}
	words := contentStems(f)
	for _, m := range noneOfRE.FindAllStringSubmatch(best.txt, -1) {
		for _, w := range m[1:] {
			if w != "" && words[text.Stem(strings.ToLower(w))] {
				return true
			}
		}
	}
	return false
}

// noneOfRE: a thing said not to exist ("no ceasefire", "without a deal"),
// the only denial a premise is judged by: a verb's negation ("did not
// say") is too common in plain reporting.
var noneOfRE = regexp.MustCompile(`(?i)\b(?:no|without\s+(?:a|an|any)|never\s+a)\s+(?:(\p{L}+)\s+)?(\p{L}+)`)
