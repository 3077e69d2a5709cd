package text

import (
	"iter"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// RoleMention is a person named with a title in an article's text:
// "US Secretary of State Marco Rubio", "Witkoff, President Trump's envoy".
type RoleMention struct {
	Name     string // as written, full name when the article gives one
	Role     string // "US Secretary of State", "President Trump's envoy for Ukraine"
	Sentence string // the sentence it was read from
	Ord      int    // the passage it was read from

	Key string // the folded name, set by ExtractRolesFrom
}

// roleWords are the head nouns of titles. A role phrase must contain one.
var roleWords = map[string]bool{
	"president": true, "minister": true, "secretary": true, "envoy": true, "adviser": true, "advisor": true,
	"spokesman": true, "spokeswoman": true, "spokesperson": true, "commissioner": true, "chancellor": true,
	"ambassador": true, "director": true, "premier": true, "representative": true, "chief": true, "head": true,
	"leader": true, "aide": true, "negotiator": true, "mediator": true, "king": true, "emir": true, "prince": true,
	"governor": true, "mayor": true, "senator": true, "chairman": true, "chairwoman": true, "chair": true,
	"commander": true, "congressman": true, "congresswoman": true, "diplomat": true, "general": true,
	"ayatollah": true, "speaker": true, "counterpart": true, "official": false, "prosecutor": true,
	"governor-general": true, "vice-president": true, "ceo": true, "founder": true, "son-in-law": true,
}

// roleModifiers may stand before a role word in a title without being a name.
var roleModifiers = map[string]bool{
	"special": true, "foreign": true, "press": true, "deputy": true, "vice": true, "former": true, "acting": true,
	"interim": true, "top": true, "senior": true, "national": true, "security": true, "defence": true, "defense": true,
	"first": true, "prime": true, "finance": true, "trade": true, "economy": true, "interior": true, "energy": true,
	"policy": true, "chief": true, "supreme": true, "presidential": true, "executive": true, "high": true,
	"general": true, "state": true, "assistant": true, "principal": true, "lead": true, "new": true, "incoming": true,
	"outgoing": true, "longtime": true, "economic": true, "military": true, "army": true, "white": true, "house": true,
	"treasury": true, "commerce": true, "justice": true, "health": true, "agriculture": true, "sovereign": true,
}

// notNameWords are capitalised words that start sentences or name things
// other than people.
var notNameWords = map[string]bool{
	"the": true, "a": true, "an": true, "in": true, "on": true, "at": true, "for": true, "but": true, "and": true,
	"after": true, "before": true, "when": true, "while": true, "this": true, "that": true, "it": true, "he": true,
	"she": true, "they": true, "we": true, "his": true, "her": true, "their": true, "under": true, "according": true,
	"monday": true, "tuesday": true, "wednesday": true, "thursday": true, "friday": true, "saturday": true, "sunday": true,
	"january": true, "february": true, "march": true, "april": true, "may": true, "june": true, "july": true,
	"august": true, "september": true, "october": true, "november": true, "december": true, "kremlin": true,
	"white": true, "house": true, "state": true, "us": true, "u.s.": true, "uk": true, "eu": true, "un": true,
	"nato": true, "washington": true, "moscow": true, "kyiv": true, "beijing": true, "paris": true, "london": true,
}

// sentenceOpeners are common words that may open a sentence before a title.
var sentenceOpeners = map[string]bool{
	"the": true, "a": true, "an": true, "in": true, "on": true, "at": true, "for": true, "but": true, "and": true,
	"after": true, "before": true, "when": true, "while": true, "under": true, "as": true, "then": true, "meanwhile": true,
}

var (
	nameTok = `\p{Lu}[\p{L}\p{M}'’.-]*`
	// A name: two to four capitalised words, with particles such as "von der".
	nameRE = regexp.MustCompile(`^` + nameTok + `(?:\s+(?:(?:von|van|der|den|de|da|del|di|al|bin|ibn|la|le|el)\s+)*` + nameTok + `){0,3}`)
)

// ExtractRoles finds people named with their titles in text. Mentions by
// surname alone ("Witkoff, the envoy") are resolved to a full name the text
// gives elsewhere, or dropped.
func ExtractRoles(text string) []RoleMention {
	return ExtractRolesFrom(strings.Split(text, "\n\n"))
}

// ExtractRolesFrom reads the mentions of each passage, setting Ord; surnames
// are resolved across all of them.
func ExtractRolesFrom(passages []string) []RoleMention {
	var raw []RoleMention
	var ws []word // reused from sentence to sentence
	for ord, para := range passages {
		for _, s := range Sentences(para) {
			if utf8.RuneCountInString(s) > 600 {
				continue
			}
			found := whoLeads(s)
			if mentionsRoleWord(s) {
				ws = appendWords(ws[:0], s)
				found = append(found, titleBeforeName(s, ws)...)
				found = append(found, appositive(s, ws)...)
				found = append(found, appointment(s, ws)...)
				found = append(found, titleThenName(s)...)
			}
			for i := range found {
				found[i].Ord = ord
				found[i].Role = decapitalise(found[i].Role, s)
			}
			raw = append(raw, found...)
		}
	}
	// Full names seen in the text, by surname: those of mentions win.
	full := map[string]string{}
	for _, m := range raw {
		if len(strings.Fields(m.Name)) == 1 {
			for _, p := range passages {
				for _, name := range fullNames(p) {
					f := strings.Fields(name)
					full[Fold(f[len(f)-1])] = name
				}
			}
			break
		}
	}
	for _, m := range raw {
		if f := strings.Fields(m.Name); len(f) > 1 {
			full[Fold(f[len(f)-1])] = m.Name
		}
	}
	var out []RoleMention
	seen := map[string]bool{}
	for _, m := range raw {
		f := strings.Fields(m.Name)
		if len(f) == 1 {
			name, ok := full[Fold(f[0])]
			if !ok {
				continue
			}
			m.Name = name
		}
		m.Key = strings.Join(Words(m.Name), " ")
		if m.Key == "" {
			continue
		}
		dedupe := m.Key + "|" + Fold(m.Role)
		if !seen[dedupe] {
			seen[dedupe] = true
			out = append(out, m)
		}
	}
	return out
}

// decapitalise lower-cases a title's first letter when the title opened its
// sentence with a common word ("Special envoy Steve Witkoff met …").
func decapitalise(title, sentence string) string {
	if !strings.HasPrefix(sentence, title) {
		return title
	}
	first := strings.Fields(title)[0]
	if roleModifiers[strings.ToLower(first)] || roleWords[strings.ToLower(first)] {
		return strings.ToLower(first[:1]) + title[1:]
	}
	return title
}

// words of a sentence with the byte offset where each starts.
type word struct {
	text  string
	start int
}

func splitWords(s string) []word { return appendWords(make([]word, 0, len(s)/6+1), s) }

// appendWords appends the words of s to out.
func appendWords(out []word, s string) []word {
	for start, w := range spaced(s) {
		out = append(out, word{w, start})
	}
	return out
}

// spaced yields the whitespace-separated words of s with their offsets.
func spaced(s string) iter.Seq2[int, string] {
	return func(yield func(int, string) bool) {
		start := -1
		for i, r := range s {
			if r == ' ' || r == '\n' || r == '\t' || (r >= utf8.RuneSelf && unicode.IsSpace(r)) {
				if start >= 0 && !yield(start, s[start:i]) {
					return
				}
				start = -1
			} else if start < 0 {
				start = i
			}
		}
		if start >= 0 {
			yield(start, s[start:])
		}
	}
}

// in reports whether set holds w without its clinging punctuation, in lower
// case. It allocates nothing for ASCII words: role extraction looks up every
// word of every sentence.
func in(set map[string]bool, w string) bool {
	w = trimPunct(w)
	var buf [32]byte
	if len(w) > len(buf) {
		return false // longer than any word of the sets
	}

	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= utf8.RuneSelf {
			return set[strings.ToLower(w)]
		}
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return set[string(buf[:len(w)])]
}

// isRoleWord is isRoleWord(w), asked of every word of every sentence:
// most words cannot be role words by their first letter and length, and
// are turned down without hashing.
func isRoleWord(w string) bool {
	t := trimPunct(w)
	if t == "" {
		return false
	}
	if c := t[0] | 0x20; c >= 'a' && c <= 'z' && (len(t) > 32 || !roleShapes[c-'a'][len(t)]) {
		return false
	}
	return in(roleWords, w)
}

// roleShapes[l][n] is true when a role word starts with 'a'+l and is n
// bytes long.
var roleShapes = func() (shapes [26][33]bool) {
	for w := range roleWords {
		if c := w[0]; c >= 'a' && c <= 'z' && len(w) <= 32 {
			shapes[c-'a'][len(w)] = true
		}
	}
	return shapes
}()

func bare(w string) string {
	w = trimPunct(w)
	for i := 0; i < len(w); i++ {
		if c := w[i]; c >= 'A' && c <= 'Z' || c >= utf8.RuneSelf {
			return strings.ToLower(w)
		}
	}
	return w // already lower case: no copy
}

func isCapitalised(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	return unicode.IsUpper(r)
}

// titleBeforeName reads "French Foreign Minister Jean-Noël Barrot",
// "special envoy Steve Witkoff", "US Secretary of State Marco Rubio".
func titleBeforeName(s string, ws []word) []RoleMention {
	var out []RoleMention
	for i := 0; i < len(ws); i++ {
		if !isRoleWord(ws[i].text) || strings.ContainsAny(ws[i].text, ",;:") {
			continue
		}
		// The title may go on: "Secretary of State", "Secretary General".
		j := i + 1
		for j < len(ws) && (isRoleWord(ws[j].text) || in(roleModifiers, ws[j].text)) && !strings.ContainsAny(ws[j-1].text, ",;:") {
			if !isCapitalised(ws[j].text) || j+1 >= len(ws) || !isCapitalised(ws[j+1].text) {
				break
			}
			if strings.ContainsAny(ws[j].text, ",;:") {
				break
			}
			j++
		}
		if j+1 < len(ws) && bare(ws[j].text) == "of" && isCapitalised(ws[j+1].text) && !strings.ContainsAny(ws[j].text, ",") {
			j += 2
		}
		if j >= len(ws) || strings.ContainsAny(ws[j-1].text, ",;:") || !isCapitalised(ws[j].text) || in(notNameWords, ws[j].text) {
			continue
		}
		name := nameRE.FindString(s[ws[j].start:])
		name = trimName(name)
		if len(strings.Fields(name)) < 2 {
			continue
		}
		// Extend the title leftwards over modifiers and capitalised words
		// ("US", "French", "Kremlin", "White House press").
		k := i
		for k > 0 {
			p := ws[k-1].text
			if strings.ContainsAny(p, ",;:.()\"“”") || bare(p) == "the" || bare(p) == "a" || bare(p) == "an" {
				break
			}
			if !(isCapitalised(p) || in(roleModifiers, p) || isRoleWord(p)) || strings.HasSuffix(p, "'s") || strings.HasSuffix(p, "’s") {
				break
			}
			k--
		}
		if k == 0 && k < i && in(sentenceOpeners, ws[0].text) {
			k = 1
		}
		role := strings.TrimSpace(s[ws[k].start:ws[j].start])
		if role != "" {
			out = append(out, RoleMention{Name: name, Role: role, Sentence: s})
		}
		i = j
	}
	return out
}

// mentionsRoleWord reports whether a sentence holds a role word, reading it
// in place: most sentences hold none and need no word list.
func mentionsRoleWord(s string) bool {
	for _, w := range spaced(s) {
		if isRoleWord(w) {
			return true
		}
	}
	return false
}

// trimPunct trims the punctuation that clings to words, without the
// allocation strings.Trim makes for its cut set.
func trimPunct(w string) string {
	// Most words start and end with a letter or digit: nothing to trim.
	if len(w) > 0 && asciiFold[w[0]] != 0 && asciiFold[w[len(w)-1]] != 0 {
		return w
	}
	isPunct := func(r rune) bool {
		switch r {
		case ',', '.', ';', ':', '!', '?', '"', '\'', '(', ')', '[', ']', '“', '”', '‘', '’':
			return true
		}
		return false
	}
	for len(w) > 0 {
		r, n := utf8.DecodeRuneInString(w)
		if !isPunct(r) {
			break
		}
		w = w[n:]
	}
	for len(w) > 0 {
		r, n := utf8.DecodeLastRuneInString(w)
		if !isPunct(r) {
			break
		}
		w = w[:len(w)-n]
	}
	return w
}

// nameEndingAt returns the name made of the capitalised words that end at
// word i (particles such as "von der" allowed), or "".
func nameEndingAt(s string, ws []word, i int) string {
	if i < 0 || !isCapitalised(ws[i].text) {
		return ""
	}
	k, caps := i, 1
	for k > 0 && caps < 4 {
		p := ws[k-1].text
		if strings.ContainsAny(p, ",;:.()\"“”") {
			break
		}
		if isCapitalised(p) {
			caps++
		} else if !nameParticles[p] {
			break
		}
		k--
	}
	for k < i && nameParticles[ws[k].text] {
		k++
	}
	end := ws[i].start + len(ws[i].text)
	return trimName(strings.TrimRight(s[ws[k].start:end], ",;:"))
}

var nameParticles = map[string]bool{"von": true, "van": true, "der": true, "den": true, "de": true, "da": true,
	"del": true, "di": true, "al": true, "bin": true, "ibn": true, "la": true, "le": true, "el": true}

// rolePhrase reads a title from word i on: up to a comma, semicolon, full
// stop or a word that opens a clause, at most max words. It reports whether
// the phrase holds a role word and opens like a title.
func rolePhrase(s string, ws []word, i, max int, stops map[string]bool) (string, bool) {
	for i < len(ws) && in(phraseOpeners, ws[i].text) {
		i++
	}
	if i >= len(ws) {
		return "", false
	}
	start, end, hasRole := i, i, false
	for ; end < len(ws) && end-start < max; end++ {
		w := ws[end].text
		if in(stops, w) && end > start {
			break
		}
		hasRole = hasRole || isRoleWord(w)
		if strings.HasSuffix(w, ",") || strings.HasSuffix(w, ";") || (strings.HasSuffix(w, ".") && !abbreviations[strings.ToLower(strings.TrimSuffix(w, "."))]) {
			end++
			break
		}
		if strings.ContainsAny(w, "()") {
			break
		}
	}
	if end-start == 0 || end-start > max || !hasRole {
		return "", false
	}
	first := ws[start].text
	if !(isCapitalised(first) || in(roleModifiers, first) || isRoleWord(first)) {
		return "", false
	}
	last := ws[end-1]
	phrase := strings.TrimRight(s[ws[start].start:last.start+len(last.text)], ",;.")
	return strings.TrimSpace(phrase), true
}

// phraseOpeners are skipped at the start of a title: "the next US ambassador".
var phraseOpeners = map[string]bool{"the": true, "a": true, "an": true, "its": true, "his": true, "her": true,
	"their": true, "next": true, "new": true}

var appositiveStops = map[string]bool{"who": true, "which": true, "whose": true, "said": true, "told": true,
	"has": true, "had": true, "was": true, "is": true, "will": true, "would": true, "says": true}

// appositive reads "Witkoff, President Trump's envoy for Ukraine," and
// "Kirill Dmitriev, the head of Russia's sovereign wealth fund who …".
func appositive(s string, ws []word) []RoleMention {
	var out []RoleMention
	for i, w := range ws {
		if !strings.HasSuffix(w.text, ",") || i+1 >= len(ws) {
			continue
		}
		name := nameEndingAt(s, ws, i)
		if name == "" {
			continue
		}
		role, ok := rolePhrase(s, ws, i+1, 14, appositiveStops)
		if ok {
			out = append(out, RoleMention{Name: name, Role: role, Sentence: s})
		}
	}
	return out
}

var appointmentVerbs = map[string]bool{"will": true, "would": true, "to": true, "serve": true, "serves": true,
	"served": true, "be": true, "become": true, "becomes": true, "became": true, "was": true, "named": true,
	"appointed": true, "nominated": true, "confirmed": true}

var appointmentStops = map[string]bool{"while": true, "after": true, "who": true, "until": true, "before": true,
	"when": true, "since": true}

// appointment reads "nominate Mike Waltz as the next US ambassador" and
// "Rubio will serve as interim national security adviser".
func appointment(s string, ws []word) []RoleMention {
	var out []RoleMention
	for j, w := range ws {
		if w.text != "as" || j == 0 || j+1 >= len(ws) {
			continue
		}
		k := j - 1
		for k >= 0 && j-k <= 3 && appointmentVerbs[ws[k].text] {
			k--
		}
		name := nameEndingAt(s, ws, k)
		if name == "" {
			continue
		}
		role, ok := rolePhrase(s, ws, j+1, 12, appointmentStops)
		if !ok {
			continue
		}
		out = append(out, RoleMention{Name: name, Role: role, Sentence: s})
	}
	return out
}

// titleThenNameRE: "The EU's trade commissioner, Maros Sefcovic, had led":
// a title, a comma, then the name set off by commas.
var titleThenNameRE = regexp.MustCompile(`(?:^|[,;]\s+|\b(?i:the|its|their|his|her)\s+)((?:` + nameTok + `(?:'s|’s)?\s+)?(?:[\p{L}-]+\s+){0,3}[\p{L}-]+),\s+(` + nameTok + `(?:\s+` + nameTok + `){1,3}),`)

// titleThenName reads a title followed by the name it belongs to.
func titleThenName(s string) []RoleMention {
	var out []RoleMention
	for _, m := range titleThenNameRE.FindAllStringSubmatch(s, -1) {
		title, name := strings.TrimSpace(m[1]), trimName(m[2])
		ws := strings.Fields(title)
		if len(ws) == 0 || !isRoleWord(ws[len(ws)-1]) || name == "" || len(strings.Fields(name)) < 2 {
			continue
		}
		out = append(out, RoleMention{Name: name, Role: title, Sentence: s})
	}
	return out
}

// whoLeadsRE: "Mark Rutte, who leads the alliance," states an office by
// what the person leads.
var whoLeadsRE = regexp.MustCompile(`(` + nameTok + `(?:\s+` + nameTok + `){1,3}),\s+who\s+(?:leads|heads|chairs|runs|directs|commands|led|headed|chaired|ran)\s+(the\s+[^,;.()]{3,60})`)

// whoLeads reads "X, who leads the Y" as X's office: head of the Y.
func whoLeads(s string) []RoleMention {
	var out []RoleMention
	for _, m := range whoLeadsRE.FindAllStringSubmatch(s, -1) {
		obj := strings.Fields(m[2])
		if len(obj) > 8 {
			obj = obj[:8]
		}
		name := trimName(m[1])
		if name == "" || len(strings.Fields(name)) < 2 {
			continue
		}
		out = append(out, RoleMention{Name: name, Role: "head of " + strings.Join(obj, " "), Sentence: s})
	}
	return out
}

// trimName drops words that cannot end a name (a role word, a possessive).
func trimName(name string) string {
	f := strings.Fields(name)
	for len(f) > 0 {
		last := f[len(f)-1]
		if isRoleWord(last) || in(notNameWords, last) || strings.HasSuffix(last, "'s") || strings.HasSuffix(last, "’s") {
			f = f[:len(f)-1]
			continue
		}
		break
	}
	for len(f) > 0 && (in(notNameWords, f[0]) || isRoleWord(f[0]) || in(roleModifiers, f[0])) {
		f = f[1:]
	}
	for i, w := range f {
		f[i] = strings.TrimRight(w, ".,;:")
	}
	return strings.Join(f, " ")
}

// FullNames returns the likely personal names in text: runs of two or
// three capitalised words that hold no title or common word.
func FullNames(text string) []string { return fullNames(text) }

// fullNames returns runs of two to four capitalised words in text that are
// not at a sentence start and hold no title or common word: likely names.
func fullNames(text string) []string {
	var out []string
	ws := splitWords(text)
	for i := 0; i < len(ws); i++ {
		if !isCapitalised(ws[i].text) || in(notNameWords, ws[i].text) || isRoleWord(ws[i].text) {
			continue
		}
		j := i
		for j < len(ws) && j-i < 4 && isCapitalised(ws[j].text) && !in(notNameWords, ws[j].text) && !isRoleWord(ws[j].text) {
			j++
			if strings.ContainsAny(ws[j-1].text, ",.;:") {
				break
			}
		}
		if j-i >= 2 && j-i <= 3 {
			parts := make([]string, 0, j-i)
			for _, w := range ws[i:j] {
				parts = append(parts, strings.Trim(w.text, `,.;:"“”()`))
			}
			if !strings.HasSuffix(parts[len(parts)-1], "'s") && !strings.HasSuffix(parts[len(parts)-1], "’s") {
				out = append(out, strings.Join(parts, " "))
			}
		}
		i = j
	}
	return out
}
