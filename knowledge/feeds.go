package knowledge

import (
	"errors"
	"time"
)

// Feed is a feed Attache polls, with its health.
type Feed struct {
	ID           int64
	URL          string
	Title        string
	AddedBy      string
	AddedAt      time.Time
	ETag         string
	LastModified string
	LastFetch    time.Time
	LastOK       time.Time
	LastNew      time.Time
	Failures     int
	LastError    string
	NextFetch    time.Time
	Disabled     bool
	// Operator feeds were added with the command line; the others exist
	// for the servers that follow them (Servers counts them).
	Operator bool
	Servers  int
}

// ErrExists is returned when adding something already there.
var ErrExists = errors.New("already exists")
