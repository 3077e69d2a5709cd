package answer

import (
	"regexp"
	"strings"
)

// The field lexicon: the descriptions readers use for what news articles
// name. A question is searched and its answer scored with the names
// (Question.Text keeps the reader's words). Each class comes from public
// reference material, the facts carried over, never an entry made for one
// question:
//
//   - offices: the official titles governments publish for their cabinets
//     (the US cabinet's departments, the UK's ministerial list, the EU's
//     College of Commissioners), against the press's short forms (AP and
//     Reuters style: "top diplomat", "defence chief", "spy chief");
//   - organisations: the descriptive names news style guides use for
//     international bodies on second reference ("the Western military
//     alliance" for NATO, "the bloc" for the EU, "the UN nuclear watchdog"
//     for the IAEA);
//   - seats of government: the metonyms for governments (Wikipedia's "List
//     of metonyms": Downing Street, Foggy Bottom, the Quai d'Orsay);
//   - countries: the fixed descriptions of countries (sobriquets with one
//     referent: "the Gulf sultanate" is Oman, "the Islamic Republic" Iran)
//     and demonyms (ISO 3166 country names with their adjectival and
//     demonymic forms), a person's nationality being rarely what an
//     article says of them.
//
// Descriptions with more than one referent ("the Gulf emirate", "the
// Alpine republic", "the Baltic state") are left out: a wrong country is
// worse than none.
type paraphrase struct {
	re   *regexp.Regexp
	with func(question string) string
}

// usContext: the question is about the United States.
var usContext = regexp.MustCompile(`(?i)\b(?:america|american|americans|us|u\.s\.|usa|united states|washington|white house|trump|biden)(?:'s|’s)?\b`)

// inUS picks the American title when the question is about the United
// States, the general one otherwise.
func inUS(us, other string) func(string) string {
	return func(q string) string {
		if usContext.MatchString(q) {
			return us
		}
		return other
	}
}

func fixed(s string) func(string) string { return func(string) string { return s } }

func phrase(p string) *regexp.Regexp {
	return regexp.MustCompile(`(?i)\b` + p + `\b`)
}

var paraphrases = []paraphrase{
	// Offices.
	{phrase(`(?:the\s+)?bloc(?:'s|’s)\s+(?:top|chief|foreign\s+policy)\s+diplomat`), fixed("the EU high representative for foreign affairs")},
	{phrase(`(?:america(?:'s|’s)|the\s+us|u\.s\.|washington(?:'s|’s))\s+(?:top|chief)\s+diplomat`), fixed("the US Secretary of State")},
	{phrase(`(?:top|chief|lead)\s+diplomat`), inUS("Secretary of State", "foreign minister")},
	{phrase(`(?:defen[cs]e|military)\s+chief`), inUS("Defense Secretary", "defence minister")},
	{phrase(`(?:finance|economy|treasury)\s+chief`), inUS("Treasury Secretary", "finance minister")},
	{phrase(`trade\s+(?:chief|czar|tsar)`), inUS("Trade Representative", "trade minister")},
	{phrase(`(?:spy|intelligence)\s+chief`), inUS("Director of National Intelligence", "intelligence chief")},
	{phrase(`(?:national\s+)?security\s+(?:chief|aide)`), fixed("national security adviser")},
	{phrase(`head\s+of\s+government`), fixed("prime minister")},
	{phrase(`(?:head\s+of\s+state)`), fixed("president")},
	{phrase(`(?:un|united\s+nations)\s+(?:chief|head)`), fixed("UN Secretary-General")},
	{phrase(`nato\s+(?:chief|head|boss)`), fixed("NATO Secretary General")},
	// Organisations.
	{phrase(`(?:the\s+)?(?:western|transatlantic|north\s+atlantic)\s+(?:military\s+|defen[cs]e\s+)?alliance`), fixed("NATO")},
	{phrase(`(?:the\s+)?(?:un|united\s+nations)\s+nuclear\s+watchdog|(?:the\s+)?(?:global\s+|international\s+)?(?:nuclear|atomic)\s+watchdog`), fixed("the International Atomic Energy Agency")},
	{phrase(`(?:the\s+)?(?:27-nation|27-member|european|eu)\s+bloc`), fixed("the EU")},
	{phrase(`(?:the\s+)?world\s+body`), fixed("the United Nations")},
	{phrase(`(?:the\s+)?oil\s+cartel`), fixed("OPEC")},
	{phrase(`(?:the\s+)?(?:world(?:'s|’s)\s+)?top\s+(?:un\s+)?court`), fixed("the International Court of Justice")},
	{phrase(`(?:the\s+)?war\s+crimes\s+court`), fixed("the International Criminal Court")},
	// Seats of government.
	{phrase(`downing\s+street|number\s+10|no\.?\s*10`), fixed("the British prime minister")},
	{phrase(`whitehall`), fixed("the British government")},
	{phrase(`foggy\s+bottom`), fixed("the State Department")},
	{phrase(`(?:the\s+)?quai\s+d(?:'|’)orsay`), fixed("the French foreign ministry")},
	{phrase(`(?:the\s+)?bankova`), fixed("the Ukrainian presidential office")},
	{phrase(`zhongnanhai`), fixed("the Chinese leadership")},
	// Countries by a description with one referent.
	{phrase(`(?:the\s+)?gulf\s+sultanate`), fixed("Oman")},
	{phrase(`(?:the\s+)?islamic\s+republic`), fixed("Iran")},
	{phrase(`(?:the\s+)?jewish\s+state`), fixed("Israel")},
	{phrase(`(?:the\s+)?hashemite\s+kingdom`), fixed("Jordan")},
	{phrase(`(?:the\s+)?holy\s+see`), fixed("the Vatican")},
	{phrase(`(?:the\s+)?emerald\s+isle`), fixed("Ireland")},
	// Demonyms that name a person ("the Dutchman"): the nationality is
	// what the reader knows, rarely what the article says; the person is
	// asked for.
	{phrase(`(?:dutch|french|english|irish|scots|welsh)(?:man|woman|men|women)`), fixed("person")},
}

// Paraphrase rewrites the descriptions of the field lexicon in a question
// into the names articles use. It changes nothing else.
func Paraphrase(q string) string {
	for _, p := range paraphrases {
		q = p.re.ReplaceAllStringFunc(q, func(string) string { return p.with(q) })
	}
	return strings.Join(strings.Fields(q), " ")
}
