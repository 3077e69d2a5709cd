package knowledge

import (
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
	var raw []RoleMention
	for _, para := range strings.Split(text, "\n\n") {
		for _, s := range Sentences(para) {
			if utf8.RuneCountInString(s) > 600 {
				continue
			}
			raw = append(raw, titleBeforeName(s)...)
			raw = append(raw, appositive(s)...)
			raw = append(raw, appointment(s)...)
		}
	}
	// Full names seen in the text, by surname: those of mentions first.
	full := map[string]string{}
	for _, name := range fullNames(text) {
		f := strings.Fields(name)
		full[Fold(f[len(f)-1])] = name
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
		key := Fold(m.Name) + "|" + Fold(m.Role)
		if !seen[key] {
			seen[key] = true
			out = append(out, m)
		}
	}
	return out
}

// words of a sentence with the byte offset where each starts.
type word struct {
	text  string
	start int
}

func splitWords(s string) []word {
	var out []word
	start := -1
	for i, r := range s {
		if unicode.IsSpace(r) {
			if start >= 0 {
				out = append(out, word{s[start:i], start})
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		out = append(out, word{s[start:], start})
	}
	return out
}

func bare(w string) string {
	return strings.ToLower(strings.Trim(w, `,.;:!?"“”'‘’()[]`))
}

func isCapitalised(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	return unicode.IsUpper(r)
}

// titleBeforeName reads "French Foreign Minister Jean-Noël Barrot",
// "special envoy Steve Witkoff", "US Secretary of State Marco Rubio".
func titleBeforeName(s string) []RoleMention {
	ws := splitWords(s)
	var out []RoleMention
	for i := 0; i < len(ws); i++ {
		if !roleWords[bare(ws[i].text)] || strings.ContainsAny(ws[i].text, ",;:") {
			continue
		}
		// The title may go on: "Secretary of State", "Secretary General".
		j := i + 1
		for j < len(ws) && (roleWords[bare(ws[j].text)] || roleModifiers[bare(ws[j].text)]) && !strings.ContainsAny(ws[j-1].text, ",;:") {
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
		if j >= len(ws) || strings.ContainsAny(ws[j-1].text, ",;:") || !isCapitalised(ws[j].text) || notNameWords[bare(ws[j].text)] {
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
			if !(isCapitalised(p) || roleModifiers[bare(p)] || roleWords[bare(p)]) || strings.HasSuffix(p, "'s") || strings.HasSuffix(p, "’s") {
				break
			}
			k--
		}
		if k == 0 && k < i && sentenceOpeners[bare(ws[0].text)] {
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

// appositiveRE matches "Name, [the|a|an] role phrase" up to a comma, a
// semicolon, the end of the sentence or a relative clause.
var appositiveRE = regexp.MustCompile(`(` + nameTok + `(?:\s+(?:(?:von|van|der|de|da|del|al|bin|la|le)\s+)*` + nameTok + `){0,3}),\s+(?:(?:the|a|an)\s+)?([^,;()]{3,140}?)(?:,|;|\.\s|\.$| who\b| which\b| whose\b| said\b| told\b| has\b| had\b| was\b| is\b|$)`)

// appositive reads "Witkoff, President Trump's envoy for Ukraine," and
// "Kirill Dmitriev, the head of Russia's sovereign wealth fund who …".
func appositive(s string) []RoleMention {
	var out []RoleMention
	for _, m := range appositiveRE.FindAllStringSubmatch(s, -1) {
		name, role := trimName(m[1]), strings.TrimSpace(m[2])
		if name == "" || notNameWords[bare(strings.Fields(name)[0])] {
			continue
		}
		rw := strings.Fields(role)
		if len(rw) > 14 || len(rw) == 0 {
			continue
		}
		ok := false
		for _, w := range rw {
			if roleWords[bare(w)] {
				ok = true
				break
			}
		}
		// The phrase must open like a title, not a clause: "a former
		// congressman", "Ukraine's first deputy prime minister".
		first := bare(rw[0])
		if !ok || !(isCapitalised(rw[0]) || roleModifiers[first] || roleWords[first]) {
			continue
		}
		out = append(out, RoleMention{Name: name, Role: role, Sentence: s})
	}
	return out
}

// trimName drops words that cannot end a name (a role word, a possessive).
func trimName(name string) string {
	f := strings.Fields(name)
	for len(f) > 0 {
		last := f[len(f)-1]
		if roleWords[bare(last)] || notNameWords[bare(last)] || strings.HasSuffix(last, "'s") || strings.HasSuffix(last, "’s") {
			f = f[:len(f)-1]
			continue
		}
		break
	}
	for len(f) > 0 && (notNameWords[bare(f[0])] || roleWords[bare(f[0])] || roleModifiers[bare(f[0])]) {
		f = f[1:]
	}
	for i, w := range f {
		f[i] = strings.TrimRight(w, ".,;:")
	}
	return strings.Join(f, " ")
}

// appointmentRE matches "Name as [the] role" and "Name will serve as role".
var appointmentRE = regexp.MustCompile(`(` + nameTok + `(?:\s+(?:(?:von|van|der|de|da|del|al|bin|la|le)\s+)*` + nameTok + `){0,3})` +
	`(?:\s+(?:will|would|to)?\s*(?:serve|serves|served|be|become|becomes|became|was named|was appointed|named|appointed))?` +
	`\s+as\s+(?:the\s+|its\s+|his\s+|her\s+)?([^,;()]{3,100}?)(?:,|;|\.\s|\.$| while\b| after\b| who\b| and\s+\p{Ll}+ed\b| until\b|$)`)

// appointment reads "nominate Mike Waltz as the next US ambassador" and
// "Rubio will serve as interim national security adviser".
func appointment(s string) []RoleMention {
	var out []RoleMention
	for _, m := range appointmentRE.FindAllStringSubmatch(s, -1) {
		name, role := trimName(m[1]), strings.TrimSpace(m[2])
		role = strings.TrimPrefix(strings.TrimPrefix(role, "next "), "new ")
		rw := strings.Fields(role)
		if name == "" || len(rw) == 0 || len(rw) > 12 {
			continue
		}
		ok := false
		for _, w := range rw {
			ok = ok || roleWords[bare(w)]
		}
		if ok {
			out = append(out, RoleMention{Name: name, Role: role, Sentence: s})
		}
	}
	return out
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
		if !isCapitalised(ws[i].text) || notNameWords[bare(ws[i].text)] || roleWords[bare(ws[i].text)] {
			continue
		}
		j := i
		for j < len(ws) && j-i < 4 && isCapitalised(ws[j].text) && !notNameWords[bare(ws[j].text)] && !roleWords[bare(ws[j].text)] {
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
