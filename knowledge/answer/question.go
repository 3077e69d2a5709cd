// Package answer turns a question into a grounded answer with numbered
// citations, from the articles in the knowledge base: retrieval for
// questions, an LLM answerer through any OpenAI-compatible server, an
// extractive answerer for when there is none, citation checking, who-is
// lookups and topic summaries.
package answer

import (
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/attache-bot/attache/knowledge"
	"github.com/attache-bot/attache/knowledge/text"
)

// Question is a user's question with what retrieval needs to know of it.
type Question struct {
	Text   string
	Person string    // for "who is X" / "what is X's role": X as written
	IsRole bool      // asks for someone's role or title
	Recent bool      // asks for the latest ("latest", "this week", "now")
	Since  time.Time // a hard window start, when the question sets one ("this week")
	// AsOf, from "as of 1 May 2025" or "in April 2025", ends the window:
	// only articles published before it count. Zero for now.
	AsOf  time.Time
	Names []string // capitalised names in the question
	Lang  string   // detected language of the question ("" when unsure)
	// Kind is the kind of answer asked for (KindPerson, KindDate, …), or ""
	// for a thing, a reason or a summary.
	Kind      string
	TermWords []string // searchable words (folded, no stopwords)
	// Focus is the question's own sentence: a journalist's question often
	// opens with a sentence of context ("Biden spoke this week. Which goal
	// did he announce?"). FocusWords are its searchable words; the other
	// words help ranking but are not required of the evidence.
	Focus      string
	FocusWords []string
}

var (
	roleQuestionREs = []*regexp.Regexp{
		regexp.MustCompile(`(?i)^\s*(?:what|which)\s+(?:is|was|are|were)\s+(?:the\s+)?(.+?)(?:'s|’s|s'|s’)\s+(?:current\s+|new\s+|official\s+)?(?:role|job|title|position|post|function|portfolio)\b`),
		regexp.MustCompile(`(?i)^\s*(?:what|which)\s+(?:role|job|title|position|post)\s+(?:does|did|do)\s+(.+?)\s+(?:hold|have|play|occupy)\b`),
		regexp.MustCompile(`(?i)^\s*(?:what|which)\s+(?:is|was)\s+the\s+(?:role|job|title|position)\s+of\s+(.+?)\s*\??\s*$`),
		regexp.MustCompile(`(?i)^\s*who\s+(?:is|was|'s)\s+(.+?)\s*\??\s*$`),
		regexp.MustCompile(`(?i)^\s*what\s+does\s+(.+?)\s+do\s*\??\s*$`),
		regexp.MustCompile(`(?i)^\s*(?:tell me about|whois)\s+(.+?)\s*\??\s*$`),
		regexp.MustCompile(`(?i)^\s*qui\s+est\s+(.+?)\s*\??\s*$`),
		regexp.MustCompile(`(?i)^\s*quel(?:le)?\s+est\s+(?:le\s+|la\s+)?(?:rôle|role|poste|fonction|titre)\s+d(?:e\s+|')(.+?)\s*\??\s*$`),
		regexp.MustCompile(`(?i)^\s*хто\s+(?:такий|така|такі|є)?\s*(.+?)\s*\??\s*$`),
		regexp.MustCompile(`(?i)^\s*(?:яка|яку)\s+(?:роль|посаду|посада)\s+(?:має|обіймає|у|в)?\s*(.+?)\s*\??\s*$`),
		regexp.MustCompile(`(?i)^\s*кто\s+(?:такой|такая|такие)?\s*(.+?)\s*\??\s*$`),
	}
	recentRE = regexp.MustCompile(`(?i)\b(latest|most recent(?:ly)?|recently|lately|in recent days|in recent weeks|newest|this week|this month|today|yesterday|now|currently|current|so far|as of now|last week|past week|dernières?|récemment|останні|нещодавно)\b`)
	weekRE   = regexp.MustCompile(`(?i)\b(this week|past week|last 7 days)\b`)
	todayRE  = regexp.MustCompile(`(?i)\b(today|yesterday|last 24 hours)\b`)
	monthRE  = regexp.MustCompile(`(?i)\b(this month|past month|last 30 days)\b`)
	// lately says an event is recent ("was recently hospitalized"), unlike
	// "most recently", which asks for the newest whatever its age.
	latelyRE = regexp.MustCompile(`(?i)\b(?:recently|in recent (?:days|weeks)|lately|récemment|нещодавно|недавно)\b`)
	newestRE = regexp.MustCompile(`(?i)\bmost recent(?:ly)?\b`)
	nameRE   = regexp.MustCompile(`\p{Lu}[\p{L}\p{M}'’.-]+(?:\s+(?:(?:von|van|der|de|da|al|bin|la|le|el)[\s-]+)*\p{Lu}[\p{L}\p{M}'’.-]+){0,3}`)
	// questionWords open questions; they are not part of a name.
	questionWords = map[string]bool{"what": true, "who": true, "when": true, "where": true, "why": true, "how": true,
		"which": true, "is": true, "did": true, "does": true, "do": true, "are": true, "was": true, "were": true,
		"tell": true, "has": true, "have": true, "can": true, "will": true, "qui": true, "quel": true, "quelle": true,
		"que": true, "quoi": true, "хто": true, "що": true, "як": true, "коли": true, "кто": true, "что": true}
)

// ParseQuestion reads what retrieval needs from a question. now anchors
// relative windows such as "this week".
func ParseQuestion(txt string, now time.Time) Question {
	q := Question{Text: strings.TrimSpace(txt), Lang: text.DetectLang(txt)}
	q.TermWords = knowledge.QueryWords(q.Text)
	// The role patterns apply to each sentence, so that a question after
	// other text ("Ignore that. Who is X?") is still read as one.
	sentences := text.Sentences(q.Text)
	for i := len(sentences) - 1; i >= 0 && !q.IsRole; i-- {
		s := strings.TrimLeft(sentences[i], "@#!,.:; ")
		s = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(s, "everyone"), "here"))
		for _, re := range roleQuestionREs {
			if m := re.FindStringSubmatch(s); m != nil {
				p := strings.Trim(strings.TrimSpace(m[1]), `"'“”?`)
				if p != "" && len(strings.Fields(p)) <= 5 {
					q.Person = p
					q.IsRole = true
				}
				break
			}
		}
	}
	q.Focus = focusSentence(sentences)
	q.Kind = answerKind(strings.TrimLeft(q.Focus, "@#!,.:; "))
	q.FocusWords = knowledge.QueryWords(q.Focus)
	if contentWords(q.FocusWords) < 3 {
		// "What is its name?", "Where is it located?": a question sentence
		// this short stands on the sentences before it.
		q.FocusWords = q.TermWords
	}
	q.AsOf = asOf(q.Text)
	if !q.AsOf.IsZero() {
		// The as-of phrase sets the window; its words are not the subject.
		stripped := q.Text
		for _, re := range []*regexp.Regexp{asOfISORE, asOfDayRE, asOfMonthRE} {
			stripped = re.ReplaceAllString(stripped, " ")
		}
		q.TermWords = knowledge.QueryWords(stripped)
	}
	if recentRE.MatchString(q.Text) {
		q.Recent = true
		switch {
		case todayRE.MatchString(q.Text):
			q.Since = now.Add(-48 * time.Hour)
		case weekRE.MatchString(q.Text):
			q.Since = now.AddDate(0, 0, -7)
		case monthRE.MatchString(q.Text), latelyRE.MatchString(q.Text) && !newestRE.MatchString(q.Text):
			q.Since = now.AddDate(0, -1, 0)
		}
	}
	for _, m := range nameRE.FindAllStringIndex(q.Text, -1) {
		n := q.Text[m[0]:m[1]]
		f := strings.Fields(n)
		for len(f) > 0 && questionWords[strings.ToLower(f[0])] {
			f = f[1:]
		}
		// A lone capitalised word that opens a sentence ("Primary voters
		// …", "In response …") is not known to be a name.
		if len(f) == 1 && (text.IsStopword(strings.ToLower(f[0])) || len(strings.Fields(n)) == 1 && startsSentence(q.Text, m[0])) {
			continue
		}
		for len(f) > 0 && (questionWords[strings.ToLower(strings.Trim(f[len(f)-1], "?.,!"))] || calendarWord(f[len(f)-1])) {
			f = f[:len(f)-1]
		}
		if len(f) == 1 && demonym(f[0]) {
			continue // "American", "Mexican": an adjective, not a name to find
		}
		if len(f) > 0 {
			name := strings.TrimRight(strings.Join(f, " "), "?.,!")
			name = strings.TrimSuffix(strings.TrimSuffix(name, "'s"), "’s")
			q.Names = append(q.Names, name)
		}
	}
	return q
}

func contentWords(words []string) int {
	n := 0
	for _, w := range words {
		if !text.IsStopword(w) {
			n++
		}
	}
	return n
}

// calendarWord reports whether a capitalised word is a weekday or a month:
// a date, not a name.
func calendarWord(w string) bool {
	w = strings.ToLower(strings.Trim(w, "?.,!"))
	if _, ok := monthOf[w]; ok {
		return true
	}
	switch w {
	case "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday":
		return true
	}
	return false
}

// demonym reports whether a lone capitalised word is a nationality
// ("American", "Israeli", "Chinese"), by its ending.
func demonym(w string) bool {
	w = strings.ToLower(strings.Trim(w, "?.,!’'"))
	for _, suf := range []string{"ian", "ean", "can", "ish", "ese", "i"} {
		if strings.HasSuffix(w, suf) && len(w) > len(suf)+3 {
			return true
		}
	}
	return false
}

// focusSentence picks the question's own sentence: the last that ends with
// a question mark, else the last that opens with a question word, else the
// last sentence.
// longQuestion is the length past which a message is taken to hold its
// question among other text.
const longQuestion = 400

// FindQuestion returns the question a long message asks: its last
// interrogative sentence and, when that sentence points back ("he", "it",
// "this") or is too short to stand alone, the names the two sentences
// before it mention. A short message is its own question.
func FindQuestion(msg string) string {
	if utf8.RuneCountInString(msg) <= longQuestion {
		return msg
	}
	sentences := text.Sentences(msg)
	focus := focusSentence(sentences)
	at := len(sentences) - 1
	for i := len(sentences) - 1; i >= 0; i-- {
		if strings.TrimSpace(sentences[i]) == focus {
			at = i
			break
		}
	}
	// A lead-in before a colon ("So, to put it plainly: what …?") is not
	// the question.
	if i := strings.LastIndex(focus, ": "); i >= 0 {
		if f := strings.Fields(focus[i+2:]); len(f) > 0 && questionWords[strings.ToLower(f[0])] {
			focus = strings.TrimSpace(focus[i+2:])
		}
	}
	if contentWords(knowledge.QueryWords(focus)) >= 3 && !pointsBackRE.MatchString(focus) {
		return focus
	}
	var names []string
	seen := map[string]bool{}
	for _, w := range knowledge.QueryWords(focus) {
		seen[w] = true
	}
	for i := max(0, at-2); i < at; i++ {
		for _, m := range nameRE.FindAllStringIndex(sentences[i], -1) {
			n := strings.TrimRight(sentences[i][m[0]:m[1]], ".,;:!?")
			if len(strings.Fields(n)) == 1 && startsSentence(sentences[i], m[0]) {
				continue
			}
			key := strings.ToLower(n)
			if !seen[key] && !text.IsStopword(key) {
				seen[key] = true
				names = append(names, n)
			}
		}
	}
	if len(names) == 0 {
		return focus
	}
	return "About " + strings.Join(names, ", ") + ": " + focus
}

// pointsBackRE finds the words by which a question leans on what was said
// before it.
var pointsBackRE = regexp.MustCompile(`(?i)\b(?:he|she|they|him|her|them|his|hers|their|it|its|this|that|these|those|there)\b`)

func focusSentence(sentences []string) string {
	for i := len(sentences) - 1; i >= 0; i-- {
		if strings.HasSuffix(strings.TrimRight(sentences[i], " \"'”’)"), "?") {
			return strings.TrimSpace(sentences[i])
		}
	}
	for i := len(sentences) - 1; i >= 0; i-- {
		f := strings.Fields(sentences[i])
		if len(f) > 0 && questionWords[strings.ToLower(f[0])] {
			return strings.TrimSpace(sentences[i])
		}
	}
	if len(sentences) == 0 {
		return ""
	}
	return strings.TrimSpace(sentences[len(sentences)-1])
}

// startsSentence reports whether offset i of text opens a sentence.
func startsSentence(txt string, i int) bool {
	before := strings.TrimRight(txt[:i], " \t\n\"'“‘(")
	return before == "" || strings.HasSuffix(before, ".") || strings.HasSuffix(before, "?") || strings.HasSuffix(before, "!") || strings.HasSuffix(before, ":")
}

var (
	asOfDayRE   = regexp.MustCompile(`(?i)\b(?:as of|as at|until|before|by)\s+(\d{1,2})\s+(january|february|march|april|may|june|july|august|september|october|november|december)\s+(\d{4})\b`)
	asOfMonthRE = regexp.MustCompile(`(?i)\b(?:as of|as at|in|until|by|during)\s+(january|february|march|april|may|june|july|august|september|october|november|december)\s+(\d{4})\b`)
	asOfISORE   = regexp.MustCompile(`\b(?:as of|until|before)\s+(\d{4})-(\d{2})-(\d{2})\b`)
)

// asOf reads a date that ends the question's window: the day after "as of
// 1 May 2025", the month after "in April 2025". Zero when there is none.
func asOf(txt string) time.Time {
	month := func(name string) time.Month {
		for m := time.January; m <= time.December; m++ {
			if strings.EqualFold(m.String(), name) {
				return m
			}
		}
		return 0
	}
	atoi := func(s string) int {
		n := 0
		for _, c := range s {
			n = n*10 + int(c-'0')
		}
		return n
	}
	if m := asOfISORE.FindStringSubmatch(txt); m != nil {
		return time.Date(atoi(m[1]), time.Month(atoi(m[2])), atoi(m[3])+1, 0, 0, 0, 0, time.UTC)
	}
	if m := asOfDayRE.FindStringSubmatch(txt); m != nil {
		return time.Date(atoi(m[3]), month(m[2]), atoi(m[1])+1, 0, 0, 0, 0, time.UTC)
	}
	if m := asOfMonthRE.FindStringSubmatch(txt); m != nil {
		return time.Date(atoi(m[2]), month(m[1])+1, 1, 0, 0, 0, 0, time.UTC)
	}
	return time.Time{}
}
