package answer

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/attache-bot/attache/knowledge/text"
)

// markerRE matches citation markers: [1], [1, 2], [1; 3].
var markerRE = regexp.MustCompile(`\s*\[(\d{1,3}(?:\s*[,;]\s*\d{1,3})*)\]`)

// noAnswerRE recognises an answer that says the sources do not answer.
var noAnswerRE = regexp.MustCompile(`(?i)(do(?:es)? not (?:answer|say|mention|contain|provide|cover)|don't (?:answer|say|mention)|no information|not (?:mentioned|covered|stated) in|cannot (?:answer|find|determine)|can't (?:answer|find)|ne (?:répondent|disent|mentionnent) pas|не відповідають|немає інформації|не отвечают|нет информации|no (?:responden|mencionan|contienen|dicen)|no hay información|(?:beantworten|erwähnen|enthalten|sagen)\b.{0,40}\bnicht|keine (?:informationen|angaben)|non (?:rispondono|menzionano|contengono|dicono)|nessuna informazione|não (?:respondem|mencionam|contêm|dizem)|não há informação|nie (?:odpowiadają|zawierają|wspominają)|没有(?:提到|提及|信息|回答|相关)|无法(?:回答|确定)|未(?:提及|提到)|(?:記載|情報|言及)(?:が|は)(?:ありません|ない)|答えられません|لا (?:تجيب|تذكر|تحتوي)|لا توجد معلومات)`)

// stripMarkers removes citation markers from text.
func stripMarkers(s string) string { return markerRE.ReplaceAllString(s, "") }

// Check verifies an LLM's answer against the sources it was given:
//
//   - markers that point at no source are removed;
//   - a citation stays only when its source shares one of the sentence's
//     names, numbers or dates (or, when it has none, a content word), and
//     the sources a sentence keeps must together hold two thirds of them;
//     citations that fail are removed, and a sentence left with no supported citation is
//     dropped and listed in Dropped;
//   - a sentence without a marker is kept when it states nothing checkable
//     (no name, number or date) or when a source cited in its paragraph
//     supports it, and dropped otherwise;
//   - the surviving citations are renumbered in order of first use, and
//     Sources holds exactly the cited articles.
//
// An answer with no surviving citation is not Grounded; if it says that
// the sources do not answer, it is a NoAnswer.
func Check(question, txt string, sources []Source) Answer {
	a := Answer{Question: question}
	byN := map[int]*Source{}
	for i := range sources {
		byN[sources[i].N] = &sources[i]
	}
	facts := map[int]sourceFacts{}
	for n, s := range byN {
		facts[n] = factsOf(s)
	}
	renum := map[int]int{}
	var lines []string
	for _, line := range markerLines(NormaliseMarkers(txt)) {
		prefix := ""
		if m := bulletRE.FindString(line); m != "" {
			prefix, line = m, line[len(m):]
		}
		sents := text.Sentences(line)
		collected := collectedMarkers(sents)
		// First pass: which sources each sentence cites and which support it.
		type sent struct {
			txt       string
			cited     []int
			supported []int
			keys      []string
		}
		ss := make([]sent, len(sents))
		lineSupport := map[int]bool{}
		for i, s := range sents {
			ss[i].txt = strings.TrimSpace(stripMarkers(s))
			ss[i].keys = keyTokens(ss[i].txt)
			var relevant []sourceFacts
			var nums []int
			marked := s
			if collected != "" && i < len(sents)-1 && len(ss[i].keys) > 0 {
				// Markers gathered at the paragraph's end stand for each
				// checkable sentence before them.
				marked += collected
			}
			for _, m := range markerRE.FindAllStringSubmatch(marked, -1) {
				for _, f := range strings.FieldsFunc(m[1], func(r rune) bool { return r == ',' || r == ';' || r == ' ' }) {
					n, _ := strconv.Atoi(f)
					ss[i].cited = append(ss[i].cited, n)
					if _, ok := byN[n]; ok && !contains(nums, n) && shares(ss[i].txt, ss[i].keys, facts[n]) {
						nums = append(nums, n)
						relevant = append(relevant, facts[n])
					}
				}
			}
			if supported(ss[i].txt, ss[i].keys, relevant) {
				ss[i].supported = nums
				for _, n := range nums {
					lineSupport[n] = true
				}
			}
		}
		var kept []string
		for _, s := range ss {
			switch {
			case len(s.supported) > 0:
				var marks strings.Builder
				for _, n := range s.supported {
					if _, ok := renum[n]; !ok {
						renum[n] = len(renum) + 1
					}
					fmt.Fprintf(&marks, "[%d]", renum[n])
				}
				kept = append(kept, placeMarkers(s.txt, marks.String()))
			case len(s.cited) > 0:
				a.Dropped = append(a.Dropped, s.txt)
			case len(s.keys) == 0 || supportedByAny(s.txt, s.keys, lineSupport, facts):
				if s.txt != "" {
					kept = append(kept, s.txt)
				}
			default:
				a.Dropped = append(a.Dropped, s.txt)
			}
		}
		if len(kept) > 0 {
			lines = append(lines, prefix+strings.Join(kept, " "))
		}
	}
	a.Text = strings.Join(lines, "\n")
	for old, n := range renum {
		s := *byN[old]
		s.N = n
		a.Sources = append(a.Sources, s)
	}
	sort.Slice(a.Sources, func(i, j int) bool { return a.Sources[i].N < a.Sources[j].N })
	for _, s := range a.Sources {
		if s.Article.Published.After(a.AsOf) {
			a.AsOf = s.Article.Published
		}
	}
	a.Grounded = len(a.Sources) > 0
	if !a.Grounded {
		a.NoAnswer = noAnswerRE.MatchString(txt) || strings.TrimSpace(txt) == ""
		a.Text = strings.TrimSpace(stripMarkers(a.Text))
		if a.NoAnswer {
			a.Text = noAnswerText(text.DetectLang(question))
		}
	}
	return a
}

// NormaliseMarkers rewrites the citation forms models write into the
// one Check reads, "claim [n]." with the marker before the sentence's
// full stop: 【1】 and [1†source] become [1], [Source 1] and [Sources 1, 2]
// become [1] and [1, 2], [^1] becomes [1], a range [1-3] becomes
// [1][2][3], and markers written after the full stop ("… in April. [1]")
// move before it. It changes nothing else.
func NormaliseMarkers(s string) string {
	s = lenticularRE.ReplaceAllStringFunc(s, func(m string) string {
		return "[" + digitsRE.FindString(m) + "]"
	})
	s = bracketRE.ReplaceAllStringFunc(s, func(m string) string {
		if out, ok := markerGroup(m[1 : len(m)-1]); ok {
			return out
		}
		return m
	})
	return trailingRE.ReplaceAllStringFunc(s, func(m string) string {
		loc := trailingRE.FindStringSubmatchIndex(m)
		punct, marks, after := m[loc[2]:loc[3]], m[loc[4]:loc[5]], m[loc[6]:loc[7]]
		return " " + strings.Join(strings.Fields(marks), "") + punct + after
	})
}

var (
	// lenticularRE: 【1】, 【1†L3-L9】, [1†source].
	lenticularRE = regexp.MustCompile(`【\s*\d{1,3}\s*(?:†[^】\n]{0,40})?】|\[\s*\d{1,3}\s*†[^\]\n]{0,40}\]`)
	digitsRE     = regexp.MustCompile(`\d+`)
	// bracketRE: a short bracketed group that may be a marker.
	bracketRE = regexp.MustCompile(`\[[^\[\]\n]{1,60}\]`)
	// trailingRE: markers after a sentence's final punctuation (and its
	// closing quote), before white space or the end.
	trailingRE = regexp.MustCompile(`([.!?。！？]["”’»)]?)((?:[ \t]*\[\d{1,3}(?:\s*[,;]\s*\d{1,3})*\])+)([ \t]|$)`)
	// markerWordRE: the words models put inside a marker.
	markerWordRE = regexp.MustCompile(`(?i)\b(?:sources?|refs?|references?|citations?|articles?|nos?|and)\b\.?|[:#^&]`)
)

// markerGroup reads the inside of a bracket as citation numbers
// ("Source 1", "1, 2", "1-3", "^2") and writes them as [n][m]; ok is false
// for anything else ("[sic]", "[2025]", "[Reuters]").
func markerGroup(inner string) (string, bool) {
	rest := markerWordRE.ReplaceAllString(inner, " ")
	if rest == inner && !strings.ContainsAny(inner, "-–—") {
		return "", false // a plain [1] or [1, 2] stays as it is
	}
	var out strings.Builder
	n := 0
	for _, f := range strings.FieldsFunc(rest, func(r rune) bool { return r == ',' || r == ';' || r == ' ' }) {
		lo, hi, ok := numberRange(f)
		if !ok || hi-lo > 20 {
			return "", false
		}
		for k := lo; k <= hi; k++ {
			fmt.Fprintf(&out, "[%d]", k)
			n++
		}
	}
	if n == 0 {
		return "", false
	}
	return out.String(), true
}

// numberRange reads "3" or "1-3" (with a hyphen or dash) of numbers below 1000.
func numberRange(f string) (int, int, bool) {
	for _, dash := range []string{"-", "–", "—"} {
		if a, b, ok := strings.Cut(f, dash); ok {
			lo, e1 := strconv.Atoi(strings.TrimSpace(a))
			hi, e2 := strconv.Atoi(strings.TrimSpace(b))
			if e1 != nil || e2 != nil || lo < 1 || hi < lo || hi > 999 {
				return 0, 0, false
			}
			return lo, hi, true
		}
	}
	v, err := strconv.Atoi(f)
	if err != nil || v < 1 || v > 999 {
		return 0, 0, false
	}
	return v, v, true
}

// markerLines splits an answer into its non-empty lines; a line of
// markers alone ("[1][2]", "Sources: [1], [2]") joins the line before it.
func markerLines(txt string) []string {
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(txt), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if len(out) > 0 && onlyMarkers(line) {
			out[len(out)-1] = placeMarkers(strings.TrimSpace(out[len(out)-1]), strings.Join(markerRE.FindAllString(line, -1), ""))
			continue
		}
		out = append(out, line)
	}
	return out
}

var sourcesLabelRE = regexp.MustCompile(`(?i)^(?:sources?|references?|citations?)\s*:?`)

func onlyMarkers(line string) bool {
	rest := markerRE.ReplaceAllString(sourcesLabelRE.ReplaceAllString(line, ""), "")
	return strings.Trim(rest, " ,;.") == "" && markerRE.MatchString(line)
}

// collectedMarkers returns the markers of a paragraph's last sentence when
// no sentence before it has any: a model that cites a paragraph at its
// end cites each of its sentences.
func collectedMarkers(sents []string) string {
	if len(sents) < 2 {
		return ""
	}
	for _, s := range sents[:len(sents)-1] {
		if markerRE.MatchString(s) {
			return ""
		}
	}
	return strings.Join(markerRE.FindAllString(sents[len(sents)-1], -1), "")
}

var bulletRE = regexp.MustCompile(`^(?:[-*•]\s+|\d{1,2}[.)]\s+)`)

func contains(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// placeMarkers puts markers at the end of a sentence, before its final
// full stop: "He arrived in Paris [1]."
func placeMarkers(s, marks string) string {
	end := len(s)
	for end > 0 && strings.IndexByte(".!?", s[end-1]) >= 0 {
		end--
	}
	return s[:end] + " " + marks + s[end:]
}

// sourceFacts are the folded words and stems of a source's title and passages.
type sourceFacts struct {
	words map[string]bool
	stems map[string]bool
}

func factsOf(s *Source) sourceFacts {
	f := sourceFacts{words: map[string]bool{}, stems: map[string]bool{}}
	texts := []string{s.Article.Title, s.Article.Source, s.Article.Published.Format("2 January 2006")}
	for _, p := range s.Passages {
		texts = append(texts, p.Text)
	}
	for _, t := range texts {
		for _, w := range text.Words(strings.ReplaceAll(t, ",", "")) {
			f.words[w] = true
			f.stems[text.Stem(w)] = true
		}
	}
	return f
}

// months name dates in key tokens.
var months = map[string]bool{"january": true, "february": true, "march": true, "april": true, "may": true, "june": true,
	"july": true, "august": true, "september": true, "october": true, "november": true, "december": true}

// keyTokens are the checkable words of a sentence: names (capitalised
// words; the first word only when it is not a common word), numbers and
// month names, folded.
func keyTokens(s string) []string {
	var out []string
	fields := strings.Fields(s)
	for i, f := range fields {
		f = strings.Trim(f, `.,;:!?()[]"“”'‘’«»`)
		if f == "" {
			continue
		}
		r, _ := utf8.DecodeRuneInString(f)
		switch {
		case unicode.IsDigit(r):
			out = append(out, text.Words(strings.ReplaceAll(f, ",", ""))...)
		case months[strings.ToLower(f)]:
			out = append(out, strings.ToLower(f))
		case unicode.IsUpper(r) && utf8.RuneCountInString(f) > 1 && (i > 0 || !text.IsStopword(strings.ToLower(f))):
			for _, w := range text.Words(f) {
				if !text.IsStopword(w) && len(w) > 1 {
					out = append(out, w)
				}
			}
		}
	}
	return out
}

// shares reports whether a source holds one of a sentence's key tokens
// (names, numbers, dates), or, for a sentence with none, a content word.
func shares(txt string, keys []string, f sourceFacts) bool {
	if len(keys) > 0 {
		for _, k := range keys {
			if f.has(k) {
				return true
			}
		}
		return false
	}
	for _, w := range text.Words(txt) {
		if !text.IsStopword(w) && len(w) > 2 && f.stems[text.Stem(w)] {
			return true
		}
	}
	return false
}

func (f sourceFacts) has(k string) bool { return f.words[k] || f.stems[text.Stem(k)] }

// supported reports whether the sources together back a sentence: they
// hold two thirds of its distinct key tokens, so that a real name beside
// an invented place or date is not enough. A sentence with no key token
// needs one source that shares a content word.
func supported(txt string, keys []string, sources []sourceFacts) bool {
	if len(sources) == 0 {
		return false
	}
	distinct := map[string]bool{}
	for _, k := range keys {
		distinct[k] = true
	}
	if len(distinct) == 0 {
		for _, f := range sources {
			if shares(txt, nil, f) {
				return true
			}
		}
		return false
	}
	have := 0
	for k := range distinct {
		for _, f := range sources {
			if f.has(k) {
				have++
				break
			}
		}
	}
	return 3*have >= 2*len(distinct)
}

func supportedByAny(txt string, keys []string, cited map[int]bool, facts map[int]sourceFacts) bool {
	var fs []sourceFacts
	for n := range cited {
		fs = append(fs, facts[n])
	}
	return supported(txt, keys, fs)
}
