package text

import (
	"unicode"
	"unicode/utf8"
)

// DetectArticleLang guesses an article's language from its title and the
// start of its body; see DetectLang.
func DetectArticleLang(title, body string) string {
	return DetectLang(title + " " + body[:min(len(body), detectBytes)])
}

const detectBytes = 1200 // what DetectLang reads of a text

// DetectLang guesses the language of a text from its script and its most
// common words. It knows English, French, German, Spanish, Ukrainian and
// Russian, and returns "" when unsure.
func DetectLang(text string) string {
	if len(text) > detectBytes {
		text = text[:detectBytes]
	}
	var cyr, latin int
	for _, r := range text {
		switch {
		case r < utf8.RuneSelf:
			if r|0x20 >= 'a' && r|0x20 <= 'z' {
				latin++
			}
		case unicode.Is(unicode.Cyrillic, r):
			cyr++
		case unicode.Is(unicode.Latin, r):
			latin++
		}
	}
	if cyr > latin {
		// Letters only Ukrainian uses, against those only Russian uses.
		var uk, ru int
		for _, r := range text {
			switch r {
			case 'і', 'ї', 'є', 'ґ', 'І', 'Ї', 'Є', 'Ґ':
				uk++
			case 'ы', 'э', 'ё', 'ъ', 'Ы', 'Э', 'Ё', 'Ъ':
				ru++
			}
		}
		if uk > ru {
			return "uk"
		}
		if ru > 0 {
			return "ru"
		}
		return ""
	}
	if latin == 0 {
		return ""
	}
	score := map[string]int{}
	buf := make([]byte, 0, 32)
	flush := func() {
		if len(buf) > 0 && len(buf) < 8 {
			if l, ok := langMarkers[string(buf)]; ok { // no allocation for the lookup
				score[l]++
			}
		}
		buf = buf[:0]
	}
	for _, r := range text {
		switch {
		case r >= 'a' && r <= 'z':
			buf = append(buf, byte(r))
		case r >= 'A' && r <= 'Z':
			buf = append(buf, byte(r+'a'-'A'))
		case r < utf8.RuneSelf:
			flush()
		default:
			if isWordRune(r) {
				buf = utf8.AppendRune(buf, unicode.ToLower(r))
			} else {
				flush()
			}
		}
	}
	flush()
	best, bestN := "", 0
	for l, n := range score {
		if n > bestN || (n == bestN && l < best) {
			best, bestN = l, n
		}
	}
	if bestN < 2 {
		return ""
	}
	return best
}

var langMarkers = map[string]string{
	"the": "en", "and": "en", "of": "en", "is": "en", "with": "en", "was": "en", "that": "en", "what": "en", "who": "en",
	"le": "fr", "les": "fr", "des": "fr", "est": "fr", "et": "fr", "une": "fr", "du": "fr", "qui": "fr", "quel": "fr", "quelle": "fr", "dans": "fr",
	"der": "de", "die": "de", "und": "de", "ist": "de", "nicht": "de", "mit": "de", "wer": "de", "ein": "de",
	"el": "es", "los": "es", "las": "es", "y": "es", "es": "es", "quien": "es", "por": "es", "una": "es", "del": "es",
}
