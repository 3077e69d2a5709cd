package discordtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"
)

// The contract: every request the bot makes is checked against Discord's
// own OpenAPI document, read at test time from ../shared/discord-api-spec
// beside the repository (never copied into it), and against the documented
// limits the document does not state, which hold in every run. A request
// that breaks either is answered 400 with Discord's "Invalid Form Body"
// error, and recorded as a violation that fails the test (see Check).

// SpecPath is where the OpenAPI document is looked for, relative to the
// module's root.
const SpecPath = "../shared/discord-api-spec/openapi.json"

// Limits Discord documents for bot messages and commands that the OpenAPI
// document states more loosely or not at all.
const (
	MaxContent          = 2000 // characters of a message's content
	MaxEmbedTotal       = 6000 // characters across a message's embeds
	MaxDescription      = 100  // characters of a command's or option's description
	MaxChoices          = 25   // choices of an option or an autocomplete result
	MaxCommandNameRunes = 32
)

// spec is the parsed OpenAPI document, loaded once.
type spec struct {
	schemas map[string]any
	routes  []route
}

type route struct {
	method string
	re     *regexp.Regexp
	body   any // the application/json request schema, or nil
}

var (
	specOnce sync.Once
	loaded   *spec
	specErr  error
)

// loadSpec reads the OpenAPI document, or says why it cannot.
func loadSpec() (*spec, error) {
	specOnce.Do(func() {
		root, err := moduleRoot()
		if err != nil {
			specErr = err
			return
		}
		raw, err := os.ReadFile(filepath.Join(root, SpecPath))
		if err != nil {
			specErr = err
			return
		}
		var doc struct {
			Paths      map[string]map[string]json.RawMessage `json:"paths"`
			Components struct {
				Schemas map[string]any `json:"schemas"`
			} `json:"components"`
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&doc); err != nil {
			specErr = fmt.Errorf("%s: %w", SpecPath, err)
			return
		}
		s := &spec{schemas: doc.Components.Schemas}
		for path, ops := range doc.Paths {
			pattern := "^" + regexp.MustCompile(`\\\{[a-z_]+\\\}`).ReplaceAllString(regexp.QuoteMeta(path), `[^/]+`) + "$"
			for method, raw := range ops {
				if method == "parameters" {
					continue
				}
				var op struct {
					RequestBody struct {
						Content map[string]struct {
							Schema any `json:"schema"`
						} `json:"content"`
					} `json:"requestBody"`
				}
				d := json.NewDecoder(bytes.NewReader(raw))
				d.UseNumber()
				if err := d.Decode(&op); err != nil {
					continue
				}
				s.routes = append(s.routes, route{method: strings.ToUpper(method), re: regexp.MustCompile(pattern),
					body: op.RequestBody.Content["application/json"].Schema})
			}
		}
		// Literal segments ("@original") before templated ones.
		sort.Slice(s.routes, func(i, j int) bool { return len(s.routes[i].re.String()) > len(s.routes[j].re.String()) })
		loaded = s
	})
	return loaded, specErr
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// SpecAvailable reports whether the OpenAPI document was found; when it
// was not, the reason.
func SpecAvailable() (bool, error) {
	s, err := loadSpec()
	return s != nil, err
}

// checkRequest returns what is wrong with a request by Discord's contract.
func checkRequest(method, path string, raw []byte) []string {
	var body any
	if len(bytes.TrimSpace(raw)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&body); err != nil {
			return []string{"body is not JSON: " + err.Error()}
		}
	}
	problems := checkLimits(method, path, body)
	s, err := loadSpec()
	if err != nil {
		return problems
	}
	for _, r := range s.routes {
		if r.method != method || !r.re.MatchString(path) {
			continue
		}
		if r.body != nil && body != nil {
			problems = append(problems, s.validate(r.body, body, "body")...)
		}
		return problems
	}
	return append(problems, fmt.Sprintf("%s %s is not a route of Discord's API", method, path))
}

// checkLimits applies the documented limits the schema lacks.
func checkLimits(method, path string, body any) []string {
	var out []string
	msg := func(m map[string]any, where string) {
		if c, ok := m["content"].(string); ok && utf8.RuneCountInString(c) > MaxContent {
			out = append(out, fmt.Sprintf("%s.content: %d characters, over %d", where, utf8.RuneCountInString(c), MaxContent))
		}
		if embeds, ok := m["embeds"].([]any); ok {
			total := 0
			for _, e := range embeds {
				total += embedChars(e)
			}
			if total > MaxEmbedTotal {
				out = append(out, fmt.Sprintf("%s.embeds: %d characters, over %d", where, total, MaxEmbedTotal))
			}
		}
		if choices, ok := m["choices"].([]any); ok && len(choices) > MaxChoices {
			out = append(out, fmt.Sprintf("%s.choices: %d, over %d", where, len(choices), MaxChoices))
		}
	}
	switch b := body.(type) {
	case map[string]any:
		msg(b, "body")
		if d, ok := b["data"].(map[string]any); ok { // an interaction callback
			msg(d, "body.data")
		}
	case []any: // a bulk overwrite of commands
		for i, c := range b {
			checkCommand(c, fmt.Sprintf("body[%d]", i), &out)
		}
	}
	return out
}

// commandNameRE is Discord's rule for slash command and option names.
var commandNameRE = regexp.MustCompile(`^[-_\p{L}\p{N}\p{Devanagari}\p{Thai}]{1,32}$`)

// discordLocales are the locales Discord takes in localisations.
// (AvailableLocalesEnum of the OpenAPI document).
var discordLocales = map[string]bool{"ar": true, "bg": true, "cs": true, "da": true, "de": true, "el": true, "en-GB": true,
	"en-US": true, "es-419": true, "es-ES": true, "fi": true, "fr": true, "he": true, "hi": true, "hr": true, "hu": true, "id": true,
	"it": true, "ja": true, "ko": true, "lt": true, "nl": true, "no": true, "pl": true, "pt-BR": true, "ro": true, "ru": true,
	"sv-SE": true, "th": true, "tr": true, "uk": true, "vi": true, "zh-CN": true, "zh-TW": true}

func checkCommand(c any, where string, out *[]string) {
	m, ok := c.(map[string]any)
	if !ok {
		return
	}
	if d, ok := m["description"].(string); ok && utf8.RuneCountInString(d) > MaxDescription {
		*out = append(*out, fmt.Sprintf("%s.description: %d characters, over %d", where, utf8.RuneCountInString(d), MaxDescription))
	}
	// A message or user command (type 3 or 2) is named as menus show it,
	// 1 to 32 characters of any case, and has no description or options;
	// a slash command and every option are named in lower case from
	// letters, digits, "-" and "_", and so are their localised names.
	typ := fmt.Sprint(m["type"]) // a float64 or a json.Number, as decoded
	menu := strings.Count(where, ".options[") == 0 && (typ == "2" || typ == "3")
	checkName := func(n, field string) {
		switch {
		case menu && (utf8.RuneCountInString(n) < 1 || utf8.RuneCountInString(n) > MaxCommandNameRunes):
			*out = append(*out, fmt.Sprintf("%s.%s %q: 1 to %d characters", where, field, n, MaxCommandNameRunes))
		case !menu && (!commandNameRE.MatchString(n) || n != strings.ToLower(n)):
			*out = append(*out, fmt.Sprintf("%s.%s %q: must be lower case and at most %d characters", where, field, n, MaxCommandNameRunes))
		}
	}
	if n, ok := m["name"].(string); ok {
		checkName(n, "name")
	}
	if locs, ok := m["name_localizations"].(map[string]any); ok {
		for loc, v := range locs {
			if !discordLocales[loc] {
				*out = append(*out, fmt.Sprintf("%s.name_localizations: %q is not a Discord locale", where, loc))
			}
			if n, ok := v.(string); ok {
				checkName(n, "name_localizations."+loc)
			}
		}
	}
	if locs, ok := m["description_localizations"].(map[string]any); ok {
		for loc, v := range locs {
			if !discordLocales[loc] {
				*out = append(*out, fmt.Sprintf("%s.description_localizations: %q is not a Discord locale", where, loc))
			}
			if d, ok := v.(string); ok && (utf8.RuneCountInString(d) > MaxDescription || (!menu && d == "")) {
				*out = append(*out, fmt.Sprintf("%s.description_localizations.%s: 1 to %d characters", where, loc, MaxDescription))
			}
		}
	}
	if menu {
		if d, _ := m["description"].(string); d != "" {
			*out = append(*out, fmt.Sprintf("%s.description: a message or user command has none", where))
		}
		if opts, _ := m["options"].([]any); len(opts) > 0 {
			*out = append(*out, fmt.Sprintf("%s.options: a message or user command has none", where))
		}
	}
	if choices, ok := m["choices"].([]any); ok && len(choices) > MaxChoices {
		*out = append(*out, fmt.Sprintf("%s.choices: %d, over %d", where, len(choices), MaxChoices))
	}
	if opts, ok := m["options"].([]any); ok {
		for i, o := range opts {
			checkCommand(o, fmt.Sprintf("%s.options[%d]", where, i), out)
		}
	}
}

func embedChars(e any) int {
	m, ok := e.(map[string]any)
	if !ok {
		return 0
	}
	n := 0
	for _, k := range []string{"title", "description"} {
		if s, ok := m[k].(string); ok {
			n += utf8.RuneCountInString(s)
		}
	}
	if f, ok := m["footer"].(map[string]any); ok {
		if s, ok := f["text"].(string); ok {
			n += utf8.RuneCountInString(s)
		}
	}
	if a, ok := m["author"].(map[string]any); ok {
		if s, ok := a["name"].(string); ok {
			n += utf8.RuneCountInString(s)
		}
	}
	if fields, ok := m["fields"].([]any); ok {
		for _, f := range fields {
			if fm, ok := f.(map[string]any); ok {
				for _, k := range []string{"name", "value"} {
					if s, ok := fm[k].(string); ok {
						n += utf8.RuneCountInString(s)
					}
				}
			}
		}
	}
	return n
}

// validate checks v against a JSON Schema (the subset Discord's document
// uses). oneOf is read as anyOf: the document's alternatives overlap (a
// nullable field, an id as string or integer), and Discord accepts a value
// that fits any of them.
func (s *spec) validate(schema, v any, at string) []string {
	sch, ok := schema.(map[string]any)
	if !ok {
		return nil
	}
	if ref, ok := sch["$ref"].(string); ok {
		return s.validate(s.schemas[strings.TrimPrefix(ref, "#/components/schemas/")], v, at)
	}
	var out []string
	for _, sub := range asList(sch["allOf"]) {
		out = append(out, s.validate(sub, v, at)...)
	}
	for _, key := range []string{"anyOf", "oneOf"} {
		alts := asList(sch[key])
		if len(alts) == 0 {
			continue
		}
		var first []string
		fits := false
		for i, alt := range alts {
			p := s.validate(alt, v, at)
			if len(p) == 0 {
				fits = true
				break
			}
			if i == 0 || len(p) < len(first) {
				first = p
			}
		}
		if !fits {
			out = append(out, fmt.Sprintf("%s: fits none of the %d allowed shapes (closest: %s)", at, len(alts), strings.Join(first, "; ")))
		}
	}
	if t, ok := sch["type"]; ok && !typeFits(t, v) {
		return append(out, fmt.Sprintf("%s: %s, want %v", at, jsonType(v), t))
	}
	if c, ok := sch["const"]; ok && !sameJSON(c, v) {
		out = append(out, fmt.Sprintf("%s: %v, want %v", at, v, c))
	}
	if enum := asList(sch["enum"]); len(enum) > 0 {
		found := false
		for _, e := range enum {
			found = found || sameJSON(e, v)
		}
		if !found {
			out = append(out, fmt.Sprintf("%s: %v is not one of %v", at, v, enum))
		}
	}
	switch x := v.(type) {
	case string:
		n := utf8.RuneCountInString(x)
		if m, ok := num(sch["maxLength"]); ok && float64(n) > m {
			out = append(out, fmt.Sprintf("%s: %d characters, over %v", at, n, m))
		}
		if m, ok := num(sch["minLength"]); ok && float64(n) < m {
			out = append(out, fmt.Sprintf("%s: %d characters, under %v", at, n, m))
		}
		if p, ok := sch["pattern"].(string); ok {
			if re, err := regexp.Compile(p); err == nil && !re.MatchString(x) {
				out = append(out, fmt.Sprintf("%s: %q does not match %s", at, x, p))
			}
		}
	case json.Number:
		f, _ := x.Float64()
		if m, ok := num(sch["maximum"]); ok && f > m {
			out = append(out, fmt.Sprintf("%s: %v over %v", at, x, m))
		}
		if m, ok := num(sch["minimum"]); ok && f < m {
			out = append(out, fmt.Sprintf("%s: %v under %v", at, x, m))
		}
	case []any:
		if m, ok := num(sch["maxItems"]); ok && float64(len(x)) > m {
			out = append(out, fmt.Sprintf("%s: %d items, over %v", at, len(x), m))
		}
		if m, ok := num(sch["minItems"]); ok && float64(len(x)) < m {
			out = append(out, fmt.Sprintf("%s: %d items, under %v", at, len(x), m))
		}
		for i, item := range x {
			out = append(out, s.validate(sch["items"], item, fmt.Sprintf("%s[%d]", at, i))...)
		}
	case map[string]any:
		props, _ := sch["properties"].(map[string]any)
		for _, r := range asList(sch["required"]) {
			if name, _ := r.(string); name != "" {
				if _, ok := x[name]; !ok {
					out = append(out, fmt.Sprintf("%s.%s: required", at, name))
				}
			}
		}
		if m, ok := num(sch["maxProperties"]); ok && float64(len(x)) > m {
			out = append(out, fmt.Sprintf("%s: %d properties, over %v", at, len(x), m))
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if p, ok := props[k]; ok {
				out = append(out, s.validate(p, x[k], at+"."+k)...)
				continue
			}
			switch ap := sch["additionalProperties"].(type) {
			case bool:
				if !ap && props != nil {
					out = append(out, fmt.Sprintf("%s.%s: not a field Discord accepts here", at, k))
				}
			case map[string]any:
				out = append(out, s.validate(ap, x[k], at+"."+k)...)
			}
		}
	}
	return out
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func num(v any) (float64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	f, err := n.Float64()
	return f, err == nil
}

func jsonType(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case json.Number:
		if f, err := x.Float64(); err == nil && f == math.Trunc(f) && !strings.ContainsAny(x.String(), ".eE") {
			return "integer"
		}
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

func typeFits(t, v any) bool {
	have := jsonType(v)
	for _, want := range append(asList(t), t) {
		w, _ := want.(string)
		if w == have || (w == "number" && have == "integer") {
			return true
		}
		// Discord takes 64-bit integers (permissions, ids) as strings of
		// digits too, as its documentation writes them.
		if s, ok := v.(string); ok && w == "integer" && digitsRE.MatchString(s) {
			return true
		}
	}
	return false
}

var digitsRE = regexp.MustCompile(`^-?[0-9]{1,20}$`)

func sameJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

func jsonUnmarshal(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return dec.Decode(v)
}
