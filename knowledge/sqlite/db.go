package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-sqlite3"
	sysunix "golang.org/x/sys/unix"

	"github.com/attache-bot/attache/knowledge"
	"github.com/attache-bot/attache/knowledge/internal/sqlrow"
	"github.com/attache-bot/attache/knowledge/text"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// DB is Attache's article store: one SQLite database file in WAL mode, with a
// single writer connection and a pool of readers so that searches never wait
// on, or fail because of, an ingest in progress.
type DB struct {
	Path string
	// Now is the clock; tests replace it.
	Now func() time.Time

	write    *sql.DB
	read     *sql.DB
	readOnly bool                               // opened by OpenReadOnly: write fails every call
	stmts    struct{ total, docFreq *sql.Stmt } // prepared on the read pool

	cacheMu sync.Mutex
	cache   map[string]*sql.Stmt // read statements by SQL text

	// writeMu guards the writer's caches, held through a write transaction.
	// people caches person ids by folded name across write transactions;
	// people are never deleted, so an id once committed stays valid.
	writeMu sync.Mutex
	people  map[string]int64
	keys    *keyFilter // see keyFilter
}

// readStmt returns a prepared statement for a read query, preparing it on
// first use. Searches run the same few statements over and over; preparing
// an FTS5 query costs as much as running a small one.
func (db *DB) readStmt(ctx context.Context, query string) (*sql.Stmt, error) {
	db.cacheMu.Lock()
	st, ok := db.cache[query]
	db.cacheMu.Unlock()
	if ok {
		return st, nil
	}
	// Prepared without the lock: preparing may wait for a connection.
	st, err := db.read.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	db.cacheMu.Lock()
	defer db.cacheMu.Unlock()
	if have, ok := db.cache[query]; ok {
		st.Close()
		return have, nil
	}
	if db.cache == nil {
		db.cache = map[string]*sql.Stmt{}
	}
	db.cache[query] = st
	return st, nil
}

// queryRead runs a read query through a cached prepared statement.
func (db *DB) queryRead(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := db.readStmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// Open opens the database at path for reading and writing: it creates the
// file when missing and applies pending migrations. A file that is not
// Attache's database, or whose schema is newer than this binary's, is
// refused before anything is written to it.
func Open(ctx context.Context, path string) (*DB, error) {
	return open(ctx, path, false)
}

// OpenReadOnly opens an existing database for reading only. It never
// creates a file, never migrates and never takes the write lock, so a read
// started during an ingest does not wait for it. A database on a read-only
// file system is read as immutable.
func OpenReadOnly(ctx context.Context, path string) (*DB, error) {
	return open(ctx, path, true)
}

func open(ctx context.Context, path string, readOnly bool) (*DB, error) {
	if path == "" {
		return nil, errors.New("open database: no path given")
	}
	if strings.HasPrefix(path, "postgres://") || strings.HasPrefix(path, "postgresql://") {
		return nil, errors.New("open database: a postgres:// URL names a PostgreSQL database, which knowledge/postgres opens, not the SQLite store")
	}
	if !fts5Available() {
		return nil, errors.New("open database: this binary was built without FTS5; build with -tags sqlite_fts5")
	}
	st, err := inspect(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	latest, count := migrationCount()
	switch {
	case !st.exists && readOnly:
		return nil, fmt.Errorf("open database %s: %w (store articles first with attache ingest, or set ATTACHE_DB)", path, knowledge.ErrNoDatabase)
	case st.version > latest:
		return nil, fmt.Errorf("open database %s: %w (schema version %d, this binary knows up to %d); upgrade attache", path, knowledge.ErrSchemaNewer, st.version, latest)
	case readOnly && st.applied < count && st.tables:
		return nil, fmt.Errorf("open database %s: %w (schema version %d, this binary needs %d); run attache ingest or attache serve once", path, knowledge.ErrSchemaOlder, st.version, latest)
	case !readOnly && st.readOnlyMedia:
		return nil, fmt.Errorf("open database %s: it is on a read-only file system; only reading commands (search, ask, whois, summarize, digest) work there", path)
	}
	db := &DB{Path: path, Now: func() time.Time { return time.Now().UTC() }}
	registerDriver()
	db.readOnly = readOnly
	if readOnly {
		db.write = sql.OpenDB(readOnlyConnector{})
	} else {
		if err := createFile(ctx, path); err != nil {
			return nil, fmt.Errorf("open database %s: create: %w", path, err)
		}
		// _txlock=immediate: a write transaction takes the write lock when
		// it begins, so two writers queue on busy_timeout instead of
		// deadlocking.
		db.write, err = sql.Open(writeDriver, dsn(path, "_journal_mode=WAL", "_txlock=immediate"))
		if err != nil {
			return nil, fmt.Errorf("open database %s: %w", path, err)
		}
		db.write.SetMaxOpenConns(1)
		db.write.SetConnMaxLifetime(0)
		db.write.SetMaxIdleConns(1)
	}
	readOpts := []string{"_query_only=1"}
	if readOnly {
		readOpts = append(readOpts, "mode=ro")
		if st.readOnlyMedia {
			// Nobody can write the file, so it cannot change under us; a WAL
			// database there has no -shm file to coordinate through.
			readOpts = append(readOpts, "immutable=1")
		}
	}
	db.read, err = sql.Open(readDriver, dsn(path, readOpts...))
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	db.read.SetMaxOpenConns(max(4, runtime.NumCPU()))
	db.read.SetMaxIdleConns(max(4, runtime.NumCPU()))
	if !readOnly && st.applied < count {
		if err := db.migrate(ctx); err != nil {
			db.Close()
			return nil, fmt.Errorf("open database %s: migrate: %w", path, err)
		}
	}
	if err := db.prepare(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open database %s: prepare: %w", path, err)
	}
	return db, nil
}

// readOnlyConnector stands in for the writer of a database opened
// read-only: every write fails with ErrReadOnly, before touching the file.
type readOnlyConnector struct{}

func (readOnlyConnector) Connect(context.Context) (driver.Conn, error) {
	return nil, knowledge.ErrReadOnly
}

func (readOnlyConnector) Driver() driver.Driver { return readOnlyConnector{} }

func (readOnlyConnector) Open(string) (driver.Conn, error) { return nil, knowledge.ErrReadOnly }

// fresh is the pool to read state that must include this process's last
// write: the writer when there is one.
func (db *DB) fresh() *sql.DB {
	if db.readOnly {
		return db.read
	}
	return db.write
}

// fileState is what inspect found at a database path.
type fileState struct {
	exists        bool
	tables        bool // the file holds a schema (not new, not empty)
	version       int  // the highest migration applied
	applied       int  // how many migrations were applied
	readOnlyMedia bool // the directory cannot be written
}

// sqliteHeader opens every SQLite database file.
const sqliteHeader = "SQLite format 3\x00"

// inspect looks at a database path without writing anything: a missing or
// empty file is new; any other file must be a SQLite database holding
// Attache's schema_migrations with its first migration.
func inspect(ctx context.Context, path string) (fileState, error) {
	var st fileState
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return st, nil
	case err != nil:
		return st, err
	case info.IsDir():
		return st, fmt.Errorf("%w: it is a directory", knowledge.ErrNotAttache)
	case !info.Mode().IsRegular():
		return st, fmt.Errorf("%w: it is not a regular file", knowledge.ErrNotAttache)
	}
	st.exists = true
	st.readOnlyMedia = !writableDir(filepath.Dir(path))
	if info.Size() == 0 {
		return st, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return st, err
	}
	head := make([]byte, len(sqliteHeader))
	_, err = io.ReadFull(f, head)
	f.Close()
	if err != nil || string(head) != sqliteHeader {
		return st, fmt.Errorf("%w: the file is not a SQLite database", knowledge.ErrNotAttache)
	}
	extra := []string{"mode=ro"}
	if st.readOnlyMedia {
		extra = append(extra, "immutable=1")
	}
	c, err := sql.Open("sqlite3", "file:"+(&url.URL{Path: path}).EscapedPath()+"?_busy_timeout=10000&"+strings.Join(extra, "&"))
	if err != nil {
		return st, err
	}
	defer c.Close()
	var tables, ours int
	if err := c.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE name = 'schema_migrations')
		FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).Scan(&tables, &ours); err != nil {
		return st, fmt.Errorf("read its schema: %w", err)
	}
	if tables == 0 {
		return st, nil
	}
	var rows int
	if tables == 1 && ours == 1 && c.QueryRowContext(ctx, "SELECT count(*) FROM schema_migrations").Scan(&rows) == nil && rows == 0 {
		// An empty schema_migrations alone: a schema an older Attache began
		// and did not finish. It is new.
		return st, nil
	}
	st.tables = true
	var first int
	if ours == 0 || c.QueryRowContext(ctx, "SELECT count(*) FROM schema_migrations WHERE version = 1 AND name = ?", firstMigration).Scan(&first) != nil || first == 0 {
		return st, fmt.Errorf("%w: the file holds another application's tables; nothing was changed (choose another ATTACHE_DB)", knowledge.ErrNotAttache)
	}
	if err := c.QueryRowContext(ctx, "SELECT coalesce(max(version), 0), count(*) FROM schema_migrations").Scan(&st.version, &st.applied); err != nil {
		return st, fmt.Errorf("read its schema version: %w", err)
	}
	return st, nil
}

// writableDir reports whether files can be created in dir; tests replace it
// to play a read-only file system.
var writableDir = func(dir string) bool {
	return sysunix.Access(dir, sysunix.W_OK) == nil
}

// firstMigration names the migration every Attache database starts with.
const firstMigration = "0001_articles.sql"

// migrationCount is the highest migration version this binary carries,
// and how many it carries.
func migrationCount() (latest, count int) {
	names, _ := fs.Glob(migrationFS, "migrations/*.sql")
	for _, n := range names {
		v, err := strconv.Atoi(strings.SplitN(strings.TrimPrefix(n, "migrations/"), "_", 2)[0])
		if err == nil {
			latest, count = max(latest, v), count+1
		}
	}
	return latest, count
}

// Reader connections are mattn/go-sqlite3 with a hook that gives each a
// larger page cache and memory-mapped reads (which skip a copy of every
// page): the FTS index is read far more than it is written. The writer's
// cache is 16 MB, enough to keep the articles' indexes, which ingestion
// updates at random, in memory (at 100k articles: 5% faster than SQLite's
// 2 MB), and it checkpoints the WAL every 64 MB.
const (
	readDriver  = "sqlite3_attache_read"
	writeDriver = "sqlite3_attache_write"
)

var registerOnce sync.Once

func registerDriver() {
	registerOnce.Do(func() {
		sql.Register(writeDriver, &sqlite3.SQLiteDriver{
			ConnectHook: func(c *sqlite3.SQLiteConn) error {
				size, err := pragmaInt(c, "page_size")
				if err != nil {
					return err
				}
				_, err = c.Exec(fmt.Sprintf("PRAGMA cache_size = -16384; PRAGMA wal_autocheckpoint = %d", walCheckpointBytes/max(size, 512)), nil)
				if err != nil {
					return err
				}
				// Migrations re-index text through the same function.
				return c.RegisterFunc("attache_index_text", text.IndexText, true)
			},
		})
		sql.Register(readDriver, &sqlite3.SQLiteDriver{
			ConnectHook: func(c *sqlite3.SQLiteConn) error {
				_, err := c.Exec("PRAGMA mmap_size = 268435456; PRAGMA cache_size = -16384", nil)
				return err
			},
		})
	})
}

// walCheckpointBytes is the WAL size at which the writer checkpoints.
const walCheckpointBytes = 64 << 20

// pragmaInt reads an integer pragma on a driver connection.
func pragmaInt(c *sqlite3.SQLiteConn, name string) (int, error) {
	rows, err := c.Query("PRAGMA "+name, nil)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	v := make([]driver.Value, 1)
	if err := rows.Next(v); err != nil {
		return 0, fmt.Errorf("pragma %s: %w", name, err)
	}
	n, ok := v[0].(int64)
	if !ok {
		return 0, fmt.Errorf("pragma %s: got %T", name, v[0])
	}
	return int(n), nil
}

// pageSize is the page size of a new database. Ingestion writes many
// transactions that each touch pages all over the articles' indexes; with
// 16 KB pages it makes a quarter of the writes and reads, and a bulk ingest
// of 100k articles took 9.1 s instead of 10.3 s (4 KB, SQLite's default).
const pageSize = 16384

// createFile creates the database file with its page size, which cannot
// change once a database is in WAL mode; for an existing database it does
// nothing.
func createFile(ctx context.Context, path string) error {
	c, err := sql.Open("sqlite3", "file:"+(&url.URL{Path: path}).EscapedPath()+"?_busy_timeout=10000")
	if err != nil {
		return err
	}
	defer c.Close()
	// Two processes creating the file at once: turning on WAL needs the
	// file to itself, and SQLite answers "busy" at once rather than wait
	// when another connection is doing the same, so it is tried again.
	give := time.Now().Add(10 * time.Second) // as long as busy_timeout
	for wait := 5 * time.Millisecond; ; wait = min(2*wait, 200*time.Millisecond) {
		var mode string
		err = c.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode)
		if err == nil && strings.EqualFold(mode, "wal") {
			return nil
		}
		if err == nil {
			_, err = c.ExecContext(ctx, "PRAGMA page_size = "+strconv.Itoa(pageSize)+"; PRAGMA journal_mode = WAL")
		}
		var se sqlite3.Error
		if err == nil || !errors.As(err, &se) || (se.Code != sqlite3.ErrBusy && se.Code != sqlite3.ErrLocked) || time.Now().After(give) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
	}
}

func dsn(path string, extra ...string) string {
	v := []string{
		"_busy_timeout=10000",
		"_foreign_keys=on",
		"_synchronous=NORMAL",
		"cache=private",
		// database/sql hands a connection to one goroutine at a time, so
		// SQLite's own per-call locking is not needed.
		"_mutex=no",
	}
	v = append(v, extra...)
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + strings.Join(v, "&")
}

func fts5Available() bool {
	for _, opt := range compileOptions() {
		if opt == "ENABLE_FTS5" {
			return true
		}
	}
	return false
}

func compileOptions() []string {
	c, err := sql.Open("sqlite3", "file::memory:")
	if err != nil {
		return nil
	}
	defer c.Close()
	rows, err := c.Query("PRAGMA compile_options")
	if err != nil {
		return nil
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if rows.Scan(&s) == nil {
			out = append(out, s)
		}
	}
	return out
}

// prepare readies the statements that every search runs.
func (db *DB) prepare(ctx context.Context) error {
	var err error
	if db.stmts.total, err = db.read.PrepareContext(ctx, "SELECT coalesce(max(rowid), 0) FROM passages"); err != nil {
		return err
	}
	db.stmts.docFreq, err = db.read.PrepareContext(ctx, "SELECT doc FROM passages_vocab WHERE term = ?")
	return err
}

// Close closes the database.
func (db *DB) Close() error {
	var errs []error
	for _, st := range []*sql.Stmt{db.stmts.total, db.stmts.docFreq} {
		if st != nil {
			st.Close()
		}
	}
	db.cacheMu.Lock()
	for _, st := range db.cache {
		st.Close()
	}
	db.cache = nil
	db.cacheMu.Unlock()
	if db.read != nil {
		errs = append(errs, db.read.Close())
	}
	if db.write != nil && !db.readOnly {
		// text.Fold the WAL back into the main file on a clean shutdown.
		_, _ = db.write.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	}
	if db.write != nil {
		errs = append(errs, db.write.Close())
	}
	return errors.Join(errs...)
}

// Ping checks that the database answers a read.
func (db *DB) Ping(ctx context.Context) error {
	var n int
	return db.read.QueryRowContext(ctx, "SELECT 1").Scan(&n)
}

// migrate applies, each in its own transaction, every embedded migration
// whose version is newer than the database's.
//
// schema_migrations is created in the transaction of the migration it
// first records, so that another process opening the file at that moment
// sees either no table or Attache's first migration, never a half-made
// schema it would take for another application's. Each transaction takes
// the write lock as it begins (_txlock=immediate): a second process
// waits for the first's migration, then finds it applied.
func (db *DB) migrate(ctx context.Context) error {
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		version, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: name must start with a number", base)
		}
		if err := db.applyMigration(ctx, version, base, name); err != nil {
			return fmt.Errorf("migration %s: %w", base, err)
		}
	}
	return nil
}

func (db *DB) applyMigration(ctx context.Context, version int, base, name string) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM schema_migrations WHERE version = ?", version).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	body, err := migrationFS.ReadFile(name)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations(version, name, applied) VALUES (?, ?, ?)",
		version, base, db.Now().Unix()); err != nil {
		return err
	}
	return tx.Commit()
}

// DB is a knowledge.Store.
var _ knowledge.Store = (*DB)(nil)

// collect reads every row with scan, and closes rows.
func collect[T any](rows *sql.Rows, scan func(sqlrow.Scanner) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// SchemaVersion returns the highest migration applied to the database.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := db.read.QueryRowContext(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&v)
	return v, err
}

// ErrBackupExists is a backup asked into a file that exists: it is never
// overwritten.
var ErrBackupExists = errors.New("the backup file exists; nothing was overwritten (choose a new name)")

// Backup writes a consistent copy of the database to dst with VACUUM INTO,
// while other connections and processes read and write it (it reads one
// snapshot), then checks the copy: its integrity, and that it opens as an
// Attache database holding articles. A failed copy is removed; dst is
// never an existing file.
func (db *DB) Backup(ctx context.Context, dst string) (knowledge.Stats, error) {
	var st knowledge.Stats
	if _, err := os.Lstat(dst); err == nil {
		return st, fmt.Errorf("backup %s: %w", dst, ErrBackupExists)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return st, fmt.Errorf("backup %s: %w", dst, err)
	}
	abs, err := filepath.Abs(dst)
	if err != nil {
		return st, fmt.Errorf("backup %s: %w", dst, err)
	}
	// A connection of its own: the read pool is query_only, which VACUUM
	// INTO does not need but refuses.
	c, err := sql.Open("sqlite3", "file:"+(&url.URL{Path: db.Path}).EscapedPath()+"?mode=ro&_busy_timeout=10000")
	if err != nil {
		return st, fmt.Errorf("backup: %w", err)
	}
	defer c.Close()
	if _, err := c.ExecContext(ctx, "VACUUM INTO ?", abs); err != nil {
		if _, statErr := os.Lstat(abs); statErr == nil && !errors.Is(err, context.Canceled) {
			// VACUUM INTO refuses a file that appeared meanwhile: not ours.
			if strings.Contains(err.Error(), "already exists") {
				return st, fmt.Errorf("backup %s: %w", dst, ErrBackupExists)
			}
		}
		os.Remove(abs)
		return st, fmt.Errorf("backup %s: %w", dst, err)
	}
	st, err = checkCopy(ctx, abs)
	if err != nil {
		os.Remove(abs)
		return st, fmt.Errorf("backup %s: the copy failed its check and was removed: %w", dst, err)
	}
	return st, nil
}

// checkCopy verifies a database file: PRAGMA integrity_check, then an
// open as Attache's and its statistics.
func checkCopy(ctx context.Context, path string) (knowledge.Stats, error) {
	c, err := sql.Open("sqlite3", "file:"+(&url.URL{Path: path}).EscapedPath()+"?mode=ro")
	if err != nil {
		return knowledge.Stats{}, err
	}
	var verdict string
	err = c.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&verdict)
	c.Close()
	if err != nil {
		return knowledge.Stats{}, err
	}
	if verdict != "ok" {
		return knowledge.Stats{}, fmt.Errorf("integrity check: %s", verdict)
	}
	cp, err := OpenReadOnly(ctx, path)
	if err != nil {
		return knowledge.Stats{}, err
	}
	defer cp.Close()
	return cp.Stats(ctx)
}
