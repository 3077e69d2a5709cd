package knowledge

import (
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Office is one office a person holds or held, however the articles name
// it: "White House special envoy for the Middle East", "US envoy" and
// "special envoy" are one office, its head ("special envoy") and scope
// ("Middle East") normalised, the words naming whom it serves or its
// standing ("White House", "US", "interim") kept as qualifiers.
type Office struct {
	Head       string // lower case: "special envoy", "secretary of state"
	Scope      string // as written, with its linking word: "for the Middle East", "to the United Nations"; "" for none
	Qualifiers []string
	// Title is the fullest form an article gave, as written; Named is the
	// mention that gives it.
	Title string
	Named Role
	// First and Last are the publication days of its first and last
	// mention; Mentions are all of them, newest first.
	First, Last time.Time
	Mentions    []Role
	// Former: every mention calls it former ("former congressman").
	Former bool

	formers     int  // mentions that call it former
	titleScoped bool // Title names the scope
}

// Offices groups a person's roles into offices, the one held longest
// mentioned first. A title without a scope ("envoy", "special envoy")
// belongs to the one office with a scope whose head ends the same way, when
// there is exactly one; otherwise it is an office of its own.
func (pr PersonRoles) Offices() []Office {
	byKey := map[string]*Office{}
	var keys []string
	for _, r := range pr.Roles {
		quals, head, scope := ParseOffice(r.Title)
		if head == "" {
			continue
		}
		key := head + "|" + strings.ToLower(scope)
		o, ok := byKey[key]
		if !ok {
			o = &Office{Head: head, Scope: scope}
			byKey[key] = o
			keys = append(keys, key)
		}
		o.add(r, quals, scope)
	}
	// Scopeless heads join the one scoped office they are a form of.
	for _, key := range keys {
		o := byKey[key]
		if o == nil || o.Scope != "" {
			continue
		}
		var into *Office
		n := 0
		for _, k2 := range keys {
			p := byKey[k2]
			if p != nil && p.Scope != "" && (p.Head == o.Head || strings.HasSuffix(p.Head, " "+o.Head)) {
				into, n = p, n+1
			}
		}
		if n == 1 {
			into.merge(o)
			delete(byKey, key)
		}
	}
	var out []Office
	for _, key := range keys {
		if o, ok := byKey[key]; ok {
			o.Former = o.formers == len(o.Mentions)
			sort.SliceStable(o.Mentions, func(i, j int) bool { return o.Mentions[i].Article.Published.After(o.Mentions[j].Article.Published) })
			out = append(out, *o)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Last.Equal(out[j].Last) {
			return out[i].Last.After(out[j].Last)
		}
		return len(out[i].Mentions) > len(out[j].Mentions)
	})
	return out
}

// add counts a mention of the office, parsed once by ParseOffice.
func (o *Office) add(r Role, quals []string, scope string) {
	o.Mentions = append(o.Mentions, r)
	o.Qualifiers = appendNewStrings(o.Qualifiers, quals)
	for _, q := range quals {
		if q == "former" {
			o.formers++
			break
		}
	}
	o.span(r.Article.Published)
	// The fullest title: the one that names the scope, then the longest.
	if o.Title == "" || (scope != "" && !o.titleScoped) || ((scope != "") == o.titleScoped && len(r.Title) > len(o.Title)) {
		o.Title, o.Named, o.titleScoped = displayTitle(r.Title), r, scope != ""
	}
}

// merge takes in another office's mentions (a scopeless form of this one).
func (o *Office) merge(p *Office) {
	o.Mentions = append(o.Mentions, p.Mentions...)
	o.Qualifiers = appendNewStrings(o.Qualifiers, p.Qualifiers)
	o.formers += p.formers
	o.span(p.First)
	o.span(p.Last)
}

// span widens the office's days to hold t.
func (o *Office) span(t time.Time) {
	if o.First.IsZero() || t.Before(o.First) {
		o.First = t
	}
	if t.After(o.Last) {
		o.Last = t
	}
}

// HeldAt reports whether a mention of the office falls within window
// before t (and none only after it).
func (o Office) HeldAt(t time.Time, window time.Duration) bool {
	for _, m := range o.Mentions {
		p := m.Article.Published
		if !p.After(t) && t.Sub(p) <= window {
			return true
		}
	}
	return false
}

// ParseOffice splits a title into the words that qualify it, its head and
// its scope: "White House special envoy for the Middle East" is
// (["White House"], "special envoy", "for the Middle East");
// "President Donald Trump's special envoy" is (["President Donald
// Trump's"], "special envoy", ""); "interim national security adviser" is
// (["interim"], "national security adviser", ""); "US Secretary of State"
// is (["US"], "secretary of state", "").
func ParseOffice(title string) (quals []string, head, scope string) {
	words := strings.Fields(strings.TrimSpace(firstTitle(title)))
	// A possessive names whom the office serves: it and what comes
	// before it qualify.
	for i := len(words) - 1; i >= 0; i-- {
		if strings.HasSuffix(words[i], "'s") || strings.HasSuffix(words[i], "’s") {
			quals = append(quals, strings.Join(words[:i+1], " "))
			words = words[i+1:]
			break
		}
	}
	// Capitalised words before the first title word qualify ("US",
	// "White House", "French"); standing words too ("interim", "former").
	start := 0
	var run []string
	for start < len(words) {
		w := words[start]
		lw := strings.ToLower(strings.Trim(w, ".,"))
		if titleWords[lw] {
			break
		}
		if standingWords[lw] {
			if len(run) > 0 {
				quals = append(quals, strings.Join(run, " "))
				run = nil
			}
			quals = append(quals, lw)
			start++
			continue
		}
		if r, _ := utf8.DecodeRuneInString(w); unicode.IsUpper(r) || unicode.IsDigit(r) {
			run = append(run, w)
			start++
			continue
		}
		if lw == "the" || lw == "a" || lw == "an" {
			start++
			continue
		}
		break
	}
	if len(run) > 0 {
		quals = append(quals, strings.Join(run, " "))
	}
	rest := words[start:]
	if len(rest) == 0 {
		return quals, "", ""
	}
	// The scope follows "for" or "to", or "of" after a head that heads
	// an organisation ("director general of the IAEA").
	cut := -1
	for i, w := range rest {
		lw := strings.ToLower(w)
		if i > 0 && (lw == "for" || lw == "to" || lw == "from" || (lw == "of" && orgHeads[strings.ToLower(strings.Join(rest[:i], " "))])) {
			cut = i
			break
		}
	}
	headWords := rest
	if cut >= 0 {
		headWords = rest[:cut]
		scope = strings.ToLower(rest[cut]) + " " + strings.Trim(strings.Join(rest[cut+1:], " "), " ,.")
		if strings.TrimSpace(scope) == strings.ToLower(rest[cut]) {
			scope = ""
		}
	}
	head = strings.ToLower(strings.Join(headWords, " "))
	head = strings.Trim(head, " ,.")
	return quals, head, scope
}

// firstTitle cuts a list of titles to its first: "former congressman from
// Florida and a retired officer" is "former congressman from Florida".
func firstTitle(title string) string {
	for _, sep := range []string{" and a ", " and an ", " and the ", ", a ", ", an ", ", the "} {
		if i := strings.Index(title, sep); i > 0 {
			title = title[:i]
		}
	}
	return title
}

// titleWords open a title: a capitalised word before them qualifies it.
var titleWords = setOf("envoy", "special", "secretary", "minister", "foreign", "prime", "deputy", "vice", "president", "premier",
	"chancellor", "ambassador", "adviser", "advisor", "national", "director", "director-general", "secretary-general", "general",
	"high", "representative", "commissioner", "spokesman", "spokeswoman", "spokesperson", "aide", "chief", "head", "leader",
	"commander", "governor", "mayor", "trade", "treasury", "defence", "defense", "interior", "finance", "economy", "first",
	"supreme", "king", "queen", "crown", "emir", "sultan", "chairman", "chair", "senator", "representative", "negotiator",
	"mediator", "emissary", "speaker", "counsellor", "counselor", "attorney", "justice", "lieutenant", "colonel", "admiral")

// standingWords say how an office is held, not which office it is.
var standingWords = setOf("interim", "acting", "former", "then", "new", "current", "outgoing", "incoming", "designate", "top", "senior", "longtime")

// orgHeads head an organisation named after "of".
var orgHeads = setOf("director general", "director-general", "secretary general", "secretary-general", "head", "chief",
	"president", "chairman", "chair", "leader", "director", "governor", "commander", "spokesman", "spokeswoman", "spokesperson")

func setOf(ws ...string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}

// displayTitle lowers a title's first letter when it only opened its
// sentence ("Special envoy" is "special envoy"), not a name's ("US").
func displayTitle(t string) string {
	t = firstTitle(t)
	f := strings.Fields(t)
	second := ""
	if len(f) > 1 {
		second = f[1]
	}
	r2, _ := utf8.DecodeRuneInString(second)
	r, n := utf8.DecodeRuneInString(t)
	switch {
	case len(f) > 0 && titleWords[strings.ToLower(f[0])] && strings.ToUpper(f[0]) != f[0] && (second == "" || unicode.IsLower(r2)):
		return string(unicode.ToLower(r)) + t[n:]
	case len(f) > 1 && unicode.IsLower(r) && !titleWords[f[0]] && !standingWords[f[0]] && unicode.IsUpper(r2):
		// A name lowered as it opened its sentence: "white House press
		// secretary" is "White House press secretary".
		return string(unicode.ToUpper(r)) + t[n:]
	}
	return t
}

func appendNewStrings(dst, src []string) []string {
	for _, s := range src {
		found := false
		for _, d := range dst {
			found = found || strings.EqualFold(d, s)
		}
		if !found {
			dst = append(dst, s)
		}
	}
	return dst
}
