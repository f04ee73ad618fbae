package main

// The PostgreSQL part of the load run (issue 5): registrations through one
// and two nodes sharing a database, and reads by id per node, which must
// not touch the database once warm. Opt-in with CHARTER_LOAD=1 and
// CHARTER_TEST_POSTGRES_URL.

import (
	"bufio"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestLoadRun_Postgres(t *testing.T) {
	ls := loadSettingsFromEnv(t)
	db := MustPostgresDB(t)
	quiet := func(c *Config) { c.LogLevel = slog.LevelWarn }
	nodes := []*Main{MustRunNode(t, db, quiet), MustRunNode(t, db, quiet)}

	for _, n := range []int{1, 2} {
		t.Run(fmt.Sprintf("register/nodes=%d", n), func(t *testing.T) {
			const clients = 8
			perClient := max(1, ls.registrations/clients)
			deadline := time.Now().Add(ls.duration)
			httpc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
			defer httpc.CloseIdleConnections()
			lat := make([][]time.Duration, clients)
			errs := make([]error, clients)
			var wg sync.WaitGroup
			start := time.Now()
			for c := range clients {
				wg.Go(func() {
					base := nodes[c%n].URL()
					subject := fmt.Sprintf("pg-load-%d-%d-value", n, c)
					for k := range perClient {
						if time.Now().After(deadline) {
							return
						}
						schema := fmt.Sprintf(`{"type":"record","name":"Event","namespace":"com.example","fields":[`+
							`{"name":"id","type":"string"},{"name":"f%d","type":["null","string"],"default":null}]}`, k)
						t0 := time.Now()
						if err := register(httpc, base, subject, schema); err != nil {
							errs[c] = fmt.Errorf("client %d registration %d: %w", c, k, err)
							return
						}
						lat[c] = append(lat[c], time.Since(t0))
					}
				})
			}
			wg.Wait()
			if err := errors.Join(errs...); err != nil {
				t.Fatal(err)
			}
			st := summarize(loadRun{slices.Concat(lat...), time.Since(start)})
			t.Logf("PostgreSQL, %d node(s), %d clients into %d subjects, BACKWARD: %s", n, clients, clients, st)
		})
	}

	t.Run("read-by-id", func(t *testing.T) {
		cl := MustSRClient(t, nodes[0])
		ss, err := cl.CreateSchema(t.Context(), "pg-read-value", avroSchema(userV2))
		if err != nil {
			t.Fatal(err)
		}
		path := fmt.Sprintf("/schemas/ids/%d", ss.ID)
		var want []byte
		for _, m := range nodes {
			resp, err := http.Get(m.URL() + path)
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			_, _ = bufio.NewReader(resp.Body).WriteTo(&b)
			resp.Body.Close()
			want = []byte(b.String())
		}
		for i, m := range nodes {
			before := storeViews(t, m)
			r := driveGET(t, m.URL()+path, want, ls.conns, ls.duration/2)
			after := storeViews(t, m)
			t.Logf("node %d GET %s: %s; store reads during the run: %d", i, path, summarize(r), after-before)
			if after != before {
				t.Errorf("node %d read the database %d times while serving a warm id", i, after-before)
			}
		}
	})
}

// storeViews returns the node's count of read transactions from /metrics.
func storeViews(t *testing.T, m *Main) int {
	t.Helper()
	resp, err := http.Get(m.URL() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, `charter_store_op_duration_seconds_count{op="view"}`) {
			n, _ := strconv.ParseFloat(strings.Fields(line)[1], 64)
			return int(n)
		}
	}
	return 0
}
