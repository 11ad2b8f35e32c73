package bot_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"mamasroom/postgres"
)

// privatePostgres is a PostgreSQL server of one test's own, which the test
// may freeze (SIGSTOP every one of its processes, as a machine that stops
// answering does) without stopping the other tests' server.
type privatePostgres struct {
	t    testing.TB
	dir  string
	bin  string
	URL  string
	user string // the OS user the server runs as; "" for the test's own
}

// startPrivatePostgres initialises, starts and migrates a server on a free
// port; it is stopped and removed when the test ends. Without PostgreSQL's
// programs the test is skipped, except in CI, where scripts/test installs
// them.
func startPrivatePostgres(t testing.TB) *privatePostgres {
	t.Helper()
	if os.Getenv("TEST_DATABASE_URL") == "" && os.Getenv("CI") == "" {
		t.Skip("TEST_DATABASE_URL is not set: run the tests with scripts/test")
	}
	bin := postgresBinDir()
	if bin == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("no initdb and pg_ctl found")
		}
		t.Skip("no initdb and pg_ctl found")
	}
	dir, err := os.MkdirTemp("", "mamasroom-private-pg-")
	if err != nil {
		t.Fatal(err)
	}
	p := &privatePostgres{t: t, dir: dir, bin: bin}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if os.Getuid() == 0 {
		// Postgres refuses to run as root; scripts/services.sh makes this user.
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root and there is no postgres user: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		p.user = "postgres"
	}
	port := freePort(t)
	p.run("initdb", "-D", p.data(), "-U", "mamasroom", "-A", "trust", "--no-sync", "-E", "UTF8", "--locale=C")
	p.run("pg_ctl", "-D", p.data(), "-l", filepath.Join(dir, "postgres.log"), "-w", "-o",
		fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off", port, dir),
		"start")
	t.Cleanup(func() {
		p.signal(syscall.SIGCONT) // a frozen server does not stop
		p.run("pg_ctl", "-D", p.data(), "-m", "immediate", "stop")
	})
	p.URL = fmt.Sprintf("postgres://mamasroom@127.0.0.1:%d/postgres?sslmode=disable", port)
	if _, err := postgres.Migrate(context.Background(), p.URL); err != nil {
		t.Fatal(err)
	}
	return p
}

func (p *privatePostgres) data() string { return filepath.Join(p.dir, "data") }

// run runs one of PostgreSQL's programs as the server's user.
func (p *privatePostgres) run(program string, args ...string) {
	p.t.Helper()
	path := filepath.Join(p.bin, program)
	cmd := exec.Command(path, args...)
	if p.user != "" {
		cmd = exec.Command("runuser", append([]string{"-u", p.user, "--", path}, args...)...)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(p.dir, "postgres.log"))
		p.t.Fatalf("%s: %v\n%s\n%s", program, err, out, log)
	}
}

// Freeze stops every process of the server where it is: connections stay
// open and nothing answers, as when its machine hangs.
func (p *privatePostgres) Freeze() { p.signal(syscall.SIGSTOP) }

// Thaw lets a frozen server go on.
func (p *privatePostgres) Thaw() { p.signal(syscall.SIGCONT) }

// signal sends sig to the postmaster first, so it starts no new process
// meanwhile, then to each of its children.
func (p *privatePostgres) signal(sig syscall.Signal) {
	p.t.Helper()
	raw, err := os.ReadFile(filepath.Join(p.data(), "postmaster.pid"))
	if err != nil {
		return // not running
	}
	pid, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(raw), "\n", 2)[0]))
	if err != nil {
		p.t.Fatalf("postmaster.pid: %v", err)
	}
	if err := syscall.Kill(pid, sig); err != nil {
		p.t.Fatalf("signal postmaster: %v", err)
	}
	for _, child := range childrenOf(pid) {
		_ = syscall.Kill(child, sig) // a backend may have just ended
	}
}

// childrenOf lists the processes whose parent is pid, from /proc.
func childrenOf(pid int) []int {
	entries, _ := os.ReadDir("/proc")
	var children []int
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...; comm may hold spaces, so read after ")".
		fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		if len(fields) > 1 && fields[1] == strconv.Itoa(pid) {
			children = append(children, child)
		}
	}
	return children
}

// postgresBinDir finds initdb and pg_ctl as scripts/services.sh does.
func postgresBinDir() string {
	dirs := []string{"/usr/local/bin"}
	versions, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	dirs = append(dirs, versions...)
	if initdb, err := exec.LookPath("initdb"); err == nil {
		dirs = append([]string{filepath.Dir(initdb)}, dirs...)
	}
	for _, d := range dirs {
		if isExecutable(filepath.Join(d, "initdb")) && isExecutable(filepath.Join(d, "pg_ctl")) {
			return d
		}
	}
	return ""
}

func isExecutable(path string) bool {
	info, err := os.Stat(path)
	return err == nil && !info.IsDir() && info.Mode()&0o111 != 0
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
