package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/charterhq/charter/api"
	"github.com/charterhq/charter/registry"
	"github.com/charterhq/charter/store/inmem"
	"github.com/charterhq/charter/store/postgres"
	"github.com/charterhq/charter/store/sqlite"
)

var serveCommand = command{
	name:    "serve",
	summary: "run the schema registry server",
	run:     runServe,
}

func runServe(ctx context.Context, args []string, stdio Stdio, onStop func()) int {
	m := NewMain()
	m.Stderr = stdio.Stderr
	if err := m.ParseFlags(args, stdio.Getenv); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		fmt.Fprintf(stdio.Stderr, "charter serve: %v\nRun 'charter serve -h' for usage.\n", err)
		return exitUsage
	}
	if err := m.Run(ctx); err != nil {
		fmt.Fprintf(stdio.Stderr, "charter serve: %v\n", err)
		_ = m.Close()
		return exitError
	}

	code := exitOK
	select {
	case <-ctx.Done():
	case err := <-m.serveErr:
		m.logger.Error("server stopped", "err", err)
		code = exitError
	}
	if onStop != nil {
		onStop()
	}
	if err := m.Close(); err != nil {
		fmt.Fprintf(stdio.Stderr, "charter serve: %v\n", err)
		code = exitError
	}
	return code
}

// Main is the server program, split into ParseFlags, Run and Close so that
// tests run the real server (on 127.0.0.1:0, with a Config they build
// directly) exactly as the binary does.
type Main struct {
	Config Config
	Stderr io.Writer // logs go here; os.Stderr if nil

	// Set by Run.
	logger   *slog.Logger
	store    registry.Store
	schemas  *registry.Schemas
	listener net.Listener
	server   *http.Server
	serveErr chan error
	// stopFeed ends the change feed of a shared store; feedDone is closed
	// when it has ended.
	stopFeed func()
	feedDone chan struct{}
}

// NewMain returns a Main with the default configuration.
func NewMain() *Main {
	return &Main{Config: DefaultConfig(), Stderr: os.Stderr}
}

// ParseFlags loads m.Config from args and the environment (see LoadConfig).
func (m *Main) ParseFlags(args []string, getenv func(string) string) error {
	cfg, err := LoadConfig(args, getenv, m.stderr())
	if err != nil {
		return err
	}
	m.Config = cfg
	return nil
}

// Run opens the store, binds the listen address and starts serving in the
// background. It returns once the server accepts connections; errors from
// opening or listening are returned here, synchronously.
func (m *Main) Run(ctx context.Context) error {
	cfg := m.Config
	m.logger = newLogger(m.stderr(), cfg)

	store, err := openStore(ctx, cfg)
	if err != nil {
		return fmt.Errorf("open store %s: %w", cfg.Store.String(), err)
	}
	m.store = store

	// A private registry, not the global one: each Main (tests run
	// several) has its own metrics. Runtime and process metrics are added
	// here because api leaves them to the caller.
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	metrics := api.NewMetrics(reg)
	m.schemas = registry.NewSchemas(registry.Options{
		Store:                store,
		DefaultCompatibility: cfg.DefaultCompatibility,
		// The service logs with the request's context; this handler adds
		// the request and trace ids that api puts there.
		Logger:   slog.New(api.ContextLogHandler(m.logger.Handler())),
		Observer: metrics,
	})
	if pg, ok := store.(*postgres.Store); ok {
		m.followChanges(pg)
	}
	handler := api.NewHandler(api.Config{
		Schemas:          m.schemas,
		Logger:           m.logger,
		Metrics:          metrics,
		MaxBodyBytes:     cfg.MaxBodyBytes,
		IncompatibleCode: cfg.IncompatibleCode,
		Version:          version,
		Commit:           buildCommit(),
	})

	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		ReadTimeout:       cfg.ReadTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		ErrorLog:          slog.NewLogLogger(m.logger.Handler(), slog.LevelWarn),
	}

	// We listen first and Serve() afterwards instead of ListenAndServe()
	// because it lets us report listen errors synchronously, and lets tests
	// ask for ":0" and read back the port that was bound.
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", cfg.Addr)
	if err != nil {
		return err
	}
	m.server, m.listener = srv, ln
	// The goroutine gets its own copies: Close may run before it starts.
	serveErr := make(chan error, 1)
	m.serveErr = serveErr
	go func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			serveErr <- err
		}
	}()
	m.logger.Info("charter listening",
		"addr", ln.Addr().String(), "store", cfg.Store.String(),
		"version", version, "commit", buildCommit())
	return nil
}

// Addr returns the bound listen address; valid after Run.
func (m *Main) Addr() net.Addr { return m.listener.Addr() }

// URL returns the server's base URL on loopback; valid after Run.
func (m *Main) URL() string {
	addr := m.listener.Addr().(*net.TCPAddr)
	host := addr.IP.String()
	if addr.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, fmt.Sprint(addr.Port))
}

// Close shuts the server down gracefully: it stops accepting connections,
// waits up to Config.ShutdownTimeout for in-flight requests to finish,
// closes what is still open after that, and then closes the store. It is
// safe to call after a failed Run and more than once.
func (m *Main) Close() error {
	var errs []error
	if m.server != nil {
		start := time.Now()
		m.logger.Info("shutting down", "timeout", m.Config.ShutdownTimeout.String())
		ctx, cancel := context.WithTimeout(context.Background(), m.Config.ShutdownTimeout)
		err := m.server.Shutdown(ctx)
		cancel()
		if err != nil {
			// Requests still running past the deadline are cut off.
			errs = append(errs, fmt.Errorf("graceful shutdown: %w", err))
			if cerr := m.server.Close(); cerr != nil {
				errs = append(errs, cerr)
			}
		}
		// Serve closes the listener, but only once it has started; close
		// it here too so the port is free when Close returns.
		_ = m.listener.Close()
		m.logger.Info("server stopped", "took", time.Since(start).String())
		m.server = nil
	}
	if m.stopFeed != nil {
		m.stopFeed()
		<-m.feedDone
		m.stopFeed = nil
	}
	if m.store != nil {
		if err := m.store.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close store: %w", err))
		}
		m.store = nil
	}
	return errors.Join(errs...)
}

func (m *Main) stderr() io.Writer {
	if m.Stderr == nil {
		return os.Stderr
	}
	return m.Stderr
}

func newLogger(w io.Writer, cfg Config) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// followChanges keeps this node's caches coherent with the other nodes
// sharing the PostgreSQL database: every change another node commits
// arrives through LISTEN/NOTIFY (with a poll of the change log as a safety
// net, replaying what a reconnect missed) and drops the cached reads it
// makes stale.
func (m *Main) followChanges(pg *postgres.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	m.stopFeed, m.feedDone = cancel, make(chan struct{})
	go m.pruneChanges(ctx, pg)
	go func() {
		defer close(m.feedDone)
		err := pg.Listen(ctx, func(c postgres.Change) {
			m.schemas.Invalidate(changeKind(c.Kind), c.Subject)
		})
		if err != nil && ctx.Err() == nil {
			m.logger.Error("change feed stopped; caches will not see other nodes' writes", "err", err)
		}
	}()
}

// changeRetention is how long the change log keeps entries: far longer than
// any outage a node would recover from by replaying the log.
const changeRetention = 24 * time.Hour

// pruneChanges trims the shared change log every hour. Every node does it;
// the deletes are idempotent.
func (m *Main) pruneChanges(ctx context.Context, pg *postgres.Store) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := pg.PruneChanges(ctx, time.Now().Add(-changeRetention)); err != nil {
				m.logger.Warn("pruning the change log failed", "err", err)
			} else if n > 0 {
				m.logger.Debug("pruned the change log", "entries", n)
			}
		}
	}
}

// changeKind maps the store's change log kinds to the registry's.
func changeKind(k string) registry.ChangeKind {
	switch k {
	case postgres.ChangeVersion:
		return registry.ChangedVersions
	case postgres.ChangeDelete:
		return registry.ChangedDeleted
	case postgres.ChangeConfig:
		return registry.ChangedConfig
	case postgres.ChangeMode:
		return registry.ChangedMode
	}
	// Unknown kinds (a newer node's) are treated as the broadest change.
	return registry.ChangedDeleted
}

// openStore picks the adapter by the store URL's scheme. This is a plain
// switch on purpose: adding a backend means adding a case here, not
// registering a driver from an init function.
func openStore(ctx context.Context, cfg Config) (registry.Store, error) {
	spec := cfg.Store
	switch spec.Kind {
	case StorePostgres:
		return postgres.Open(ctx, spec.URL, postgres.Options{
			MaxConns:         int32(cfg.PGMaxConns),
			ConnectTimeout:   cfg.PGConnectTimeout,
			StatementTimeout: cfg.PGStatementTimeout,
		})
	case StoreMemory:
		return inmem.New(), nil
	case StoreSQLite:
		if err := os.MkdirAll(filepath.Dir(spec.Path), 0o750); err != nil {
			return nil, err
		}
		st, err := sqlite.Open(spec.Path)
		if err != nil {
			return nil, err
		}
		return st, nil
	}
	return nil, fmt.Errorf("unknown store kind %q", spec.Kind)
}
