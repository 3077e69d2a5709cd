// Package synth generates a large synthetic corpus of news-like articles and
// the natural-language questions people ask about them, for benchmarks.
// The text is made from sentence templates over lists of people, places,
// roles and topics, plus a long tail of rare words drawn from a Zipf law,
// so that word frequencies look like those of real news.
package synth

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"
)

// Article is one generated article, in the JSONL shape Attache ingests.
type Article struct {
	URL       string `json:"url"`
	Title     string `json:"title"`
	Source    string `json:"source"`
	Author    string `json:"author"`
	Published string `json:"published"`
	Body      string `json:"body"`
}

// Generator makes articles and queries deterministically from a seed.
type Generator struct {
	r    *rand.Rand
	zipf *rand.Zipf
	rare []string
}

// New returns a generator; the same seed gives the same corpus.
func New(seed uint64) *Generator {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	g := &Generator{r: r, zipf: rand.NewZipf(r, 1.1, 4, 60000-1)}
	// A long tail of rare word forms, as real text has (names, numbers, jargon).
	syll := []string{"ka", "ro", "vi", "ne", "sta", "lo", "mir", "dan", "tes", "bu", "gor", "pel", "sha", "tri", "zen", "qua", "lek", "mon", "dre", "fal"}
	g.rare = make([]string, 60000)
	for i := range g.rare {
		n := 2 + i%3
		var b strings.Builder
		x := i*7919 + 13
		for k := 0; k < n; k++ {
			b.WriteString(syll[x%len(syll)])
			x /= len(syll)
			x += k * 31
		}
		g.rare[i] = b.String() + fmt.Sprint(i%97)
	}
	return g
}

func (g *Generator) pick(list []string) string { return list[g.r.IntN(len(list))] }

func (g *Generator) person() string { return g.pick(firstNames) + " " + g.pick(lastNames) }

func (g *Generator) rareWord() string { return g.rare[g.zipf.Uint64()] }

// sentence fills one template.
func (g *Generator) sentence() string {
	t := g.pick(templates)
	var b strings.Builder
	for {
		i := strings.IndexByte(t, '{')
		if i < 0 {
			b.WriteString(t)
			break
		}
		j := strings.IndexByte(t[i:], '}') + i
		b.WriteString(t[:i])
		switch t[i+1 : j] {
		case "person":
			b.WriteString(g.person())
		case "role":
			b.WriteString(g.pick(roles))
		case "country":
			b.WriteString(g.pick(countries))
		case "city":
			b.WriteString(g.pick(cities))
		case "topic":
			b.WriteString(g.pick(topics))
		case "verb":
			b.WriteString(g.pick(verbs))
		case "day":
			b.WriteString(g.pick(days))
		case "num":
			fmt.Fprint(&b, 2+g.r.IntN(500))
		case "rare":
			b.WriteString(g.rareWord())
		}
		t = t[j+1:]
	}
	return b.String()
}

// Article returns the i-th article of the corpus.
func (g *Generator) Article(i int) Article {
	paras := 3 + g.r.IntN(6)
	ps := make([]string, paras)
	for p := range ps {
		n := 2 + g.r.IntN(5)
		ss := make([]string, n)
		for k := range ss {
			ss[k] = g.sentence()
		}
		ps[p] = strings.Join(ss, " ")
	}
	day := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(g.r.IntN(6*365*24)) * time.Hour)
	src := g.pick(sources)
	title := fmt.Sprintf("%s %s %s %s in %s", g.pick(countries), g.pick(titleVerbs), g.pick(topics), g.pick([]string{"talks", "deal", "plan", "dispute", "summit"}), g.pick(cities))
	return Article{
		URL:       fmt.Sprintf("https://%s.example/%s/%d", strings.ToLower(strings.ReplaceAll(src, " ", "")), day.Format("2006/01/02"), i),
		Title:     title,
		Source:    src,
		Author:    g.person(),
		Published: day.Format(time.RFC3339),
		Body:      strings.Join(ps, "\n\n"),
	}
}

// WriteJSONL writes n articles as JSONL.
func (g *Generator) WriteJSONL(w io.Writer, n int) error {
	enc := json.NewEncoder(w)
	for i := 0; i < n; i++ {
		if err := enc.Encode(g.Article(i)); err != nil {
			return err
		}
	}
	return nil
}

// Queries returns n questions of 3 to 8 words such as users type, common
// words included.
func (g *Generator) Queries(n int) []string {
	forms := []func() string{
		func() string { return fmt.Sprintf("what did %s say about %s", g.pick(lastNames), g.pick(topics)) },
		func() string { return fmt.Sprintf("%s %s talks", g.pick(countries), g.pick(topics)) },
		func() string { return fmt.Sprintf("latest on the %s %s negotiations", g.pick(cities), g.pick(topics)) },
		func() string { return fmt.Sprintf("who is the %s of %s", g.pick(roles), g.pick(countries)) },
		func() string {
			return fmt.Sprintf("%s meeting with %s in %s", g.person(), g.pick(lastNames), g.pick(cities))
		},
		func() string {
			return fmt.Sprintf("why did %s %s the %s", g.pick(countries), g.pick([]string{"reject", "accept", "delay"}), g.pick(topics))
		},
		func() string { return fmt.Sprintf("%s %s %s", g.pick(countries), g.pick(countries), g.pick(topics)) },
		func() string {
			return fmt.Sprintf("is there a %s agreement between %s and %s", g.pick(topics), g.pick(countries), g.pick(countries))
		},
	}
	out := make([]string, n)
	for i := range out {
		out[i] = forms[g.r.IntN(len(forms))]()
	}
	return out
}

var (
	firstNames = strings.Fields(`Marco Steve Keith Sergei Abbas Rafael Volodymyr Andrii Jamieson Maros Kaja Badr Kirill Mike Scott Lifeng
	Emmanuel Jean Ursula Keir Friedrich Giorgia Mark Hakan Yulia Rustem Olena Pierre Anna Maria Ahmed Fatima Li Wei Hiroshi Yuki
	Carlos Lucia Johan Ingrid Piotr Katarzyna Dmitri Irina Omar Leila Samuel Grace David Sarah Thomas Claire Hans Elena Ivan`)
	lastNames = strings.Fields(`Rubio Witkoff Kellogg Lavrov Araghchi Grossi Zelensky Sybiha Greer Sefcovic Kallas Albusaidi Dmitriev Waltz
	Bessent He Macron Barrot Leyen Starmer Merz Meloni Rutte Fidan Svyrydenko Umerov Novak Dubois Schmidt Rossi Kowalski Petrov
	Ivanova Haddad Rahman Chen Tanaka Suzuki Garcia Lopez Andersson Berg Nowak Wojcik Sokolov Orlova Nasser Karimi Mensah Okafor
	Levy Cohen Martin Bernard Muller Weber Costa Silva Popescu Horvat`)
	roles = strings.Split("foreign minister|special envoy|defence minister|prime minister|president|trade representative|"+
		"national security adviser|secretary of state|ambassador|finance minister|chief negotiator|deputy foreign minister|"+
		"spokesperson|vice premier|high representative", "|")
	countries = strings.Fields(`Ukraine Russia France Germany Britain Italy Poland Iran Israel Qatar Oman Egypt Turkey China Japan India Brazil
	Canada Mexico Spain Sweden Finland Norway Denmark Hungary Romania Greece Serbia Georgia Armenia Azerbaijan Kazakhstan Pakistan
	Indonesia Vietnam Australia Korea Nigeria Kenya Ethiopia Sudan Libya Syria Lebanon Jordan Iraq Yemen Algeria Morocco Tunisia`)
	cities = strings.Fields(`Paris Geneva Riyadh Jeddah Muscat Rome Istanbul Ankara Brussels Washington Moscow Kyiv Beijing Tokyo Doha Cairo
	Vienna Berlin London Warsaw Budapest Helsinki Oslo Madrid Lisbon Athens Belgrade Tbilisi Yerevan Baku Astana Delhi Jakarta
	Hanoi Canberra Seoul Abuja Nairobi Khartoum Tripoli Damascus Beirut Amman Baghdad Sanaa Algiers Rabat Tunis Minsk`)
	topics = strings.Fields(`ceasefire sanctions tariffs enrichment minerals grain energy pipeline refugees prisoners hostages border
	elections reconstruction aid loans debt inflation exports imports shipping drones missiles airspace troops peacekeepers
	guarantees treaty accord embargo visas investment railway port gas oil nuclear inspectors drought famine vaccines climate
	fisheries cyberattacks espionage corruption reforms budget subsidies steel aluminium semiconductors batteries`)
	verbs = strings.Fields(`discussed rejected welcomed criticised proposed signed postponed endorsed questioned announced
	negotiated demanded promised suspended extended condemned reviewed`)
	titleVerbs = strings.Fields(`backs rejects weighs delays signs resumes opens halts seeks`)
	days       = strings.Fields(`Monday Tuesday Wednesday Thursday Friday Saturday Sunday`)
	sources    = []string{"Meridian Wire", "Kyiv Dispatch", "Gulf Monitor", "Trade Desk Weekly", "Europa Briefing", "The Diplomatic Ledger", "Pacific Courier", "Sahel Observer"}
	templates  = []string{
		"{person}, the {role} of {country}, said on {day} that the {topic} talks in {city} had {verb} a new {topic} plan.",
		"Officials in {city} {verb} the proposal on {topic}, according to two people familiar with the {rare} discussions.",
		"The {role} {person} told reporters that {country} would not accept any deal on {topic} without {country}.",
		"{country} and {country} {verb} a framework on {topic} after {num} hours of negotiations in {city}.",
		"Analysts said the move could affect {topic} and {topic} across the region, including {rare} and {rare}.",
		"In a statement, the ministry of {country} said the {topic} measures were a response to {rare} pressure.",
		"{person} met {person} in {city} on {day} to discuss {topic}, the {role} said in a post.",
		"The agreement, which covers {topic} and {topic}, is expected to take effect within {num} days.",
		"Diplomats warned that the {topic} dispute between {country} and {country} was far from resolved.",
		"It was the first visit by a {role} of {country} to {city} since the {rare} crisis began.",
		"The talks were mediated by {country}, whose {role} {person} shuttled between the delegations.",
		"Markets in {city} reacted to the {topic} news, with {rare} shares falling {num} percent.",
		"According to the draft, {country} would {verb} its {topic} commitments in exchange for {topic}.",
		"A spokesperson for the {role} declined to comment on the {rare} report.",
		"Critics in {country} {verb} the government for its handling of the {topic} file.",
	}
)
