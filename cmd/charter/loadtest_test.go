package main

// The load run: opt-in with CHARTER_LOAD=1 (make load). It starts the real
// server in-process and drives it over loopback only, bounded in time and
// count, then prints throughput and latency. There are no pass/fail
// thresholds on timing: a shared 2-core machine makes them noise. It fails
// only on errors.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"
)

// loadSettings are the knobs of the load run, read from the environment.
type loadSettings struct {
	duration      time.Duration // per read phase
	conns         int           // keep-alive connections for reads
	registrations int           // upper bound per registration phase
}

func loadSettingsFromEnv(tb testing.TB) loadSettings {
	tb.Helper()
	if os.Getenv("CHARTER_LOAD") != "1" {
		tb.Skip("load run: set CHARTER_LOAD=1 (or use make load)")
	}
	s := loadSettings{duration: 10 * time.Second, conns: 64, registrations: 2000}
	if v := os.Getenv("CHARTER_LOAD_DURATION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 || d > 5*time.Minute {
			tb.Fatalf("CHARTER_LOAD_DURATION=%q: want a duration up to 5m", v)
		}
		s.duration = d
	}
	for _, k := range []struct {
		env string
		dst *int
		max int
	}{{"CHARTER_LOAD_CONNS", &s.conns, 1024}, {"CHARTER_LOAD_REGISTRATIONS", &s.registrations, 100000}} {
		if v := os.Getenv(k.env); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 || n > k.max {
				tb.Fatalf("%s=%q: want 1..%d", k.env, v, k.max)
			}
			*k.dst = n
		}
	}
	return s
}

// TestLoadRun_ReadByID compares GET /schemas/ids/{id} on Charter with a bare
// net/http handler that serves the same bytes, under the same load from
// the same driver. The ratio is Charter's share of the bare server's
// throughput: how much routing, middleware, logging, metrics and the
// registry's read path cost.
func TestLoadRun_ReadByID(t *testing.T) {
	ls := loadSettingsFromEnv(t)
	m := MustRunMain(t, func(c *Config) { c.LogLevel = slog.LevelWarn })
	cl := MustSRClient(t, m)
	got, err := cl.CreateSchema(t.Context(), "load-value", avroSchema(userV2))
	if err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/schemas/ids/%d", got.ID)

	// Capture Charter's exact response so the bare handler serves the same.
	resp, err := http.Get(m.URL() + path)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d %v", path, resp.StatusCode, err)
	}
	contentType := resp.Header.Get("Content-Type")

	bare := startBareServer(t, m.Config, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = w.Write(body)
	})

	t.Logf("load: GET %s (%d-byte body), %d keep-alive connections, %v per target in two slices, loopback",
		path, len(body), ls.conns, ls.duration)
	// Warm both up (connections, caches), then measure in four slices
	// ordered bare, charter, charter, bare, so that drift in the machine's
	// background load falls on both alike.
	driveGET(t, bare+path, body, ls.conns, ls.duration/10)
	driveGET(t, m.URL()+path, body, ls.conns, ls.duration/10)
	var bareRuns, charterRuns []loadRun
	for _, target := range []string{bare, m.URL(), m.URL(), bare} {
		r := driveGET(t, target+path, body, ls.conns, ls.duration/2)
		if target == bare {
			bareRuns = append(bareRuns, r)
		} else {
			charterRuns = append(charterRuns, r)
		}
	}
	bareStats, charterStats := merge(bareRuns), merge(charterRuns)

	t.Logf("bare net/http : %s", bareStats)
	t.Logf("charter       : %s", charterStats)
	t.Logf("ratio charter/bare: %.2f requests/s (target >= 0.8), p99 %.2fx",
		charterStats.rps/bareStats.rps, float64(charterStats.p99)/float64(bareStats.p99))
}

// TestLoadRun_Register measures registrations of new versions into SQLite:
// each one is new content, BACKWARD-checked against the latest version and
// written in its own transaction. One client into one subject measures the
// serial path; eight clients into eight subjects measure contention.
func TestLoadRun_Register(t *testing.T) {
	ls := loadSettingsFromEnv(t)
	m := MustRunMain(t, func(c *Config) { c.LogLevel = slog.LevelWarn })
	t.Logf("load: up to %d registrations or %v per phase, SQLite store, BACKWARD", ls.registrations, ls.duration)

	for _, clients := range []int{1, 8} {
		t.Run(fmt.Sprintf("clients=%d", clients), func(t *testing.T) {
			perClient := max(1, ls.registrations/clients)
			deadline := time.Now().Add(ls.duration)
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
			defer client.CloseIdleConnections()

			lat := make([][]time.Duration, clients)
			errs := make([]error, clients)
			var wg sync.WaitGroup
			start := time.Now()
			for c := range clients {
				wg.Go(func() {
					subject := fmt.Sprintf("load-reg-%d-%d-value", clients, c)
					for k := range perClient {
						if time.Now().After(deadline) {
							return
						}
						// Each version keeps "id" and swaps the optional
						// field for a new one: new content of constant
						// size, compatible with the previous version.
						schema := fmt.Sprintf(`{"type":"record","name":"Event","namespace":"com.example","fields":[`+
							`{"name":"id","type":"string"},{"name":"f%d","type":["null","string"],"default":null}]}`, k)
						t0 := time.Now()
						if err := register(client, m.URL(), subject, schema); err != nil {
							errs[c] = fmt.Errorf("client %d registration %d: %w", c, k, err)
							return
						}
						lat[c] = append(lat[c], time.Since(t0))
					}
				})
			}
			wg.Wait()
			elapsed := time.Since(start)
			if err := errors.Join(errs...); err != nil {
				t.Fatal(err)
			}
			if clients == 1 && len(lat[0]) >= 200 {
				// Registration cost should not grow with the subject's
				// history (only the latest version is checked under
				// BACKWARD): compare the first and last 100.
				first := summarize(loadRun{slices.Clone(lat[0][:100]), time.Second})
				last := summarize(loadRun{slices.Clone(lat[0][len(lat[0])-100:]), time.Second})
				t.Logf("registrations into one subject: p50 of versions 1-100 %v, of the last 100 (up to %d) %v",
					first.p50.Round(time.Microsecond), len(lat[0]), last.p50.Round(time.Microsecond))
			}
			st := summarize(loadRun{slices.Concat(lat...), elapsed})
			t.Logf("registrations, %d client(s): %s", clients, st)
		})
	}
}

func register(client *http.Client, base, subject, schema string) error {
	body := fmt.Sprintf(`{"schema":%q}`, schema)
	resp, err := client.Post(base+"/subjects/"+subject+"/versions",
		"application/vnd.schemaregistry.v1+json", bytes.NewBufferString(body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %d: %s", resp.StatusCode, b)
	}
	return nil
}

// startBareServer serves h with the same http.Server timeouts as Charter,
// on loopback, until the test ends.
func startBareServer(tb testing.TB, cfg Config, h http.HandlerFunc) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		ReadTimeout:       cfg.ReadTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       cfg.IdleTimeout,
	}
	go func() { _ = srv.Serve(ln) }()
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
	return "http://" + ln.Addr().String()
}

type loadStats struct {
	n             int
	rps           float64
	p50, p99, max time.Duration
}

func (s loadStats) String() string {
	return fmt.Sprintf("%d requests, %.0f/s, p50 %v, p99 %v, max %v",
		s.n, s.rps, s.p50.Round(time.Microsecond), s.p99.Round(time.Microsecond), s.max.Round(time.Microsecond))
}

// A loadRun is the latencies of every successful request in one
// measurement and how long it took.
type loadRun struct {
	lat     []time.Duration
	elapsed time.Duration
}

func merge(runs []loadRun) loadStats {
	var all loadRun
	for _, r := range runs {
		all.lat = append(all.lat, r.lat...)
		all.elapsed += r.elapsed
	}
	return summarize(all)
}

func summarize(r loadRun) loadStats {
	lat := r.lat
	if len(lat) == 0 {
		return loadStats{}
	}
	slices.Sort(lat)
	at := func(q float64) time.Duration { return lat[min(len(lat)-1, int(q*float64(len(lat))))] }
	return loadStats{
		n:   len(lat),
		rps: float64(len(lat)) / r.elapsed.Seconds(),
		p50: at(0.50),
		p99: at(0.99),
		max: lat[len(lat)-1],
	}
}

// driveGET sends GET url from conns goroutines, one keep-alive connection
// each, until d has passed, checking every response is 200 with want as
// its body.
func driveGET(tb testing.TB, url string, want []byte, conns int, d time.Duration) loadRun {
	tb.Helper()
	tr := &http.Transport{
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		MaxConnsPerHost:     conns,
		DisableCompression:  true,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}

	lat := make([][]time.Duration, conns)
	errs := make([]error, conns)
	deadline := time.Now().Add(d)
	start := time.Now()
	var wg sync.WaitGroup
	for c := range conns {
		wg.Go(func() {
			buf := make([]byte, 0, len(want)+512)
			mine := make([]time.Duration, 0, 1<<14)
			for time.Now().Before(deadline) {
				t0 := time.Now()
				resp, err := client.Get(url)
				if err != nil {
					errs[c] = err
					return
				}
				buf = buf[:0]
				b := bytes.NewBuffer(buf)
				_, err = b.ReadFrom(resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != http.StatusOK || !bytes.Equal(b.Bytes(), want) {
					errs[c] = fmt.Errorf("GET %s: status %d, err %v, body %q", url, resp.StatusCode, err, b.Bytes())
					return
				}
				mine = append(mine, time.Since(t0))
			}
			lat[c] = mine
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if err := errors.Join(errs...); err != nil {
		tb.Fatal(err)
	}
	return loadRun{slices.Concat(lat...), elapsed}
}
