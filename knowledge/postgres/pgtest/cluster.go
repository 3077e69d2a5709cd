package pgtest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Cluster is a PostgreSQL server of a test's own, to restart and stop
// without disturbing the tests that share ATTACHE_TEST_POSTGRES's.
type Cluster struct {
	tb   testing.TB
	bin  string
	dir  string
	port int
	as   []string // runuser -u postgres --, when root
}

// NewCluster starts a throwaway cluster from the binaries in
// ATTACHE_TEST_PG_BIN (.ci/run sets it), stopped and removed when tb ends.
// Without them tb is skipped, except under CI, where it fails.
func NewCluster(tb testing.TB) *Cluster {
	tb.Helper()
	bin := os.Getenv("ATTACHE_TEST_PG_BIN")
	if bin == "" {
		if os.Getenv("CI") != "" {
			tb.Fatal("ATTACHE_TEST_PG_BIN is not set: .ci/run sets it to PostgreSQL's binaries")
		}
		tb.Skip("ATTACHE_TEST_PG_BIN is not set (.ci/run sets it to PostgreSQL's binaries)")
	}
	dir, err := os.MkdirTemp("", "attache-pgtest-")
	if err != nil {
		tb.Fatal(err)
	}
	c := &Cluster{tb: tb, bin: bin, dir: dir, port: freePort(tb)}
	if os.Geteuid() == 0 {
		// PostgreSQL refuses to run as root.
		c.as = []string{"runuser", "-u", "postgres", "--"}
		if out, err := exec.Command("chown", "postgres", dir).CombinedOutput(); err != nil {
			tb.Fatalf("chown: %v: %s", err, out)
		}
	}
	tb.Cleanup(func() {
		c.ctl("-m", "immediate", "stop")
		os.RemoveAll(dir)
	})
	c.run(filepath.Join(bin, "initdb"), "-D", c.data(), "-U", "attache", "--auth=trust", "--no-sync")
	c.Start()
	return c
}

// URL is the cluster's postgres database.
func (c *Cluster) URL() string {
	return fmt.Sprintf("postgres://attache@127.0.0.1:%d/postgres?sslmode=disable", c.port)
}

// Start starts the server and waits until it takes connections.
func (c *Cluster) Start() {
	c.tb.Helper()
	if out, err := c.ctl("-l", filepath.Join(c.dir, "log"), "-o", fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off", c.port, c.dir), "start"); err != nil {
		c.tb.Fatalf("pg_ctl start: %v: %s", err, out)
	}
}

// Stop stops the server the way an upgrade or a failover does: the
// sessions are ended and what is in flight is rolled back.
func (c *Cluster) Stop() {
	c.tb.Helper()
	if out, err := c.ctl("-m", "fast", "stop"); err != nil {
		c.tb.Fatalf("pg_ctl stop: %v: %s", err, out)
	}
}

// Restart is pg_ctl restart -m fast.
func (c *Cluster) Restart() {
	c.tb.Helper()
	if out, err := c.ctl("-m", "fast", "-l", filepath.Join(c.dir, "log"), "restart"); err != nil {
		c.tb.Fatalf("pg_ctl restart: %v: %s", err, out)
	}
}

func (c *Cluster) data() string { return filepath.Join(c.dir, "data") }

func (c *Cluster) ctl(args ...string) (string, error) {
	args = append([]string{"-D", c.data(), "-w"}, args...)
	cmd := exec.Command(filepath.Join(c.bin, "pg_ctl"), args...)
	if len(c.as) > 0 {
		cmd = exec.Command(c.as[0], append(append(c.as[1:], filepath.Join(c.bin, "pg_ctl")), args...)...)
	}
	out, err := cmd.CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

func (c *Cluster) run(name string, args ...string) {
	c.tb.Helper()
	cmd := exec.Command(name, args...)
	if len(c.as) > 0 {
		cmd = exec.Command(c.as[0], append(append(c.as[1:], name), args...)...)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		c.tb.Fatalf("%s: %v: %s", filepath.Base(name), err, out)
	}
}

// freePort is a loopback port nothing listens on now.
func freePort(tb testing.TB) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
