package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/charterhq/charter/registry"
	"github.com/charterhq/charter/store/postgres"
	"github.com/charterhq/charter/store/storetest"
)

// TestChanges_Log checks what Update logs: one row per touched subject or
// scope and kind, none for schema content or failed Updates, in order.
func TestChanges_Log(t *testing.T) {
	s, _ := MustOpen(t)
	storetest.MustUpdate(t, s, func(tx registry.Tx) error {
		if err := tx.InsertSchema(".ctx", storetest.NewSchema(1, `"a"`)); err != nil {
			return err
		}
		for v := range registry.Version(3) {
			if err := tx.InsertVersion(registry.SubjectVersion{Subject: ":.ctx:s", Version: v + 1, SchemaID: 1, CreatedAt: time.Now()}); err != nil {
				return err
			}
		}
		if err := tx.SetConfig(":.ctx:", registry.Config{Compatibility: registry.CompatFull}); err != nil {
			return err
		}
		return tx.SetMode("", registry.ModeReadOnly)
	})
	_ = s.Update(t.Context(), func(tx registry.Tx) error {
		_ = tx.SetMode("rolled-back", registry.ModeReadOnly)
		return errors.New("no")
	})
	storetest.MustUpdate(t, s, func(tx registry.Tx) error {
		_, err := tx.Versions("nothing written")
		return err
	})
	storetest.MustUpdate(t, s, func(tx registry.Tx) error { return tx.DeleteVersion(":.ctx:s", 3) })

	got, err := s.Changes(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	var desc []string
	for i, c := range got {
		desc = append(desc, fmt.Sprintf("%s %q %s", c.Kind, c.Subject, c.Context))
		if i > 0 && c.Seq <= got[i-1].Seq {
			t.Errorf("Seq %d after %d", c.Seq, got[i-1].Seq)
		}
		if time.Since(c.At) > time.Minute || c.At.Location() != time.UTC {
			t.Errorf("At = %v", c.At)
		}
	}
	want := []string{`version ":.ctx:s" .ctx`, `config ":.ctx:" .ctx`, `mode "" .`, `delete ":.ctx:s" .ctx`}
	if !slices.Equal(desc, want) {
		t.Errorf("changes = %q, want %q", desc, want)
	}
	after, err := s.Changes(t.Context(), got[1].Seq)
	if err != nil || len(after) != 2 || after[0].Seq != got[2].Seq {
		t.Errorf("Changes(after %d) = %v, %v", got[1].Seq, after, err)
	}
	n, err := s.PruneChanges(t.Context(), time.Now().Add(time.Hour))
	if err != nil || n != 3 {
		t.Errorf("PruneChanges = %d, %v; want 3 (all but the last)", n, err)
	}
}

// listener runs b.Listen and hands changes to a channel.
type listener struct {
	ch   chan postgres.Change
	done chan error
}

func listen(t *testing.T, s *postgres.Store) (*listener, context.CancelFunc) {
	ctx, cancel := context.WithCancel(t.Context())
	l := &listener{ch: make(chan postgres.Change, 1000), done: make(chan error, 1)}
	go func() { l.done <- s.Listen(ctx, func(c postgres.Change) { l.ch <- c }) }()
	t.Cleanup(func() {
		cancel()
		if err := <-l.done; !errors.Is(err, context.Canceled) && !errors.Is(err, registry.ErrUnavailable) {
			t.Errorf("Listen returned %v", err)
		}
	})
	return l, cancel
}

// next waits for the next change.
func (l *listener) next(t *testing.T, within time.Duration) (postgres.Change, bool) {
	t.Helper()
	select {
	case c := <-l.ch:
		return c, true
	case <-time.After(within):
		return postgres.Change{}, false
	}
}

// TestChangesAndListen: writes through store A reach a Listen on store B
// promptly (the latency is logged), and changes made while B's listening
// connection is dead are replayed when it reconnects, in order, once.
func TestChangesAndListen(t *testing.T) {
	dbURL := newDatabase(t)
	a := mustOpen(t, dbURL, postgres.Options{})
	b := mustOpen(t, dbURL, postgres.Options{})
	l, _ := listen(t, b)

	// Listen starts after what is logged when it connects: write until it
	// sees something.
	var last int64
	for i := 0; ; i++ {
		setMode(t, a, registry.Subject(fmt.Sprintf("warm-up-%d", i)))
		if c, ok := l.next(t, 200*time.Millisecond); ok {
			last = c.Seq
			break
		}
		if i > 50 {
			t.Fatal("Listen delivered nothing")
		}
	}
	drain := func() {
		for {
			select {
			case c := <-l.ch:
				last = c.Seq
			case <-time.After(100 * time.Millisecond):
				return
			}
		}
	}
	drain()

	// Latency: commit on A returns -> fn called on B.
	var lat []time.Duration
	for i := range 50 {
		subject := registry.Subject(fmt.Sprintf("lat-%d", i))
		setMode(t, a, subject)
		committed := time.Now()
		c, ok := l.next(t, time.Second)
		if !ok {
			t.Fatalf("change %d not delivered within 1s", i)
		}
		lat = append(lat, time.Since(committed))
		if c.Subject != subject || c.Kind != postgres.ChangeMode || c.Seq <= last {
			t.Errorf("got %+v after seq %d, want mode of %s", c, last, subject)
		}
		last = c.Seq
	}
	slices.Sort(lat)
	t.Logf("A commit -> B Listen: median %v, p90 %v, max %v (50 changes)",
		lat[len(lat)/2], lat[len(lat)*9/10], lat[len(lat)-1])
	if lat[len(lat)-1] > time.Second {
		t.Errorf("max latency %v over 1s", lat[len(lat)-1])
	}

	// Kill B's listening connection, write while it is away, and expect
	// every change, in order, exactly once.
	var killed int
	adminDB := connect(t, dbURL)
	if err := adminDB.QueryRow(t.Context(), `SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity
		WHERE datname = current_database() AND application_name = 'charter listen'`).Scan(&killed); err != nil {
		t.Fatal(err)
	}
	if killed != 1 {
		t.Fatalf("terminated %d listening connections, want 1", killed)
	}
	var want []registry.Subject
	for i := range 20 {
		subject := registry.Subject(fmt.Sprintf("missed-%d", i))
		want = append(want, subject)
		setMode(t, a, subject)
	}
	var got []registry.Subject
	for len(got) < len(want) {
		c, ok := l.next(t, 10*time.Second)
		if !ok {
			t.Fatalf("after reconnecting got %v, want %v", got, want)
		}
		if c.Seq <= last {
			t.Errorf("seq %d delivered after %d", c.Seq, last)
		}
		last = c.Seq
		got = append(got, c.Subject)
	}
	if !slices.Equal(got, want) {
		t.Errorf("replayed %v, want %v", got, want)
	}
	if c, ok := l.next(t, 300*time.Millisecond); ok {
		t.Errorf("unexpected change after replay: %+v", c)
	}

	// Close stops Listen.
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-l.done:
		if !errors.Is(err, registry.ErrUnavailable) {
			t.Errorf("Listen after Close = %v, want ErrUnavailable", err)
		}
		l.done <- err // for the cleanup
	case <-time.After(5 * time.Second):
		t.Fatal("Listen did not return after Close")
	}
}

// TestListen_ConcurrentWriters: many Updates on two stores at once, and
// the listener still sees every change exactly once, in Seq order.
func TestListen_ConcurrentWriters(t *testing.T) {
	dbURL := newDatabase(t)
	a := mustOpen(t, dbURL, postgres.Options{})
	b := mustOpen(t, dbURL, postgres.Options{})
	l, _ := listen(t, b)
	for i := 0; ; i++ { // wait until listening
		setMode(t, a, "warm-up")
		if _, ok := l.next(t, 200*time.Millisecond); ok {
			break
		}
		if i > 50 {
			t.Fatal("Listen delivered nothing")
		}
	}
	const writers, each = 20, 10
	var wg sync.WaitGroup
	for w := range writers {
		s := []*postgres.Store{a, b}[w%2]
		wg.Go(func() {
			for i := range each {
				setMode(t, s, registry.Subject(fmt.Sprintf("w%d-%d", w, i)))
			}
		})
	}
	wg.Wait()
	seen := map[registry.Subject]bool{}
	var last int64
	for len(seen) < writers*each {
		c, ok := l.next(t, 5*time.Second)
		if !ok {
			t.Fatalf("got %d of %d changes", len(seen), writers*each)
		}
		if c.Subject == "warm-up" {
			continue
		}
		if seen[c.Subject] || c.Seq <= last {
			t.Errorf("duplicate or out of order: %+v after seq %d", c, last)
		}
		seen[c.Subject], last = true, c.Seq
	}
}

func setMode(t *testing.T, s *postgres.Store, scope registry.Subject) {
	t.Helper()
	storetest.MustUpdate(t, s, func(tx registry.Tx) error { return tx.SetMode(scope, registry.ModeReadOnly) })
}
