package knowledge

import (
	"errors"
)

var (
	// ErrNoDatabase: a read-only command was pointed at a file that does
	// not exist; it is never created for a read.
	ErrNoDatabase = errors.New("no database here")
	// ErrNotAttache: the file is not an Attache database (another
	// application's SQLite file, or not SQLite at all); nothing is written
	// to it.
	ErrNotAttache = errors.New("not an Attache database")
	// ErrSchemaNewer: the database was migrated by a newer Attache.
	ErrSchemaNewer = errors.New("the database was written by a newer version of Attache")
	// ErrSchemaOlder: a read-only open found migrations still to apply,
	// which only a writer does.
	ErrSchemaOlder = errors.New("the database needs an upgrade that only a writing command applies")
	// ErrReadOnly is returned by writes on a database opened read-only.
	ErrReadOnly = errors.New("the database is open read-only")
)
