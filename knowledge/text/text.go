package text

import (
	"encoding/binary"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Fold lower-cases s and removes diacritics, as the index's tokenizer does
// ("Jean-Noël" becomes "jean-noel").
func Fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	var buf [16]byte
	for _, r := range s {
		if r >= 0x300 && r < 0x340 && removedMarks>>(r-0x300)&1 == 1 {
			continue // a combining diacritic, removed as the index does
		}
		if !latinWithMarks(r) {
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		// Only Latin letters lose their marks, as in the index: Cyrillic
		// й, Japanese が and Hangul syllables keep theirs.
		for _, d := range norm.NFD.String(string(utf8.AppendRune(buf[:0], r))) {
			if !unicode.Is(unicode.Mn, d) {
				b.WriteRune(unicode.ToLower(d))
			}
		}
	}
	return b.String()
}

// removedMarks is the set of combining diacritics (U+0300 + bit) that the
// index's tokenizer removes; other marks separate tokens there, as here.
const removedMarks uint64 = 1<<0x00 | 1<<0x01 | 1<<0x02 | 1<<0x03 | 1<<0x04 | 1<<0x06 | 1<<0x07 | 1<<0x08 | 1<<0x09 |
	1<<0x0a | 1<<0x0b | 1<<0x0c | 1<<0x0f | 1<<0x11 | 1<<0x1b | 1<<0x23 | 1<<0x24 | 1<<0x25 | 1<<0x26 | 1<<0x27 |
	1<<0x28 | 1<<0x2d | 1<<0x2e | 1<<0x30 | 1<<0x31

// latinWithMarks reports the letters whose diacritics the index's
// tokenizer (unicode61, remove_diacritics 2) removes: Latin-1, Latin
// Extended-A and -B, and Latin Extended Additional.
func latinWithMarks(r rune) bool {
	return (r >= 0xc0 && r <= 0x24f) || (r >= 0x1e00 && r <= 0x1eff)
}

// isWordRune reports whether r is part of a token for the index's tokenizer.
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r)
}

// Words splits s into folded tokens the way the index tokenizes text:
// letters and digits, everything else a separator. Scripts written without
// spaces between words (Chinese, Japanese, and Korean, whose particles join
// the word before them) come out as overlapping pairs of characters, which
// the index holds too (see IndexText): "宇航员" gives "宇航", "航员".
func Words(s string) []string {
	f := Fold(s)
	words := strings.FieldsFunc(f, func(r rune) bool { return !isWordRune(r) })
	if !hasUnspaced(f) {
		return words
	}
	out := make([]string, 0, len(words)*2)
	for _, w := range words {
		out = appendSegments(out, w, false)
	}
	return out
}

// unspaced reports a character of a script written without spaces between
// words: Han, Hiragana, Katakana (with its prolonged sound mark) and Hangul.
func unspaced(r rune) bool {
	switch {
	case r < 0x1100:
		return false
	case r == 0x30fc:
		return true
	}
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
}

// hasUnspaced reports whether s holds a character of an unspaced script.
// Those are encoded from byte 0xE1 on, so most text is ruled out by a scan
// of its bytes.
func hasUnspaced(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0xe1 {
			for _, r := range s[i:] {
				if unspaced(r) {
					return true
				}
			}
			return false
		}
	}
	return false
}

// appendSegments appends the tokens of the word w: the parts in spaced
// scripts as they are, each run of unspaced characters as its overlapping
// pairs (a lone character as itself), and with unigrams the run's single
// characters too.
func appendSegments(out []string, w string, unigrams bool) []string {
	start, runStart := 0, -1
	flush := func(end int) {
		if runStart < 0 {
			return
		}
		run := w[runStart:end]
		prev, prevSize := -1, 0
		n := 0
		for i, r := range run {
			size := utf8.RuneLen(r)
			if unigrams {
				out = append(out, run[i:i+size])
			}
			if prev >= 0 {
				out = append(out, run[prev:i+size])
			}
			prev, prevSize = i, size
			n++
		}
		if n == 1 && !unigrams {
			out = append(out, run[prev:prev+prevSize])
		}
		runStart = -1
	}
	for i, r := range w {
		if unspaced(r) {
			if runStart < 0 {
				if i > start {
					out = append(out, w[start:i])
				}
				runStart = i
			}
			continue
		}
		if runStart >= 0 {
			flush(i)
			start = i
		}
	}
	if runStart >= 0 {
		flush(len(w))
	} else if start < len(w) {
		out = append(out, w[start:])
	}
	return out
}

// IndexText is the text given to the full-text index for s: s itself, but
// with each run of unspaced characters replaced by its single characters
// and its overlapping pairs, so that a word inside running Chinese,
// Japanese or Korean text is found by the pairs Words makes of it, and a
// one-character word by itself.
func IndexText(s string) string {
	if !hasUnspaced(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) * 3)
	last := 0
	var toks []string
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !unspaced(r) {
			i += size
			continue
		}
		j := i
		for j < len(s) {
			r, size := utf8.DecodeRuneInString(s[j:])
			if !unspaced(r) {
				break
			}
			j += size
		}
		b.WriteString(s[last:i])
		toks = appendSegments(toks[:0], s[i:j], true)
		b.WriteByte(' ')
		b.WriteString(strings.Join(toks, " "))
		b.WriteByte(' ')
		last, i = j, j
	}
	b.WriteString(s[last:])
	return b.String()
}

// IsStopword reports whether a folded token carries too little meaning to
// search for on its own ("the", "what", "is", the possessive "s").
func IsStopword(w string) bool {
	_, ok := stopwords[w]
	return ok
}

var stopwords = func() map[string]struct{} {
	list := `a about above after again against all also am an and any are aren as at be because been
	before being below between both but by can could did do does doing down during each few for from
	further had has have having he her here hers herself him himself his how i if in into is it its
	itself just me more most my myself no nor not now of off on once only or other our ours ourselves
	out over own same she should so some such than that the their theirs them themselves then there
	these they this those through to too under until up very was we were what when where which while
	who whom why will with would you your yours yourself yourselves s t d ll m re ve don doesn didn
	isn wasn weren won wouldn shouldn couldn tell me please said says say according told latest news
	know anything something much many get got new via per
	le la les un une des du de et est en au aux que qui quoi dans pour par sur avec ce cette il elle
	и в во на не что как с со по за от до из у о а но к ли же то это кто`
	m := make(map[string]struct{})
	for _, w := range strings.Fields(list) {
		m[w] = struct{}{}
	}
	return m
}()

// TooShort reports whether a body is too short to be an article: fewer
// than 25 words in scripts that space their words, fewer than 80
// characters of Chinese, Japanese or Korean text (whose words are not
// spaced: a 1,300-character Japanese article may hold 18 spaces).
func TooShort(body string) bool {
	if CountWords(body) >= 25 {
		return false
	}
	n := 0
	for _, r := range body {
		if unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) {
			n++
		}
	}
	return n < 80
}

// CountWords counts whitespace-separated words.
func CountWords(s string) int {
	n, in := 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return countWordsUnicode(s)
		}
		if c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\v' || c == '\f' {
			in = false
		} else if !in {
			in = true
			n++
		}
	}
	return n
}

func countWordsUnicode(s string) int {
	n, in := 0, false
	for _, r := range s {
		if unicode.IsSpace(r) {
			in = false
		} else if !in {
			in = true
			n++
		}
	}
	return n
}

// Sentences splits text into sentences at ., ! or ? followed by a space and
// anything but a lower-case letter, leaving abbreviations such as "U.S."
// and "Mr." and initials alone.
func Sentences(text string) []string {
	var out []string
	start := 0
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c != '.' && c != '!' && c != '?' {
			continue
		}
		j := i + 1
		for j < len(text) { // closing quotes and brackets stay with the sentence
			if text[j] == '"' || text[j] == '\'' || text[j] == ')' {
				j++
				continue
			}
			r, n := utf8.DecodeRuneInString(text[j:])
			if r == '”' || r == '’' || r == '»' {
				j += n
				continue
			}
			break
		}
		if j >= len(text) {
			continue
		}
		r, n := utf8.DecodeRuneInString(text[j:])
		if !unicode.IsSpace(r) {
			continue
		}
		k := j + n
		for k < len(text) {
			r, n := utf8.DecodeRuneInString(text[k:])
			if !unicode.IsSpace(r) {
				break
			}
			k += n
		}
		if k < len(text) {
			if r, _ := utf8.DecodeRuneInString(text[k:]); unicode.IsLower(r) {
				continue
			}
		}
		if c == '.' && isAbbreviation(text[start:i]) {
			continue
		}
		if s := strings.TrimSpace(text[start:j]); s != "" {
			out = append(out, s)
		}
		start = k
		i = k - 1
	}
	if s := strings.TrimSpace(text[start:]); s != "" {
		out = append(out, s)
	}
	return out
}

var abbreviations = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "dr": true, "prof": true, "gen": true, "sen": true,
	"rep": true, "gov": true, "st": true, "jr": true, "sr": true, "lt": true, "col": true,
	"no": true, "vs": true, "etc": true, "inc": true, "corp": true, "co": true, "jan": true,
	"feb": true, "aug": true, "sept": true, "oct": true, "nov": true, "dec": true, "u.s": true,
	"u.n": true, "u.k": true, "e.u": true, "d.c": true, "a.m": true, "p.m": true,
}

// isAbbreviation reports whether the word that ends before a full stop is
// an abbreviation or an initial rather than the end of a sentence.
func isAbbreviation(before string) bool {
	i := strings.LastIndexFunc(before, unicode.IsSpace)
	word := strings.TrimLeft(before[i+1:], `"'(“`)
	if utf8.RuneCountInString(word) == 1 {
		return true // an initial: "J. Smith"
	}
	if len(word) > 8 {
		return false
	}
	var buf [8]byte
	for k := 0; k < len(word); k++ {
		c := word[k]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[k] = c
	}
	return abbreviations[string(buf[:len(word)])]
}

// Passage sizes, in words.
const (
	minPassageWords = 60
	maxPassageWords = 250
)

// SplitPassages cuts an article body into paragraph-sized passages of about
// 60 to 250 words: short paragraphs are joined with their neighbours, long
// ones are cut between sentences. The passages, joined by blank lines, hold
// every word of the body in order.
func SplitPassages(body string) []string { return PassagesOf(NormalizeBody(body)) }

// PassagesOf groups paragraphs into passages; see SplitPassages. body must
// be the paragraphs joined by blank lines (see normalizeBody): a passage of
// whole paragraphs is then a substring of body, not a copy.
// counts holds the paragraphs' word counts, or is nil.
func PassagesOf(body string, paragraphs []string, counts []int) []string {
	type para struct {
		text  string
		off   int // where it starts in body; -1 for a piece of a cut paragraph
		words int
	}
	paras := make([]para, 0, len(paragraphs))
	off := 0
	for i, p := range paragraphs {
		var n int
		if counts != nil {
			n = counts[i]
		} else {
			n = CountWords(p)
		}
		if n <= maxPassageWords {
			paras = append(paras, para{p, off, n})
		} else {
			for _, piece := range cutLong(p) {
				paras = append(paras, para{piece, -1, CountWords(piece)})
			}
		}
		off += len(p) + len("\n\n")
	}
	// join returns consecutive paragraphs as one passage, from body when
	// they are all whole, with the span it took (-1, -1 if copied).
	join := func(ps []para) (string, int, int) {
		whole := true
		for _, p := range ps {
			whole = whole && p.off >= 0
		}
		if whole {
			last := ps[len(ps)-1]
			start, end := ps[0].off, last.off+len(last.text)
			return body[start:end], start, end
		}
		texts := make([]string, len(ps))
		for i, p := range ps {
			texts[i] = p.text
		}
		return strings.Join(texts, "\n\n"), -1, -1
	}
	var out []string
	var cur []para
	words, lastWords := 0, 0 // words in cur, in out's last passage
	lastOff := -1            // where out's last passage starts in body, -1 if copied
	flush := func() {
		if len(cur) > 0 {
			var text string
			text, lastOff, _ = join(cur)
			out = append(out, text)
			cur, lastWords, words = cur[:0], words, 0
		}
	}
	for _, p := range paras {
		if words > 0 && words+p.words > maxPassageWords {
			flush()
		}
		cur = append(cur, p)
		words += p.words
		if words >= minPassageWords {
			flush()
		}
	}
	// A short tail joins the passage before it when that stays in bounds.
	if len(cur) > 0 && len(out) > 0 && words+lastWords <= maxPassageWords {
		tail, off, end := join(cur)
		if lastOff >= 0 && off >= 0 { // consecutive whole paragraphs
			out[len(out)-1] = body[lastOff:end]
		} else {
			out[len(out)-1] += "\n\n" + tail
		}
		cur = nil
	}
	flush()
	return out
}

// NormalizeBody returns body in its stored form — paragraphs of
// single-spaced words separated by one blank line — with its paragraphs,
// without a copy when it is in that form already. Paragraphs are split on
// blank lines, or on single newlines when the text has no blank line. The
// paragraphs' word counts come too, or nil.
func NormalizeBody(body string) (string, []string, []int) {
	if paras, words, ok := scanNormalized(body); ok {
		return body, paras, words
	}
	paras := cleanParagraphs(body)
	return strings.Join(paras, "\n\n"), paras, nil
}

// Paragraphs splits a body into its paragraphs as they are stored: on blank
// lines, and on the single line breaks that are not width wrapping. stored
// reports that body is in the stored form already (its paragraphs joined
// by blank lines give it back), in which case they share its memory.
func Paragraphs(body string) (paras []string, stored bool) {
	if paras, _, ok := scanNormalized(body); ok {
		return paras, true
	}
	return cleanParagraphs(body), false
}

// cleanParagraphs splits body into paragraphs (see normalizeBody) and
// single-spaces each. Inside a block of lines, a single line break is kept
// as a break between paragraphs unless the block is prose wrapped at a
// width (see wrapped): list items, captions and lines of a poem or address
// stay apart instead of running into one another.
func cleanParagraphs(body string) []string {
	body = strings.ReplaceAll(body, "\r\n", "\n")
	sep := "\n\n"
	if !strings.Contains(body, sep) {
		sep = "\n"
	}
	var out []string
	for _, block := range strings.Split(body, sep) {
		if sep == "\n\n" && strings.Contains(block, "\n") {
			out = appendLines(out, block)
			continue
		}
		if p := strings.Join(strings.Fields(block), " "); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// appendLines appends a block's lines as paragraphs, joining a line to the
// next where the block is wrapped prose.
func appendLines(out []string, block string) []string {
	lines := strings.Split(block, "\n")
	longest := 0
	for i, l := range lines {
		lines[i] = strings.Join(strings.Fields(l), " ")
		longest = max(longest, utf8.RuneCountInString(lines[i]))
	}
	var cur []string
	for i, l := range lines {
		if l == "" {
			continue
		}
		cur = append(cur, l)
		if i+1 < len(lines) && wrapped(l, longest) {
			continue
		}
		out = append(out, strings.Join(cur, " "))
		cur = cur[:0]
	}
	if len(cur) > 0 {
		out = append(out, strings.Join(cur, " "))
	}
	return out
}

// wrapped reports whether a line was broken by a fixed width rather than by
// its writer: it is nearly as long as the longest line of its block, which
// is long, and it does not end a sentence.
func wrapped(line string, longest int) bool {
	n := utf8.RuneCountInString(line)
	if longest < 50 || 4*n < 3*longest {
		return false
	}
	last, _ := utf8.DecodeLastRuneInString(line)
	return !strings.ContainsRune(".!?:;\"”’)。！？", last)
}

// scanNormalized checks that body is in the stored form (see normalizeBody)
// and returns its paragraphs and their word counts.
// Plain ASCII text, the common case, is checked with a few vectorised
// searches instead of a loop over its bytes.
func scanNormalized(body string) (paras []string, words []int, ok bool) {
	if body == "" || body[0] == ' ' || body[0] == '\n' || body[len(body)-1] == ' ' || body[len(body)-1] == '\n' {
		return nil, nil, false
	}
	if !isASCII(body) {
		return scanNormalizedSlow(body)
	}
	for _, bad := range []string{"\t", "\r", "\v", "\f", "  ", " \n", "\n ", "\n\n\n"} {
		if strings.Contains(body, bad) {
			return nil, nil, false
		}
	}
	// Every newline must be half of a paragraph break.
	if strings.Count(body, "\n") != 2*strings.Count(body, "\n\n") {
		return nil, nil, false
	}
	for rest := body; ; {
		end := strings.Index(rest, "\n\n")
		if end < 0 {
			end = len(rest)
		}
		p := rest[:end]
		paras, words = append(paras, p), append(words, strings.Count(p, " ")+1)
		if end == len(rest) {
			return paras, words, true
		}
		rest = rest[end+2:]
	}
}

// isASCII reports whether s is plain ASCII, eight bytes at a time.
func isASCII(s string) bool {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		if binary.LittleEndian.Uint64([]byte(s[i:i+8]))&0x8080808080808080 != 0 {
			return false
		}
	}
	for ; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func scanNormalizedSlow(body string) (paras []string, words []int, ok bool) {
	start, n := 0, 1
	for i := 0; i < len(body); i++ {
		switch c := body[i]; c {
		case '\n':
			if i+2 >= len(body) || body[i+1] != '\n' || body[i+2] == '\n' || body[i+2] == ' ' || body[i-1] == ' ' {
				return nil, nil, false
			}
			paras, words = append(paras, body[start:i]), append(words, n)
			start, n = i+2, 1
			i++
		case ' ':
			if body[i+1] == ' ' || body[i+1] == '\n' {
				return nil, nil, false
			}
			n++
		case '\t', '\r', '\v', '\f':
			return nil, nil, false
		default:
			if c >= utf8.RuneSelf {
				r, size := utf8.DecodeRuneInString(body[i:])
				if unicode.IsSpace(r) {
					return nil, nil, false
				}
				i += size - 1
			}
		}
	}
	paras, words = append(paras, body[start:]), append(words, n)
	return paras, words, true
}

// cutLong cuts one long paragraph between sentences into pieces of at most
// maxPassageWords words (a single overlong sentence is cut between words).
func cutLong(p string) []string {
	var out []string
	var cur []string
	words := 0
	for _, s := range Sentences(p) {
		n := CountWords(s)
		if n > maxPassageWords {
			if len(cur) > 0 {
				out = append(out, strings.Join(cur, " "))
				cur, words = nil, 0
			}
			f := strings.Fields(s)
			for len(f) > 0 {
				k := min(len(f), maxPassageWords)
				out = append(out, strings.Join(f[:k], " "))
				f = f[k:]
			}
			continue
		}
		if words+n > maxPassageWords {
			out = append(out, strings.Join(cur, " "))
			cur, words = nil, 0
		}
		cur = append(cur, s)
		words += n
	}
	if len(cur) > 0 {
		out = append(out, strings.Join(cur, " "))
	}
	return out
}

// AppendFolded appends the folded words of s separated by single spaces, as
// strings.Join(Words(s), " ") would, without building them.
func AppendFolded(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return append(b, strings.Join(Words(s), " ")...)
		}
	}
	start := len(b)
	inWord := false
	for i := 0; i < len(s); i++ {
		c := asciiFold[s[i]]
		if c == 0 {
			inWord = false
			continue
		}
		if !inWord && len(b) > start {
			b = append(b, ' ')
		}
		inWord = true
		b = append(b, c)
	}
	return b
}

// asciiFold maps an ASCII letter or digit to its lower case, anything else
// to 0.
var asciiFold = func() (t [256]byte) {
	for c := '0'; c <= '9'; c++ {
		t[c] = byte(c)
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = byte(c)
		t[c-'a'+'A'] = byte(c)
	}
	return t
}()
