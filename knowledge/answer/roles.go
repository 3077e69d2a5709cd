package answer

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/attache-bot/attache/knowledge"
)

// A role question is answered with offices, not strings: the office(s) the
// person held as of the question's day first, each with the days of its
// first and last mention and cited once; then the other missions the
// articles report, outside the office's scope ("special envoy for the
// Middle East" who also went to Moscow on Ukraine); then earlier offices
// when the question asks about the past.

// currentWindow is how long after its last mention an office counts as
// still held.
const currentWindow = 183 * 24 * time.Hour

// pastRE: a question about earlier offices.
var pastRE = regexp.MustCompile(`(?i)\b(?:before|previous(?:ly)?|earlier|former(?:ly)?|used\s+to|prior|past|until|history|career)\b`)

// extractRoles answers a role question from the who-is records of the
// best-documented person the question names.
func extractRoles(ev Evidence) (Answer, bool) {
	pr := ev.Roles[0]
	offices := pr.Offices()
	if len(offices) == 0 {
		return Answer{}, false
	}
	ref := roleDay(ev, offices)
	var current, earlier []knowledge.Office
	for _, o := range offices {
		switch {
		case o.First.After(ref):
		case o.HeldAt(ref, currentWindow) && !o.Former && !superseded(o, offices, ref):
			current = append(current, o)
		default:
			earlier = append(earlier, o)
		}
	}
	if len(current) == 0 {
		if len(earlier) == 0 {
			return Answer{}, false
		}
		current, earlier = earlier[:1], earlier[1:]
	}
	if len(current) > 3 {
		current = current[:3]
	}
	c := newCiter()
	var parts []string
	for _, o := range current {
		parts = append(parts, c.office(o))
	}
	verb := "is"
	if ev.Question.AsOf.Before(ev.Today) && !ev.Question.AsOf.IsZero() {
		verb = "was"
	}
	txt := fmt.Sprintf("%s %s %s.", pr.Person.Name, verb, joinList(parts))
	if m := missions(pr.Person.Name, current[0], c); m != "" {
		txt += " " + m
	}
	if len(earlier) > 0 && pastRE.MatchString(ev.Question.Text) {
		var before []string
		for _, o := range earlier[:min(3, len(earlier))] {
			before = append(before, c.office(o))
		}
		txt += " Earlier: " + joinList(before) + "."
	}
	return c.answer(ev.Question.Text, txt), true
}

// superseded: another office began after this one's last mention (and by
// the day asked about): "national security adviser" until March, then
// "ambassador to the United Nations" from May.
func superseded(o knowledge.Office, all []knowledge.Office, ref time.Time) bool {
	for _, b := range all {
		if b.Head != o.Head && b.First.After(o.Last) && !b.First.After(ref) && !b.Former {
			return true
		}
	}
	return false
}

// roleDay is the day a role question is asked as of: the day the question
// names ("in April 2025"), else its day, but never after the person's last
// mention (a year-old archive answers as of its own time).
func roleDay(ev Evidence, offices []knowledge.Office) time.Time {
	if !ev.Question.AsOf.IsZero() {
		return ev.Question.AsOf.Add(-time.Second)
	}
	last := offices[0].Last
	for _, o := range offices {
		if o.Last.After(last) {
			last = o.Last
		}
	}
	if ev.Today.IsZero() || last.Before(ev.Today) {
		return last
	}
	return ev.Today
}

// office cites an office once, by the mention that names it fullest, with
// the days of its first and last mention.
func (c *citer) office(o knowledge.Office) string {
	n := c.cite(o.Named.Article, knowledge.Passage{ArticleID: o.Named.Article.ID, Text: o.Named.Sentence})
	return fmt.Sprintf("%s [%d] (%s)", o.Title, n, daySpan(o.First, o.Last))
}

// daySpan writes "18 Feb – 13 Oct 2025", or one day.
func daySpan(first, last time.Time) string {
	switch {
	case first.Format(time.DateOnly) == last.Format(time.DateOnly):
		return last.Format("2 Jan 2006")
	case first.Year() == last.Year():
		return first.Format("2 Jan") + " – " + last.Format("2 Jan 2006")
	}
	return first.Format("2 Jan 2006") + " – " + last.Format("2 Jan 2006")
}

// regions are the stories an office's scope and an article's headline
// belong to, by the places and leaders they name.
var regions = []struct {
	name  string
	words []string
}{
	{"Russia and Ukraine", []string{"russia", "russian", "moscow", "kremlin", "putin", "ukraine", "ukrainian", "kyiv", "zelensky", "petersburg", "crimea", "donbas"}},
	{"the Middle East", []string{"middle east", "iran", "iranian", "tehran", "israel", "israeli", "gaza", "hamas", "palestinian", "oman", "omani", "muscat", "qatar", "doha", "egypt", "egyptian", "syria", "lebanon", "iraq", "yemen", "houthi", "jordan", "bahrain", "kuwait", "emirates", "saudi", "hezbollah"}},
	{"China", []string{"china", "chinese", "beijing", "taiwan", "xi jinping"}},
	{"trade", []string{"tariff", "tariffs", "trade deal", "trade talks"}},
}

func regionOf(s string) string {
	low := " " + strings.ToLower(s) + " "
	for _, r := range regions {
		for _, w := range r.words {
			if strings.Contains(low, " "+w) {
				return r.name
			}
		}
	}
	return ""
}

// missions tells what else the articles report the person doing, outside
// the office's scope: for each other story, its newest mention whose
// sentence names it, cited.
func missions(name string, o knowledge.Office, c *citer) string {
	scope := regionOf(o.Scope)
	if scope == "" {
		return ""
	}
	seen := map[string]bool{scope: true}
	var parts []string
	for _, m := range o.Mentions { // newest first
		r := regionOf(m.Sentence)
		if r == "" || seen[r] || regionOf(m.Article.Title) != r {
			continue
		}
		seen[r] = true
		n := c.cite(m.Article, knowledge.Passage{ArticleID: m.Article.ID, Text: m.Sentence})
		parts = append(parts, fmt.Sprintf("%s has also worked on %s (%s): %s", surname(name), r, m.Article.Day(),
			placeMarkers(strings.TrimSpace(m.Sentence), fmt.Sprintf("[%d]", n))))
		if len(parts) == 2 {
			break
		}
	}
	return strings.Join(parts, " ")
}

// surname is a name's last word.
func surname(name string) string {
	f := strings.Fields(name)
	if len(f) == 0 {
		return name
	}
	return f[len(f)-1]
}
