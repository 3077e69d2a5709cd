package knowledge

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
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

// ErrStoreDown marks a database server that cannot be reached for now
// (restarting, failing over, the network gone): a kind of ErrUnavailable
// that passes. A write that failed so was rolled back whole and may be
// tried again once the server is back; a read may be asked again.
var ErrStoreDown = fmt.Errorf("%w: the database server cannot be reached", ErrUnavailable)

// StoreDown reports an error of a database server that cannot be reached:
// ErrStoreDown, a refused or broken connection, or PostgreSQL's classes 08
// (connection exception) and 57P01–57P03 (shutting down, starting up).
func StoreDown(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrStoreDown) {
		return true
	}
	var state interface{ SQLState() string }
	if errors.As(err, &state) {
		c := state.SQLState()
		return strings.HasPrefix(c, "08") || c == "57P01" || c == "57P02" || c == "57P03"
	}
	// pgx marks the errors that happened before anything reached the
	// server (a closed connection, a failed write) as safe to retry.
	var retry interface{ SafeToRetry() bool }
	if errors.As(err, &retry) && retry.SafeToRetry() {
		return true
	}
	var op *net.OpError
	return errors.As(err, &op) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed)
}

// Stats describes what the store holds.
type Stats struct {
	Articles int
	Passages int
	Sources  int
	Newest   time.Time // publication time of the newest article; zero when empty
	Oldest   time.Time
}
