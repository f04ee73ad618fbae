package postgres_test

import (
	"errors"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/charterhq/charter/registry"
	"github.com/charterhq/charter/store/postgres"
	"github.com/charterhq/charter/store/storetest"
)

// proxy forwards TCP connections to a PostgreSQL server, and can cut the
// path (down: connections closed, new ones refused) or stall it (hang:
// bytes are swallowed, new connections accepted but never answered).
type proxy struct {
	ln     net.Listener
	target string

	mu    sync.Mutex
	state string // "up", "down" or "hang"
	conns map[net.Conn]bool
	wg    sync.WaitGroup
}

func newProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target, state: "up", conns: map[net.Conn]bool{}}
	p.wg.Go(p.serve)
	t.Cleanup(func() {
		_ = ln.Close()
		p.set("down")
		p.wg.Wait()
	})
	return p
}

func (p *proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		state := p.state
		if state != "down" {
			p.conns[c] = true
		}
		p.mu.Unlock()
		switch state {
		case "down":
			_ = c.Close()
		case "hang":
			p.wg.Go(func() { p.pipe(c, nil) }) // read and drop
		default:
			up, err := net.Dial("tcp", p.target)
			if err != nil {
				_ = c.Close()
				continue
			}
			p.mu.Lock()
			p.conns[up] = true
			p.mu.Unlock()
			p.wg.Go(func() { p.pipe(c, up) })
			p.wg.Go(func() { p.pipe(up, c) })
		}
	}
}

// pipe copies from src to dst, dropping what it reads while the proxy
// hangs (or always, with a nil dst), and closes both ends when src fails.
func (p *proxy) pipe(src, dst net.Conn) {
	defer func() {
		_ = src.Close()
		if dst != nil {
			_ = dst.Close()
		}
	}()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if err != nil {
			return
		}
		p.mu.Lock()
		hang := p.state == "hang"
		p.mu.Unlock()
		if dst == nil || hang {
			continue
		}
		if _, err := dst.Write(buf[:n]); err != nil {
			return
		}
	}
}

// set changes the state. Going down or coming back up closes every
// connection; hanging keeps them open but silent.
func (p *proxy) set(state string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.state = state
	if state == "hang" {
		return
	}
	for c := range p.conns {
		_ = c.Close()
		delete(p.conns, c)
	}
}

// via returns rawURL with its host replaced by the proxy's address.
func (p *proxy) via(t *testing.T, rawURL string) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	u.Host = p.ln.Addr().String()
	return u.String()
}

// TestOutage cuts and stalls the path to the database under a store with
// short timeouts: View, Update and Ping fail with ErrUnavailable within
// their bounds and leave nothing written; when the path returns the same
// store serves again. Then it terminates the store's backends from an
// admin connection: the pool replaces them without failing a request.
func TestOutage(t *testing.T) {
	dbURL := newDatabase(t)
	u, err := url.Parse(dbURL)
	if err != nil || u.Scheme == "" {
		t.Skip("the outage test needs a postgres:// URL")
	}
	p := newProxy(t, u.Host)
	opts := postgres.Options{ConnectTimeout: time.Second, StatementTimeout: 2 * time.Second}
	s := mustOpen(t, p.via(t, dbURL), opts)
	direct := mustOpen(t, dbURL, postgres.Options{})

	write := func(scope registry.Subject) error {
		return s.Update(t.Context(), func(tx registry.Tx) error { return tx.SetMode(scope, registry.ModeReadOnly) })
	}
	read := func() error {
		return s.View(t.Context(), func(tx registry.Tx) error {
			_, err := tx.MaxSchemaID(registry.DefaultContext)
			return err
		})
	}
	if err := write("before"); err != nil {
		t.Fatal(err)
	}
	// check runs op and wants ErrUnavailable within bound.
	check := func(name string, bound time.Duration, op func() error) {
		t.Helper()
		start := time.Now()
		err := op()
		d := time.Since(start)
		if !errors.Is(err, registry.ErrUnavailable) {
			t.Errorf("%s = %v, want ErrUnavailable", name, err)
		}
		if d > bound {
			t.Errorf("%s took %v, want at most %v", name, d, bound)
		}
		t.Logf("%s failed in %v: %v", name, d.Round(time.Millisecond), err)
	}
	recovered := func(name string) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		tries := 0
		for {
			tries++
			err := read()
			if err == nil {
				err = write(registry.Subject(name))
			}
			if err == nil {
				t.Logf("%s: recovered after %d tries", name, tries)
				return
			}
			if !errors.Is(err, registry.ErrUnavailable) || time.Now().After(deadline) {
				t.Fatalf("%s: not recovered: %v", name, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	mustNotExist := func(scope registry.Subject) {
		t.Helper()
		storetest.MustView(t, direct, func(tx registry.Tx) error {
			if _, err := tx.Mode(scope); !errors.Is(err, registry.ErrNotFound) {
				t.Errorf("mode of %q written during the outage: %v", scope, err)
			}
			return nil
		})
	}

	t.Run("down", func(t *testing.T) {
		p.set("down")
		bound := opts.ConnectTimeout + 500*time.Millisecond
		check("View", bound, read)
		check("Update", bound, func() error { return write("down") })
		check("Ping", bound, func() error { return s.Ping(t.Context()) })
		p.set("up")
		mustNotExist("down")
		recovered("after-down")
	})

	t.Run("hang", func(t *testing.T) {
		// A connection stalls mid-transaction: bounded by the statement
		// timeout; new connections stall: bounded by the connect timeout.
		start := make(chan struct{})
		done := make(chan error, 1)
		go func() {
			done <- s.Update(t.Context(), func(tx registry.Tx) error {
				if err := tx.SetMode("hang", registry.ModeReadOnly); err != nil {
					return err
				}
				close(start)
				time.Sleep(100 * time.Millisecond) // the proxy hangs now
				return tx.SetMode("hang2", registry.ModeReadOnly)
			})
		}()
		<-start
		p.set("hang")
		check("Update stalled mid-transaction", opts.StatementTimeout+2*time.Second, func() error { return <-done })
		bound := opts.ConnectTimeout + 500*time.Millisecond
		check("View", bound, read)
		check("Update", bound, func() error { return write("hang3") })
		check("Ping", bound, func() error { return s.Ping(t.Context()) })
		p.set("up")
		mustNotExist("hang")
		mustNotExist("hang3")
		recovered("after-hang")
	})

	t.Run("terminate", func(t *testing.T) {
		// Fill the pool with connections, then kill them server-side.
		var wg sync.WaitGroup
		for range 5 {
			wg.Go(func() { _ = read() })
		}
		wg.Wait()
		admin := connect(t, serverURL(t))
		tag, err := admin.Exec(t.Context(), `SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity
			WHERE datname = $1 AND application_name = 'charter' AND pid <> pg_backend_pid()`, u.Path[1:])
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("terminated %d backends", tag.RowsAffected())
		failures := 0
		for i := range 20 {
			err := read()
			if err == nil {
				err = write(registry.Subject("after-terminate"))
			}
			if err != nil {
				failures++
				if !errors.Is(err, registry.ErrUnavailable) {
					t.Errorf("attempt %d after terminate: %v, want nil or ErrUnavailable", i, err)
				}
			}
		}
		// The pool finds its connections dead at BEGIN and retries on a
		// new one: no request fails.
		if failures > 0 {
			t.Errorf("%d of 20 read+write rounds failed after terminating the backends", failures)
		}
		recovered("after-terminate")
	})
}
