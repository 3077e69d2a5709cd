package bot

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/attache-bot/attache/commands"
	"github.com/attache-bot/attache/knowledge"
	"github.com/attache-bot/attache/knowledge/answer"
)

// MaxContent is Discord's limit on a message's content, in characters.
const MaxContent = 2000

// Render turns a reply into message contents of at most MaxContent
// characters each: the answer with its [n] markers, the numbered sources
// linking to their articles (with no link previews), and an "as of" line.
// Long replies are split between paragraphs, lines, sentences or words,
// never inside a citation, a link or a word.
func Render(r commands.Reply) []string {
	a := r.Answer
	var b strings.Builder
	b.WriteString(strings.TrimSpace(a.Text))
	if len(a.Sources) > 0 {
		b.WriteString("\n\n**" + commands.T(r.Locale, "Sources") + "**")
		for _, s := range a.Sources {
			fmt.Fprintf(&b, "\n%s", sourceLine(s.N, s.Article))
		}
	}
	if a.NoAnswer && len(a.Closest) > 0 {
		b.WriteString("\n\n**" + commands.T(r.Locale, "Closest stored articles") + "**")
		for _, c := range a.Closest {
			fmt.Fprintf(&b, "\n%s", sourceLine(0, c))
		}
	}
	if !a.AsOf.IsZero() {
		b.WriteString("\n\n-# " + commands.T(r.Locale, "As of %s", a.AsOf.Format("2 Jan 2006")))
		if a.Method == answer.MethodExtractive && a.Fallback == "" {
			b.WriteString(" · " + commands.T(r.Locale, "extractive answer"))
		}
	}
	if r.Footer != "" {
		b.WriteString("\n-# " + strings.ReplaceAll(r.Footer, "\n", " "))
	}
	return Split(b.String(), MaxContent)
}

// sourceLine renders "[n] Title — Publication, 16 Apr 2025" with the title
// linking to the article; the angle brackets stop Discord's preview.
func sourceLine(n int, a knowledge.Article) string {
	title := cleanTitle(a.Title)
	date := a.Day()
	pub := a.Source
	if pub == "" {
		pub = "unknown outlet"
	}
	prefix := "•"
	if n > 0 {
		prefix = fmt.Sprintf("[%d]", n)
	}
	if knowledge.IsWebURL(a.URL) && !strings.ContainsAny(a.URL, " <>") && utf8.RuneCountInString(a.URL) < 500 {
		return fmt.Sprintf("%s [%s](<%s>) — %s, %s", prefix, title, a.URL, cleanTitle(pub), date)
	}
	return fmt.Sprintf("%s %s — %s, %s", prefix, title, cleanTitle(pub), date)
}

// cleanTitle keeps a title from breaking the link markup around it.
func cleanTitle(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	s = strings.NewReplacer("[", "(", "]", ")", "*", "", "_", " ", "`", "'", "<", "‹", ">", "›").Replace(s)
	if utf8.RuneCountInString(s) > 200 {
		s = string([]rune(s)[:199]) + "…"
	}
	return s
}

// Split cuts text into pieces of at most max characters, preferring to cut
// between paragraphs, then lines, then sentences, then words. Only a
// single word longer than max is cut inside.
func Split(text string, max int) []string {
	text = strings.TrimSpace(text)
	if text == "" {
		return []string{"…"}
	}
	var out []string
	for utf8.RuneCountInString(text) > max {
		cut := cutPoint(text, max)
		out = append(out, strings.TrimSpace(text[:cut]))
		text = strings.TrimSpace(text[cut:])
	}
	if text != "" {
		out = append(out, text)
	}
	return out
}

// cutPoint finds the byte offset to cut text at so that the head holds at
// most max characters.
func cutPoint(text string, max int) int {
	limit := byteOffset(text, max)
	head := text[:limit]
	for _, sep := range []string{"\n\n", "\n", ". ", "? ", "! ", " "} {
		if i := strings.LastIndex(head, sep); i > limit/3 {
			return i + len(sep) - 1
		}
	}
	if i := strings.LastIndex(head, " "); i > 0 {
		return i
	}
	return limit
}

// byteOffset returns the byte offset of the n-th character.
func byteOffset(s string, n int) int {
	i := 0
	for k := range s {
		if i == n {
			return k
		}
		i++
	}
	return len(s)
}
