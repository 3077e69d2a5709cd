package knowledge

import (
	"errors"
	"time"
)

// PutResult says what storing one article did.
type PutResult int

const (
	Added     PutResult = iota + 1 // a new article
	Updated                        // a stored article (same URL) whose text changed
	Duplicate                      // already stored, under this URL or with the same text under another
)

func (r PutResult) String() string {
	switch r {
	case Added:
		return "added"
	case Updated:
		return "updated"
	case Duplicate:
		return "duplicate"
	}
	return "unknown"
}

// ErrNotFound is returned when an article does not exist.
var ErrNotFound = errors.New("not found")

// ErrUnavailable marks a store failure after which no write can succeed
// (disk full, read-only file, I/O error, lock never released): callers
// stop instead of retrying article by article.
var ErrUnavailable = errors.New("the store cannot write")

// Stats describes what the store holds.
type Stats struct {
	Articles int
	Passages int
	Sources  int
	Newest   time.Time // publication time of the newest article; zero when empty
	Oldest   time.Time
}
