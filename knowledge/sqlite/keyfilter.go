package sqlite

import (
	"context"
	"database/sql"
	"math/bits"
)

// keyFilter is a Bloom filter over the keys (see key) of every stored
// article URL, alias URL and content hash. When neither an article's URL
// nor its text can be stored already, the writer skips the lookup query: a
// bulk ingest of new articles then runs one query fewer per article, and
// that query reads index pages at random. A "maybe" still runs the query,
// so a false positive costs only time.
//
// The filter is valid for one writer connection while no other connection
// writes: each write transaction compares the connection's PRAGMA
// data_version (which moves when another connection, in this process or
// another, commits) with the value seen when the filter was loaded, and
// reloads the filter when it moved.
type keyFilter struct {
	conn    any   // the driver connection the filter was checked against
	version int64 // its data_version then
	bits    []uint64
	n       int // keys added
}

const (
	filterProbes      = 4
	filterBitsPerKey  = 16      // about 0.25% false positives with 4 probes
	filterMinBits     = 1 << 20 // 128 KB: 100k keys before the first reload
	filterReloadRatio = 10      // reload, larger, when fewer bits per key remain
)

// newKeyFilter sizes a filter for keys keys and as many again to come:
// a reload reads every stored key, inside a write transaction.
func newKeyFilter(keys int) *keyFilter {
	n := max(filterMinBits, 2*keys*filterBitsPerKey)
	n = 1 << bits.Len(uint(n-1)) // a power of two
	return &keyFilter{bits: make([]uint64, n/64)}
}

// probe returns the i-th bit position for k.
func (f *keyFilter) probe(k int64, i int) uint64 {
	h := uint64(k) + uint64(i)*0x9E3779B97F4A7C15
	h ^= h >> 31
	h *= 0xBF58476D1CE4E5B9
	h ^= h >> 29
	return h & (uint64(len(f.bits))*64 - 1)
}

func (f *keyFilter) add(k int64) {
	for i := 0; i < filterProbes; i++ {
		p := f.probe(k, i)
		f.bits[p/64] |= 1 << (p % 64)
	}
	f.n++
}

// mayHave reports false only for a key that was never added.
func (f *keyFilter) mayHave(k int64) bool {
	for i := 0; i < filterProbes; i++ {
		p := f.probe(k, i)
		if f.bits[p/64]&(1<<(p%64)) == 0 {
			return false
		}
	}
	return true
}

// full reports whether the filter holds too many keys for its size.
func (f *keyFilter) full() bool { return f.n*filterReloadRatio > len(f.bits)*64 }

// currentKeyFilter returns db's filter when it is still valid for the
// connection conn inside tx, else a filter loaded afresh from tx. The caller
// holds db.writeMu.
func (db *DB) currentKeyFilter(ctx context.Context, tx *sql.Tx, conn any) (*keyFilter, error) {
	var version int64
	if err := tx.QueryRowContext(ctx, "PRAGMA data_version").Scan(&version); err != nil {
		return nil, err
	}
	if f := db.keys; f != nil && f.conn == conn && f.version == version && !f.full() {
		return f, nil
	}
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT (SELECT count(*) FROM articles) + (SELECT count(*) FROM article_urls)").Scan(&n); err != nil {
		return nil, err
	}
	f := newKeyFilter(2 * n)
	rows, err := tx.QueryContext(ctx, "SELECT url_key, hash_key FROM articles")
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var u, h int64
		if err := rows.Scan(&u, &h); err != nil {
			rows.Close()
			return nil, err
		}
		f.add(u)
		f.add(h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = tx.QueryContext(ctx, "SELECT url FROM article_urls")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			return nil, err
		}
		f.add(key(u))
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	f.conn, f.version = conn, version
	db.keys = f
	return f, nil
}
