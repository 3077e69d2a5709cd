package sqlite

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/attache-bot/attache/knowledge"
	"github.com/attache-bot/attache/knowledge/internal/sqlrow"
	"github.com/attache-bot/attache/knowledge/text"
)

// WhoIs finds the people a name refers to (full name or surname, with or
// without diacritics, any case) and lists their roles, newest first. The
// best-documented person comes first when a surname is shared.
func (db *DB) WhoIs(ctx context.Context, name string) ([]knowledge.PersonRoles, error) {
	ids, err := db.personIDs(ctx, knowledge.NameKeys(name))
	if err != nil {
		return nil, err
	}
	var out []knowledge.PersonRoles
	for _, id := range ids {
		pr, err := db.personRoles(ctx, id)
		if err != nil {
			return nil, err
		}
		if len(pr.Roles) > 0 {
			out = append(out, pr)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return len(out[i].Roles) > len(out[j].Roles) })
	return out, nil
}

// personIDs returns the people the first of keys that names anyone names.
func (db *DB) personIDs(ctx context.Context, keys []string) ([]int64, error) {
	for _, k := range keys {
		rows, err := db.queryRead(ctx, "SELECT person_id FROM person_aliases WHERE alias = ?", k)
		if err != nil {
			return nil, fmt.Errorf("who is %q: %w", keys[0], err)
		}
		ids, err := collect(rows, func(r sqlrow.Scanner) (id int64, err error) { return id, r.Scan(&id) })
		if err != nil || len(ids) > 0 {
			return ids, err
		}
	}
	return nil, nil
}

func (db *DB) personRoles(ctx context.Context, id int64) (knowledge.PersonRoles, error) {
	pr := knowledge.PersonRoles{Person: knowledge.Person{ID: id}}
	// Each role entry is [article_id, ord, published, first_passage, role]
	// and counts while its article starts at that passage (0005_role_runs.sql).
	rows, err := db.queryRead(ctx, `SELECT p.name, e.value ->> 4, coalesce(t.text, ''), `+articleColumns+`
		FROM role_runs r JOIN json_each(r.roles) e JOIN people p ON p.id = r.person_id
		JOIN articles a ON a.id = e.value ->> 0 AND a.first_passage = e.value ->> 3
		LEFT JOIN passages t ON t.rowid = a.first_passage + (e.value ->> 1)
		WHERE r.person_id = ?
		ORDER BY e.value ->> 2 DESC, e.value ->> 0 DESC, e.value ->> 1 DESC LIMIT 100`, id)
	if err != nil {
		return pr, fmt.Errorf("roles of person %d: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var r knowledge.Role
		var passage string
		dst := append([]any{&pr.Person.Name, &r.Title, &passage}, rowArticle(&r.Article)...)
		if err := rows.Scan(dst...); err != nil {
			return pr, err
		}
		r.Sentence = sentenceStating(passage, pr.Person.Name, r.Title)
		pr.Roles = append(pr.Roles, r)
	}
	return pr, rows.Err()
}

// People lists people whose name or surname starts with prefix, the most
// mentioned first, for autocompletion.
func (db *DB) People(ctx context.Context, prefix string, limit int) ([]knowledge.Person, error) {
	key := strings.Join(text.Words(prefix), " ")
	if limit <= 0 {
		limit = 25
	}
	rows, err := db.queryRead(ctx, `SELECT p.id, p.name FROM people p
		WHERE p.id IN (SELECT person_id FROM person_aliases WHERE alias >= ?1 AND alias < ?1 || x'ff')
		ORDER BY (SELECT sum(n) FROM role_runs r WHERE r.person_id = p.id) DESC, p.name LIMIT ?2`, key, limit)
	if err != nil {
		return nil, fmt.Errorf("people: %w", err)
	}
	return collect(rows, func(r sqlrow.Scanner) (knowledge.Person, error) {
		var p knowledge.Person
		return p, r.Scan(&p.ID, &p.Name)
	})
}

// rowArticle returns the scan destinations of articleColumns.
func rowArticle(a *knowledge.Article) []any {
	return []any{&a.ID, &a.URL, &a.Source, &a.Title, &a.Author, &unixScanner{&a.Published}, &unixScanner{&a.Fetched}, &a.Lang, &a.Hash, &a.Undated}
}

// unixScanner scans unix seconds into a UTC time.
type unixScanner struct{ t *time.Time }

func (u *unixScanner) Scan(v any) error {
	n, ok := v.(int64)
	if !ok {
		return fmt.Errorf("time column: got %T", v)
	}
	*u.t = time.Unix(n, 0).UTC()
	return nil
}

// sentenceStating finds the sentence of a passage that states a role: the
// one holding the title and the surname, else the title, else the surname.
func sentenceStating(passage, name, title string) string {
	f := strings.Fields(name)
	surname := ""
	if len(f) > 0 {
		surname = f[len(f)-1]
	}
	var withTitle, withName string
	for _, s := range text.Sentences(passage) {
		hasTitle := strings.Contains(strings.ToLower(s), strings.ToLower(title))
		hasName := surname != "" && strings.Contains(s, surname)
		if hasTitle && hasName {
			return s
		}
		if hasTitle && withTitle == "" {
			withTitle = s
		}
		if hasName && withName == "" {
			withName = s
		}
	}
	if withTitle != "" {
		return withTitle
	}
	return withName
}
