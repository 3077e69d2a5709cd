package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/attache-bot/attache/knowledge"
	"github.com/attache-bot/attache/knowledge/ingest"
	"github.com/attache-bot/attache/knowledge/sqlite"
)

// runBackup writes a consistent, checked copy of the SQLite database; on
// PostgreSQL it says which pg_dump to run.
func (m *Main) runBackup(ctx context.Context, args []string) error {
	flags := flag.NewFlagSet("backup", flag.ContinueOnError)
	pos, err := parseArgs(flags, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{msg: "backup: give one file to write, e.g. attache backup attache-backup.db", fs: flags}
	}
	if isPostgres(m.Config.DBPath) {
		fmt.Fprintf(m.Stdout, "ATTACHE_DB is a PostgreSQL database: back it up with PostgreSQL's own tool, while Attache runs:\n\n"+
			"  pg_dump --format=custom --file=%s %s\n\n"+
			"(give the password through PGPASSWORD or ~/.pgpass) and restore it into an empty database with\n\n"+
			"  pg_restore --dbname=URL %s\n", shellQuote(pos[0]), shellQuote(withoutPassword(m.Config.DBPath)), shellQuote(pos[0]))
		return fmt.Errorf("backup: nothing was written: PostgreSQL is backed up with pg_dump (above)")
	}
	db, err := m.readDB(ctx, m.Config.DBPath)
	if err != nil {
		return err
	}
	lite, ok := db.(*sqlite.DB)
	if !ok {
		return errors.New("backup: this store has no backup of its own")
	}
	start := time.Now()
	st, err := lite.Backup(ctx, pos[0])
	if err != nil {
		if errors.Is(err, sqlite.ErrBackupExists) {
			return usagef("%v", err)
		}
		return err
	}
	info, _ := os.Stat(pos[0])
	size := int64(0)
	if info != nil {
		size = info.Size()
	}
	fmt.Fprintf(m.Stdout, "backup: %s, %d articles, %.1f MB, integrity ok, in %s\n", safeLine(pos[0]), st.Articles,
		float64(size)/1e6, time.Since(start).Round(time.Millisecond))
	return nil
}

// runExport writes the archive as JSONL that ingest reads back into the
// same archive. A file is written whole or not at all.
func (m *Main) runExport(ctx context.Context, args []string) error {
	flags := flag.NewFlagSet("export", flag.ContinueOnError)
	sinceFlag := flags.String("since", "", "only articles published on or after this `DATE` (YYYY-MM-DD)")
	pos, err := parseArgs(flags, args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return usageError{msg: "export: give at most one file to write (none: standard output)", fs: flags}
	}
	var since time.Time
	if *sinceFlag != "" {
		if since, err = time.Parse(time.DateOnly, *sinceFlag); err != nil {
			return usagef("export: --since %q is not a date; give YYYY-MM-DD", *sinceFlag)
		}
	}
	var w io.Writer = m.Stdout
	var tmp *os.File
	if len(pos) == 1 {
		if _, err := os.Lstat(pos[0]); err == nil {
			return usagef("export: %s exists; nothing was overwritten (choose a new name)", pos[0])
		} else if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("export: %w", err)
		}
		tmp, err = os.CreateTemp(filepath.Dir(pos[0]), "."+filepath.Base(pos[0])+".*.partial")
		if err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err // the temporary name means nothing to the user
			}
			return fmt.Errorf("export: cannot write %s: %w", pos[0], err)
		}
		defer func() {
			if tmp != nil {
				tmp.Close()
				os.Remove(tmp.Name())
			}
		}()
		if err := tmp.Chmod(0o644); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		w = tmp
	}
	db, err := m.readDB(ctx, m.Config.DBPath)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	n := 0
	err = db.ExportArticles(ctx, since, func(a knowledge.Article, aliases []string) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		n++
		return enc.Encode(exportLine(a, aliases))
	})
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if tmp != nil {
		if err := tmp.Sync(); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		if err := tmp.Close(); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		// A link, unlike a rename, fails when the name was taken meanwhile.
		if err := os.Link(tmp.Name(), pos[0]); err != nil {
			os.Remove(tmp.Name())
			tmp = nil
			return fmt.Errorf("export: %w", err)
		}
		os.Remove(tmp.Name())
		tmp = nil
		fmt.Fprintf(m.Stderr, "export: %d articles to %s\n", n, safeLine(pos[0]))
	}
	return nil
}

// exportLine is an article as export writes it.
func exportLine(a knowledge.Article, aliases []string) ingest.ExportLine {
	l := ingest.ExportLine{URL: a.URL, Title: a.Title, Source: a.Source, Author: a.Author,
		Published: a.Published.UTC().Format(time.RFC3339), Undated: a.Undated, Lang: a.Lang, Aliases: aliases, Body: a.Body}
	if !a.Fetched.IsZero() {
		l.Fetched = a.Fetched.UTC().Format(time.RFC3339)
	}
	return l
}

// withoutPassword drops the password of a database URL.
func withoutPassword(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	if _, has := u.User.Password(); has {
		u.User = url.User(u.User.Username())
	}
	return u.String()
}

// shellQuote quotes a word for a POSIX shell.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:@=") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
