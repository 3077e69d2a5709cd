package answer

import (
	"regexp"
	"strings"

	"github.com/attache-bot/attache/knowledge/text"
)

// The kinds of answer a question asks for.
const (
	KindPerson = "who"    // a person: "who", "which official"
	KindDate   = "when"   // a day, month or year
	KindTime   = "time"   // a time of day: "at what time"
	KindNumber = "number" // "how many", "what percentage"
	KindPlace  = "where"  // "where", "which country"
	KindOrg    = "org"    // "which company", "which party"
	KindYesNo  = "yesno"  // "did", "is", "has" …
	KindName   = "name"   // the name of a thing: "what is its name", "the name of the boat"
)

// A head noun after "which" or "what" (with up to three words between,
// "which high-ranking US official") says what kind of thing is asked for.
var (
	headNouns = map[string]string{}
	kindHeads = map[string][]string{
		KindPerson: {"official", "minister", "envoy", "leader", "person", "people", "diplomat", "politician",
			"justice", "judge", "senator", "lawmaker", "president", "candidate", "ambassador", "secretary",
			"general", "spokesperson", "spokesman", "spokeswoman", "chancellor", "premier", "mayor", "governor",
			"representative", "negotiator", "mediator", "celebrity", "actor", "actress", "star", "player",
			"athlete", "singer", "author", "ceo", "executive", "billionaire", "member", "man", "woman", "king",
			"queen", "prince", "princess", "monarch", "pope", "cardinal", "journalist", "reporter", "lawyer"},
		KindPlace: {"country", "nation", "state", "city", "town", "island", "region", "area", "place", "site",
			"province", "capital", "county", "village", "territory", "continent", "port", "border", "sea",
			"river", "location", "district", "neighborhood", "neighbourhood", "airport", "venue", "landmark"},
		KindOrg: {"company", "group", "party", "organization", "organisation", "newspaper", "network", "agency",
			"firm", "team", "union", "bank", "outlet", "paper", "bloc", "alliance", "university", "college",
			"court", "department", "ministry", "militia", "airline", "brand", "corporation", "channel", "broadcaster"},
		KindDate:   {"day", "date", "month", "year", "week", "weekday", "decade", "century"},
		KindNumber: {"percentage", "percent", "share", "rate", "amount", "number", "sum", "total", "figure", "price", "cost", "age"},
	}
	// auxiliaries end the run after "which" or "what": "what is the …".
	auxiliaries = map[string]bool{"is": true, "are": true, "was": true, "were": true, "did": true, "does": true,
		"do": true, "has": true, "have": true, "had": true, "will": true, "would": true, "can": true, "could": true,
		"should": true, "may": true, "might": true, "must": true}
	// nor does a determiner or preposition: "what happened this week".
	determiners = map[string]bool{"this": true, "that": true, "these": true, "those": true, "the": true, "a": true,
		"an": true, "in": true, "on": true, "at": true, "of": true, "to": true, "for": true, "with": true, "by": true,
		"from": true, "about": true, "after": true, "before": true}

	nameOfRE      = regexp.MustCompile(`(?i)\bwhat\s+(?:is|was|are|were)\s+(?:its|the)\s+names?\b|\bthe\s+name\s+of\s+the\b`)
	personStartRE = regexp.MustCompile(`(?i)^\s*(?:who|whom|whose|qui|хто|кто)\b|\bwho\s+(?:is|was|were|are|will|has|had)\b|\bwhat\s+is\s+(?:his|her|their)\s+name\b`)
	timeRE        = regexp.MustCompile(`(?i)\b(?:at\s+)?what\s+time\b|\bо\s+котр(?:ій|ой)\b|\bà\s+quelle\s+heure\b`)
	whenRE        = regexp.MustCompile(`(?i)^\s*(?:when|quand|коли|когда)\b|\bwhen\s+(?:did|was|were|is|will|does|do)\b`)
	numberRE      = regexp.MustCompile(`(?i)\bhow\s+(?:many|much|long|old|big|large|far|often)\b|\bcombien\b|\bскільки\b|\bсколько\b`)
	whereRE       = regexp.MustCompile(`(?i)^\s*(?:where|où|де|где)\b|\bwhere\s+(?:did|was|were|is|will|does|do|are)\b`)
	yesNoRE       = regexp.MustCompile(`(?i)^\s*(?:is|are|was|were|did|does|do|has|have|had|will|would|can|could|should|est-ce)\b`)
)

func init() {
	for kind, nouns := range kindHeads {
		for _, n := range nouns {
			headNouns[n] = kind
		}
	}
}

// answerKind reads the kind of answer a question sentence asks for, or ""
// when it asks for something else (a thing, a reason, a summary).
func answerKind(sentence string) string {
	switch {
	case timeRE.MatchString(sentence):
		return KindTime
	case nameOfRE.MatchString(sentence):
		return KindName
	case personStartRE.MatchString(sentence):
		return KindPerson
	case whenRE.MatchString(sentence):
		return KindDate
	case numberRE.MatchString(sentence):
		return KindNumber
	case whereRE.MatchString(sentence):
		return KindPlace
	}
	// "which" or "what" then up to four words: the first that names a
	// kind is the head noun ("which high-ranking US official").
	words := strings.Fields(strings.ToLower(sentence))
	for i, w := range words {
		if w = strings.Trim(w, "?,.;:\"“”"); w != "which" && w != "what" {
			continue
		}
		for _, h := range words[i+1 : min(len(words), i+5)] {
			h = strings.Trim(h, "?,.;:\"“”’'")
			if auxiliaries[h] || determiners[h] {
				break
			}
			// The noun itself or its singular.
			forms := []string{h, strings.TrimSuffix(h, "s"), strings.TrimSuffix(h, "es")}
			if strings.HasSuffix(h, "ies") {
				forms = append(forms, strings.TrimSuffix(h, "ies")+"y")
			}
			for _, form := range forms {
				if k, ok := headNouns[form]; ok {
					return k
				}
			}
		}
	}
	if yesNoRE.MatchString(sentence) {
		return KindYesNo
	}
	return ""
}

var (
	dateInText   = regexp.MustCompile(`(?i)\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|\d{4}|yesterday|today|tonight|last (?:week|month|year))\b`)
	timeInText   = regexp.MustCompile(`(?i)\b\d{1,2}(?::\d{2})?\s*(?:a\.?m\.?|p\.?m\.?)(?:\W|$)|\b\d{1,2}[:.h]\d{2}\b|\b(?:noon|midnight|dawn|dusk)\b|\b(?:gmt|utc|bst|cet|est|edt|pst)\b`)
	numberInText = regexp.MustCompile(`(?i)\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|hundreds?|thousands?|millions?|billions?|trillions?|dozens?|half|double|triple|twice)\b`)
	afterPrepRE  = regexp.MustCompile(`\b(?:in|at|to|from|near|inside|outside|across|into)\s+(?:the\s+)?(\p{Lu}[\p{L}’'.-]+)`)
	placeOfRE    = regexp.MustCompile(`(?i:\b(?:port|city|town|village|region|province|state|island|capital|district|county)\s+of)\s+(\p{Lu}[\p{L}’'.-]+)`)
	properRE     = regexp.MustCompile(`\p{Lu}[\p{L}\p{N}&’'.-]*(?:\s+(?:of\s+|de\s+|the\s+)?\p{Lu}[\p{L}\p{N}&’'.-]*)*`)
)

// asked is the set of folded words of a question, so that a candidate
// answer the question itself gives does not count.
func askedWords(txt string) map[string]bool {
	asked := map[string]bool{}
	for _, w := range text.Words(txt) {
		asked[w] = true
		asked[text.Stem(w)] = true
	}
	return asked
}

// newWords reports whether a phrase holds a word the question does not.
func newWords(phrase string, asked map[string]bool) bool {
	for _, w := range text.Words(phrase) {
		if !asked[w] && !asked[text.Stem(w)] && !text.IsStopword(w) {
			return true
		}
	}
	return false
}

// candidateFit rates how well a sentence holds something of the kind the
// question asks for that the question does not already give: a person not
// named in it for "who", a time for "at what time", a number for "how
// many", a place for "where". 0: none; 1: a clear one (a known place, a
// full name); 0.5: a likely one (a capitalised word after "in"). Kinds
// without a shape (a thing, a reason, yes or no) are met by any sentence.
func candidateFit(kind string, asked map[string]bool, s string) float64 {
	if kind == KindPlace {
		for _, p := range placesIn(s) {
			if newWords(p, asked) {
				return 1
			}
		}
		if hasCandidate(kind, asked, s) {
			return 0.5
		}
		return 0
	}
	if hasCandidate(kind, asked, s) {
		return 1
	}
	return 0
}

func hasCandidate(kind string, asked map[string]bool, s string) bool {
	switch kind {
	case KindPerson:
		for _, n := range text.FullNames(s) {
			if newWords(n, asked) {
				return true
			}
		}
		return false
	case KindDate:
		for _, m := range dateInText.FindAllString(s, -1) {
			if newWords(m, asked) {
				return true
			}
		}
		return false
	case KindTime:
		return timeInText.MatchString(s)
	case KindNumber:
		for _, m := range numberInText.FindAllStringIndex(s, -1) {
			// The whole token the match is in: "1,000", "30-day", "$5".
			start, end := m[0], m[1]
			for start > 0 && !isSpace(s[start-1]) {
				start--
			}
			for end < len(s) && !isSpace(s[end]) {
				end++
			}
			if newWords(s[start:end], asked) {
				return true
			}
		}
		return false
	case KindPlace:
		for _, p := range placesIn(s) {
			if newWords(p, asked) {
				return true
			}
		}
		for _, re := range []*regexp.Regexp{afterPrepRE, placeOfRE} {
			for _, m := range re.FindAllStringSubmatch(s, -1) {
				if newWords(m[1], asked) {
					return true
				}
			}
		}
		return false
	case KindOrg, KindName:
		for i, m := range properRE.FindAllStringIndex(s, -1) {
			if i == 0 && m[0] == 0 && !strings.Contains(s[m[0]:m[1]], " ") {
				continue // a capital that only starts the sentence
			}
			if newWords(s[m[0]:m[1]], asked) {
				return true
			}
		}
		return false
	}
	return true
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\t' }
