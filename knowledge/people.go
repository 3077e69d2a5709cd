package knowledge

import (
	"strings"

	"github.com/attache-bot/attache/knowledge/text"
)

// Person is someone the articles name with a title.
type Person struct {
	ID   int64
	Name string
}

// Role is one title a person held according to one article.
type Role struct {
	Title    string
	Sentence string  // the sentence that states it
	Article  Article // without Body
}

// PersonRoles is a person with their roles, newest first.
type PersonRoles struct {
	Person Person
	Roles  []Role
}

// Distinct returns the person's titles without repeats, newest first. A
// title that another title holds word for word ("envoy" in "special envoy
// for the Middle East") is left out, and a title that opened its sentence
// loses its capital ("Special envoy" is "special envoy").
func (pr PersonRoles) Distinct() []Role {
	type entry struct {
		role  Role
		words map[string]bool
		n     int
	}
	var es []entry
	seen := map[string]bool{}
	for _, r := range pr.Roles {
		ws := text.Words(r.Title)
		var kept []string
		for _, w := range ws {
			if w != "the" && w != "a" && w != "an" {
				kept = append(kept, w)
			}
		}
		key := strings.Join(kept, " ")
		if key == "" || seen[key] {
			continue
		}
		seen[key] = true
		set := map[string]bool{}
		for _, w := range kept {
			set[w] = true
		}
		es = append(es, entry{r, set, len(kept)})
	}
	var out []Role
	for i, e := range es {
		subsumed := false
		for j, o := range es {
			if i == j || o.n <= e.n {
				continue
			}
			all := true
			for w := range e.words {
				all = all && o.words[w]
			}
			if all {
				subsumed = true
				break
			}
		}
		if !subsumed {
			out = append(out, e.role)
		}
	}
	return out
}

// NameKeys are the keys a typed name is looked up by among people's
// aliases, in order, the first that finds someone winning: the folded
// name; without a possessive ("Steve Witkoff's" folds to "steve witkoff
// s"); its last word, so that "Mr Witkoff" finds him. None for a name
// with no words.
func NameKeys(name string) []string {
	key := strings.Join(text.Words(name), " ")
	if key == "" {
		return nil
	}
	keys := []string{key}
	if f := strings.Fields(key); len(f) > 1 {
		if f[len(f)-1] == "s" && len(f) > 2 {
			f = f[:len(f)-1]
			keys = append(keys, strings.Join(f, " "))
		}
		keys = append(keys, f[len(f)-1])
	}
	return keys
}
