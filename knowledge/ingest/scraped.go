package ingest

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/attache-bot/attache/knowledge"
	"github.com/attache-bot/attache/knowledge/text"
)

// ParseScraped reads the text of a news page as a scraper saves it:
//
//	date 2025-04-16 Support us on Patreon      (date line, junk after the date)
//	Title
//	A standfirst paragraph
//	byMaria Tril                               (byline, often glued)
//	16/04/2025
//	3 minute read
//	image-slug
//	A photo caption. Credit: Agency
//	Title                                      (repeated)
//	Paragraphs of the article…
//
// Optional "url URL" and "source NAME" lines before the date line give the
// article's address and publication. Without a URL the article gets a stable
// urn: made of its date and title, so re-ingesting the file changes nothing.
func ParseScraped(txt string) (knowledge.Article, error) {
	var a knowledge.Article
	lines := cleanLines(txt)
	i := 0
	// Optional header lines and the date line.
	for ; i < len(lines); i++ {
		l := lines[i]
		switch {
		case l == "":
			continue
		case hasKeyword(l, "url"):
			a.URL = strings.TrimSpace(l[4:])
			continue
		case hasKeyword(l, "source"):
			a.Source = strings.TrimSpace(l[7:])
			continue
		}
		if m := dateLineRE.FindStringSubmatch(l); m != nil {
			t, err := time.Parse("2006-01-02", m[1])
			if err != nil {
				return a, fmt.Errorf("line %d: bad date %q", i+1, m[1])
			}
			a.Published = t
			i++
		}
		break
	}
	// The title: the first line that is not page junk.
	for ; i < len(lines); i++ {
		if lines[i] != "" && !isJunkLine(lines[i]) {
			a.Title = lines[i]
			i++
			break
		}
	}
	if a.Title == "" {
		return a, knowledge.ErrNoTitle
	}
	body := lines[i:]
	start, head := headerEnd(body, a.Title)
	var paras []string
	for j, l := range body {
		if l == "" || isJunkLine(l) || l == a.Title || isCaption(l) {
			continue
		}
		if j < start {
			// The header block: byline, date, reading time, image slug and
			// caption are metadata; anything else (a standfirst) is kept.
			if head[j] != "" {
				if head[j] == "byline" && a.Author == "" {
					a.Author = bylineRE.FindStringSubmatch(l)[1]
				}
				if head[j] == "date" && a.Published.IsZero() {
					a.Published, _ = parseNumericDate(l)
				}
				continue
			}
		}
		paras = append(paras, l)
	}
	a.Body = strings.Join(paras, "\n\n")
	if strings.TrimSpace(a.Body) == "" {
		return a, knowledge.ErrNoBody
	}
	if a.URL == "" {
		// Named by date and title, so re-ingesting the text is idempotent.
		// Text with no date is stored undated, as pages are.
		day := "undated"
		if !a.Published.IsZero() {
			day = a.Published.Format("2006-01-02")
		}
		a.URL = "urn:attache:" + day + ":" + slug(a.Title)
	}
	a.Lang = text.DetectArticleLang(a.Title, a.Body)
	return a, nil
}

var (
	dateLineRE = regexp.MustCompile(`^(?i:date)\s*[:]?\s*(\d{4}-\d{2}-\d{2})\b`)
	// "byMaria Tril", "By Maria Tril", "by Jean-Noël Dupont and Ann Lee".
	bylineRE     = regexp.MustCompile(`^(?:[Bb]y|BY)\s*(\p{Lu}[\p{L}\p{M}.'’-]*(?:(?:\s*,\s*|\s+)(?:and\s+|&\s+)?\p{Lu}[\p{L}\p{M}.'’-]*){0,7})$`)
	numDateRE    = regexp.MustCompile(`^\d{1,2}[./-]\d{1,2}[./-]\d{4}(?:\s*,?\s*\d{1,2}:\d{2})?$`)
	textDateRE   = regexp.MustCompile(`^(?:\w+,\s+)?(?:\d{1,2}\s+\p{L}+|\p{L}+\s+\d{1,2}),?\s+\d{4}(?:\s*,?\s*\d{1,2}:\d{2}.*)?$`)
	readTimeRE   = regexp.MustCompile(`(?i)^(?:\d+\s*(?:min|mins|minute|minutes)\s+read|reading time\s*:?\s*\d+\s*(?:min|mins|minutes?))$`)
	slugRE       = regexp.MustCompile(`^[a-z0-9]+(?:[-_][a-z0-9]+)+$`)
	creditRE     = regexp.MustCompile(`(?i)\b(?:credit|photo|image|source|getty images|ap photo)\s*:`)
	captionRE    = regexp.MustCompile(`(?i)\b(?:credit|photo|photograph|image)\s*:\s*\S+`)
	junkPhraseRE = regexp.MustCompile(`(?i)^(?:support us on (?:patreon|\w+)|subscribe(?: to .*)?|advertisement|share(?: this(?: article| story)?)?|read (?:also|more)\s*:.*|also read\s*:.*|follow us on .*|sign up for .*|listen to this article|print|comments?|tags?\s*:.*|related(?: articles| stories)?\s*:?|(?:click|tap) here.*|©.*|copyright .*|all rights reserved.*|\d+ min(?:ute)?s? ago|updated\s*:?\s*\d.*)\.?$`)
)

// headerEnd finds where the article text starts in the lines after the
// title and classifies the header lines before it. The header runs to the
// repeated title when there is one near the top, else to the last byline,
// date, reading-time, slug or caption line among the first lines.
func headerEnd(lines []string, title string) (int, []string) {
	const window = 15
	kinds := make([]string, len(lines))
	last := -1
	for j := 0; j < len(lines) && j < window; j++ {
		l := lines[j]
		switch {
		case l == "":
			continue
		case l == title:
			return j + 1, kinds
		case bylineRE.MatchString(l):
			kinds[j] = "byline"
		case numDateRE.MatchString(l) || (len(l) < 40 && textDateRE.MatchString(l)):
			kinds[j] = "date"
		case readTimeRE.MatchString(l):
			kinds[j] = "readtime"
		case slugRE.MatchString(l):
			kinds[j] = "slug"
		case creditRE.MatchString(l) && text.CountWords(l) < 80:
			kinds[j] = "caption"
		default:
			continue
		}
		last = j
	}
	return last + 1, kinds
}

// parseNumericDate reads "16/04/2025" (day first, as European sites write
// it; month first when the first number cannot be a month's day order).
func parseNumericDate(s string) (time.Time, error) {
	s = strings.FieldsFunc(s, func(r rune) bool { return r == ',' || unicode.IsSpace(r) })[0]
	s = strings.NewReplacer(".", "/", "-", "/").Replace(s)
	if t, err := time.Parse("2/1/2006", s); err == nil {
		return t, nil
	}
	return time.Parse("1/2/2006", s)
}

// cleanLines splits text into trimmed lines, dropping a byte-order mark and
// turning non-breaking spaces into spaces.
func cleanLines(txt string) []string {
	txt = strings.TrimPrefix(txt, "\uFEFF")
	txt = strings.ReplaceAll(txt, "\r\n", "\n")
	txt = strings.ReplaceAll(txt, "\u00a0", " ")
	lines := strings.Split(txt, "\n")
	for i, l := range lines {
		lines[i] = strings.Join(strings.Fields(l), " ")
	}
	return lines
}

// slug makes a URL-safe identifier from a title.
func slug(title string) string {
	// The title's own words, folded: not the character pairs the index
	// makes of Chinese, Japanese and Korean.
	w := strings.FieldsFunc(text.Fold(title), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
	if len(w) > 12 {
		w = w[:12]
	}
	return strings.Join(w, "-")
}

// hasKeyword reports whether l starts with word followed by a space.
func hasKeyword(l, word string) bool {
	return len(l) > len(word)+1 && strings.EqualFold(l[:len(word)], word) && l[len(word)] == ' '
}
