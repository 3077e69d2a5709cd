package answer

import (
	"context"
	"fmt"
	"strings"
	"unicode"

	"github.com/attache-bot/attache/knowledge"
	"github.com/attache-bot/attache/knowledge/text"
)

// Claims are checked against the stored articles with the citation check's
// own reading of a sentence: its names, numbers and dates. A claim is
//
//   - supported when one article (or two of its story) holds two thirds of
//     its names and every one of its numbers and dates;
//   - contradicted when an article holds two thirds of its names but not
//     a number or date it gives: the article reports the event otherwise,
//     and its sentence is shown;
//   - not in the stored articles otherwise.
const (
	ClaimSupported    = "supported"
	ClaimContradicted = "contradicted"
	ClaimAbsent       = "absent"
)

// ClaimVerdict is what the articles say of one claim.
type ClaimVerdict struct {
	Claim    string
	Verdict  string
	Evidence string // the article's sentence, for a contradiction
}

// maxClaims bounds the claims checked in one message.
const maxClaims = 5

// CheckClaims checks the checkable claims of a message (its sentences
// that name someone or something, or give a number or a date) and writes
// one line per claim, cited.
func (s *Service) CheckClaims(ctx context.Context, message string) (Answer, []ClaimVerdict, error) {
	claims := checkableClaims(message)
	c := newCiter()
	var lines []string
	var verdicts []ClaimVerdict
	for _, claim := range claims {
		v, src, sentence, err := s.checkClaim(ctx, claim)
		if err != nil {
			return Answer{}, nil, err
		}
		verdicts = append(verdicts, ClaimVerdict{Claim: claim, Verdict: v, Evidence: sentence})
		quoted := "“" + truncateWords(oneLine(claim), 300) + "”"
		switch v {
		case ClaimSupported:
			var marks []string
			for _, h := range src {
				marks = append(marks, fmt.Sprintf("[%d]", c.cite(h.Article, h.Passage)))
			}
			lines = append(lines, fmt.Sprintf("✅ **Supported**: %s %s (%s)", quoted, strings.Join(marks, ""), src[0].Article.Day()))
		case ClaimContradicted:
			n := c.cite(src[0].Article, src[0].Passage)
			lines = append(lines, fmt.Sprintf("❌ **Contradicted**: %s The articles say: %s [%d] (%s)", quoted, sentence, n, src[0].Article.Day()))
		default:
			lines = append(lines, fmt.Sprintf("❔ **Not in the stored articles**: %s", quoted))
		}
	}
	if len(claims) == 0 {
		return Answer{Question: "Check: " + oneLine(message), NoAnswer: true, Method: MethodExtractive,
			Text: "That message states nothing to check against the news: no name, number or date."}, nil, nil
	}
	a := c.answer("Check: "+oneLine(message), strings.Join(lines, "\n"))
	return a, verdicts, nil
}

// checkableClaims are a message's sentences with a name, number or date,
// at most maxClaims; questions are not claims.
func checkableClaims(message string) []string {
	var out []string
	for _, line := range strings.Split(message, "\n") {
		for _, s := range text.Sentences(line) {
			s = strings.TrimSpace(strings.TrimLeft(s, "-*•> "))
			if s == "" || strings.HasSuffix(s, "?") || len(keyTokens(s)) == 0 || text.CountWords(s) < 3 {
				continue
			}
			out = append(out, s)
			if len(out) == maxClaims {
				return out
			}
		}
	}
	return out
}

// checkClaim judges one claim against the articles retrieval finds for it.
func (s *Service) checkClaim(ctx context.Context, claim string) (string, []knowledge.Hit, string, error) {
	ev, err := s.Retriever.Retrieve(ctx, claim, "")
	if err != nil {
		return "", nil, "", err
	}
	keys := keyTokens(claim)
	var names, figures []string
	seen := map[string]bool{}
	for _, k := range keys {
		if seen[k] {
			continue
		}
		seen[k] = true
		if r := []rune(k); unicode.IsDigit(r[0]) || months[k] {
			figures = append(figures, k)
		} else {
			names = append(names, k)
		}
	}
	// Each article once, with its facts (title, outlet, date, passages).
	type art struct {
		hit   knowledge.Hit
		facts sourceFacts
	}
	var arts []art
	idx := map[int64]int{}
	for _, p := range ev.Passages {
		if _, ok := idx[p.Article.ID]; !ok {
			idx[p.Article.ID] = len(arts)
			arts = append(arts, art{hit: p.Hit})
		}
	}
	if len(arts) == 0 {
		return ClaimAbsent, nil, "", nil
	}
	for i := range arts {
		src := Source{Article: arts[i].hit.Article}
		for _, p := range ev.Passages {
			if p.Article.ID == arts[i].hit.Article.ID {
				src.Passages = append(src.Passages, p.Passage)
			}
		}
		arts[i].facts = factsOf(&src)
	}
	share := func(f sourceFacts, ws []string) float64 {
		if len(ws) == 0 {
			return 1
		}
		n := 0
		for _, w := range ws {
			if f.has(w) {
				n++
			}
		}
		return float64(n) / float64(len(ws))
	}
	var named []art
	for _, a := range arts {
		if share(a.facts, names) >= 2.0/3-1e-9 {
			named = append(named, a)
		}
	}
	if len(named) == 0 {
		return ClaimAbsent, nil, "", nil
	}
	for _, a := range named {
		if share(a.facts, figures) == 1 {
			return ClaimSupported, []knowledge.Hit{a.hit}, "", nil
		}
	}
	// The best-named article, with its sentence that holds most names: it
	// tells the event with other figures.
	best := named[0]
	sentence := bestNamedSentence(ev, best.hit.Article.ID, names)
	if sentence == "" || len(figures) == 0 {
		return ClaimAbsent, nil, "", nil
	}
	return ClaimContradicted, []knowledge.Hit{best.hit}, sentence, nil
}

// bestNamedSentence is an article's retrieved sentence holding most of the
// names, one with a figure (a number or a date) of its own at a tie.
func bestNamedSentence(ev Evidence, articleID int64, names []string) string {
	best, bestN := "", 0
	for _, p := range ev.Passages {
		if p.Article.ID != articleID {
			continue
		}
		for _, s := range text.Sentences(p.Passage.Text) {
			f := sourceFacts{words: map[string]bool{}, stems: map[string]bool{}}
			hasFigure := false
			for _, w := range text.Words(strings.ReplaceAll(s, ",", "")) {
				f.words[w] = true
				f.stems[text.Stem(w)] = true
				hasFigure = hasFigure || unicode.IsDigit([]rune(w)[0]) || months[w]
			}
			n := 0
			for _, k := range names {
				if f.has(k) {
					n++
				}
			}
			score := 2 * n
			if hasFigure {
				score++
			}
			if n > 0 && score > bestN {
				best, bestN = strings.TrimSpace(s), score
			}
		}
	}
	return best
}
