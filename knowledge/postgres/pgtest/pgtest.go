// Package pgtest gives tests a PostgreSQL database of their own, on the
// server ATTACHE_TEST_POSTGRES names (.ci/run starts a throwaway cluster
// and sets it).
package pgtest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
)

var seq atomic.Int64

// Database creates an empty database for tb, dropped with everything in it
// when tb ends, and returns its URL. Without a server tb is skipped with
// the reason, except under CI, which never skips these tests: there it
// fails.
func Database(tb testing.TB) string {
	tb.Helper()
	server := os.Getenv("ATTACHE_TEST_POSTGRES")
	if server == "" {
		if os.Getenv("CI") != "" {
			tb.Fatal("ATTACHE_TEST_POSTGRES is not set: .ci/run starts a PostgreSQL cluster for these tests")
		}
		tb.Skip("ATTACHE_TEST_POSTGRES is not set (.ci/run starts a PostgreSQL cluster and sets it)")
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, server)
	if err != nil {
		tb.Fatal(err)
	}
	name := fmt.Sprintf("attache_test_%d_%d", os.Getpid(), seq.Add(1))
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		conn.Close(ctx)
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		conn.Close(ctx)
	})
	u, err := url.Parse(server)
	if err != nil {
		tb.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}
