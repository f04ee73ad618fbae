package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/charterhq/charter/registry"
)

// Config holds every setting of `charter serve`. LoadConfig fills it from
// defaults, then the environment, then flags; tests build one with
// DefaultConfig and change fields directly.
type Config struct {
	Addr  string    // listen address, e.g. ":8081" or "127.0.0.1:0"
	Store StoreSpec // where schemas are kept

	LogLevel  slog.Level
	LogFormat string // "json" or "text"

	MaxBodyBytes         int64
	IncompatibleCode     int // 409 (legacy, default) or 40901
	DefaultCompatibility registry.Compatibility

	// PostgreSQL pool and timeouts (used with a postgres:// store).
	PGMaxConns         int
	PGConnectTimeout   time.Duration
	PGStatementTimeout time.Duration

	ShutdownTimeout   time.Duration
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
}

// DefaultConfig returns the built-in defaults, the lowest layer of
// precedence.
func DefaultConfig() Config {
	return Config{
		Addr:                 ":8081",
		Store:                StoreSpec{Kind: StoreSQLite, Path: "./charter-data/charter.db"},
		LogLevel:             slog.LevelInfo,
		LogFormat:            "json",
		MaxBodyBytes:         16 << 20,
		IncompatibleCode:     409,
		DefaultCompatibility: registry.CompatBackward,
		PGMaxConns:           10,
		PGConnectTimeout:     5 * time.Second,
		PGStatementTimeout:   10 * time.Second,
		ShutdownTimeout:      30 * time.Second,
		ReadHeaderTimeout:    10 * time.Second,
		ReadTimeout:          30 * time.Second,
		WriteTimeout:         30 * time.Second,
		IdleTimeout:          120 * time.Second,
	}
}

// A setting ties one Config field to its flag and environment variable.
// The table in settings is the single place that lists them, so the flag
// help, the README's configuration table and the environment lookup cannot
// drift apart.
type setting struct {
	flag  string
	env   string
	usage string
	value func(c *Config) flag.Value
}

func settings() []setting {
	return []setting{
		{"addr", "CHARTER_ADDR", "`host:port` to listen on",
			func(c *Config) flag.Value { return (*stringValue)(&c.Addr) }},
		{"store", "CHARTER_STORE", "store `URL`: sqlite://REL/PATH, sqlite:///ABS/PATH, postgres://… or memory:",
			func(c *Config) flag.Value { return &c.Store }},
		{"log-level", "CHARTER_LOG_LEVEL", "log `level`: debug, info, warn or error (default info)",
			func(c *Config) flag.Value { return (*levelValue)(&c.LogLevel) }},
		{"log-format", "CHARTER_LOG_FORMAT", "log `format`: json or text",
			func(c *Config) flag.Value { return (*logFormatValue)(&c.LogFormat) }},
		{"max-body-bytes", "CHARTER_MAX_BODY_BYTES", "largest request body accepted, in `bytes`",
			func(c *Config) flag.Value { return (*sizeValue)(&c.MaxBodyBytes) }},
		{"incompatible-error-code", "CHARTER_INCOMPATIBLE_ERROR_CODE",
			"`error_code` of an incompatible-schema answer: 409 (what clients expect) or 40901 (Confluent 8.0.4+)",
			func(c *Config) flag.Value { return (*incompatibleCodeValue)(&c.IncompatibleCode) }},
		{"default-compatibility", "CHARTER_DEFAULT_COMPATIBILITY",
			"compatibility `level` used when no config sets one",
			func(c *Config) flag.Value { return (*compatValue)(&c.DefaultCompatibility) }},
		{"pg-max-conns", "CHARTER_PG_MAX_CONNS", "PostgreSQL connection pool size per node (a `number`)",
			func(c *Config) flag.Value { return (*countValue)(&c.PGMaxConns) }},
		{"pg-connect-timeout", "CHARTER_PG_CONNECT_TIMEOUT", "time allowed to get a PostgreSQL connection (a `duration`)",
			func(c *Config) flag.Value { return (*durationValue)(&c.PGConnectTimeout) }},
		{"pg-statement-timeout", "CHARTER_PG_STATEMENT_TIMEOUT", "time allowed for one PostgreSQL statement (a `duration`)",
			func(c *Config) flag.Value { return (*durationValue)(&c.PGStatementTimeout) }},
		{"shutdown-timeout", "CHARTER_SHUTDOWN_TIMEOUT", "how long a graceful shutdown waits for in-flight requests (a `duration`)",
			func(c *Config) flag.Value { return (*durationValue)(&c.ShutdownTimeout) }},
		{"read-header-timeout", "CHARTER_READ_HEADER_TIMEOUT", "time allowed to read request headers (a `duration`)",
			func(c *Config) flag.Value { return (*durationValue)(&c.ReadHeaderTimeout) }},
		{"read-timeout", "CHARTER_READ_TIMEOUT", "time allowed to read a whole request (a `duration`)",
			func(c *Config) flag.Value { return (*durationValue)(&c.ReadTimeout) }},
		{"write-timeout", "CHARTER_WRITE_TIMEOUT", "time allowed to write a response (a `duration`)",
			func(c *Config) flag.Value { return (*durationValue)(&c.WriteTimeout) }},
		{"idle-timeout", "CHARTER_IDLE_TIMEOUT", "how long an idle keep-alive connection stays open (a `duration`)",
			func(c *Config) flag.Value { return (*durationValue)(&c.IdleTimeout) }},
	}
}

// LoadConfig builds the serve configuration. Precedence, lowest first:
// built-in defaults, environment variables (read through getenv, so tests
// pass a map), command-line flags. Usage and errors go to output. It
// returns flag.ErrHelp when -h or --help was asked for.
func LoadConfig(args []string, getenv func(string) string, output io.Writer) (Config, error) {
	cfg := DefaultConfig()
	fs := flag.NewFlagSet("charter serve", flag.ContinueOnError)
	// The flag package prints parse errors and the whole usage text to its
	// output; we return the error instead and show usage only for -h.
	fs.SetOutput(io.Discard)
	list := settings()
	for _, s := range list {
		fs.Var(s.value(&cfg), s.flag, fmt.Sprintf("%s (env %s)", s.usage, s.env))
	}
	fs.Usage = func() {}

	// Flags are defined before the environment is applied, so -h shows the
	// built-in defaults rather than the environment's values.
	for _, s := range list {
		v, ok := lookup(getenv, s.env)
		if !ok {
			continue
		}
		if err := s.value(&cfg).Set(v); err != nil {
			return cfg, fmt.Errorf("invalid %s=%q: %w", s.env, v, err)
		}
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(output, "Usage: charter serve [flags]\n\nRuns the schema registry server.\n"+
				"Flags override environment variables, which override defaults.\n\n")
			fs.SetOutput(output)
			fs.PrintDefaults()
		}
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return cfg, nil
}

// lookup treats an empty variable as unset, as most shells and container
// runtimes make "FOO=" and no FOO hard to tell apart.
func lookup(getenv func(string) string, name string) (string, bool) {
	if getenv == nil {
		return "", false
	}
	v := strings.TrimSpace(getenv(name))
	return v, v != ""
}

// StoreKind names a store adapter.
type StoreKind string

// The store adapters cmd knows how to open.
const (
	StoreSQLite   StoreKind = "sqlite"
	StoreMemory   StoreKind = "memory"
	StorePostgres StoreKind = "postgres"
)

// StoreSpec is a parsed store URL. It implements flag.Value.
type StoreSpec struct {
	Kind StoreKind
	Path string // SQLite database file
	URL  string // PostgreSQL connection URL, as given
}

// ParseStoreURL parses sqlite://PATH (relative: sqlite://./data/x.db,
// absolute: sqlite:///data/x.db) and memory:.
func ParseStoreURL(raw string) (StoreSpec, error) {
	scheme, rest, ok := strings.Cut(raw, ":")
	if !ok {
		return StoreSpec{}, errors.New("want a URL such as sqlite:///data/charter.db, sqlite://./charter.db or memory")
	}
	switch strings.ToLower(scheme) {
	case "memory":
		if rest != "" && rest != "//" {
			return StoreSpec{}, errors.New("memory: takes no path")
		}
		return StoreSpec{Kind: StoreMemory}, nil
	case "sqlite", "sqlite3":
		path := strings.TrimPrefix(rest, "//")
		if path == "" {
			return StoreSpec{}, errors.New("sqlite URL has no file path (want sqlite://./dir/file.db or sqlite:///abs/file.db)")
		}
		if strings.ContainsAny(path, "?#") {
			return StoreSpec{}, errors.New("sqlite URL takes no query or fragment")
		}
		return StoreSpec{Kind: StoreSQLite, Path: path}, nil
	case "postgres", "postgresql":
		if strings.TrimPrefix(rest, "//") == "" {
			return StoreSpec{}, errors.New("postgres URL has no host (want postgres://user@host:5432/db)")
		}
		return StoreSpec{Kind: StorePostgres, URL: raw}, nil
	}
	return StoreSpec{}, fmt.Errorf("unknown store scheme %q (want sqlite, postgres or memory)", scheme)
}

// String returns the URL form.
func (s *StoreSpec) String() string {
	switch s.Kind {
	case StoreMemory:
		return "memory:"
	case StoreSQLite:
		return "sqlite://" + s.Path
	case StorePostgres:
		return redactURL(s.URL)
	}
	return ""
}

// redactURL hides a password in a connection URL, for logs.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "postgres://…"
	}
	return u.Redacted()
}

// Set parses a store URL.
func (s *StoreSpec) Set(v string) error {
	spec, err := ParseStoreURL(strings.TrimSpace(v))
	if err != nil {
		return err
	}
	*s = spec
	return nil
}

// The flag.Value types below validate as they parse, so a bad value fails
// the same way whether it came from a flag or the environment.

type stringValue string

func (v *stringValue) String() string { return string(*v) }
func (v *stringValue) Set(s string) error {
	*v = stringValue(s)
	return nil
}

type durationValue time.Duration

func (v *durationValue) String() string { return time.Duration(*v).String() }
func (v *durationValue) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		return errors.New("want a duration such as 30s or 2m")
	}
	if d <= 0 {
		return errors.New("must be positive")
	}
	*v = durationValue(d)
	return nil
}

type countValue int

func (v *countValue) String() string { return strconv.Itoa(int(*v)) }
func (v *countValue) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 || n > 10000 {
		return errors.New("want a positive whole number")
	}
	*v = countValue(n)
	return nil
}

type sizeValue int64

func (v *sizeValue) String() string { return strconv.FormatInt(int64(*v), 10) }
func (v *sizeValue) Set(s string) error {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return errors.New("want a positive number of bytes")
	}
	*v = sizeValue(n)
	return nil
}

type incompatibleCodeValue int

func (v *incompatibleCodeValue) String() string { return strconv.Itoa(int(*v)) }
func (v *incompatibleCodeValue) Set(s string) error {
	switch s {
	case "409":
		*v = 409
	case "40901":
		*v = 40901
	default:
		return errors.New("want 409 or 40901")
	}
	return nil
}

type compatValue registry.Compatibility

func (v *compatValue) String() string { return string(*v) }
func (v *compatValue) Set(s string) error {
	c, err := registry.ParseCompatibility(s)
	if err != nil {
		return errors.New("want one of NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, " +
			"FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE")
	}
	*v = compatValue(c)
	return nil
}

type levelValue slog.Level

func (v *levelValue) String() string { return slog.Level(*v).String() }
func (v *levelValue) Set(s string) error {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return errors.New("want debug, info, warn or error")
	}
	*v = levelValue(l)
	return nil
}

type logFormatValue string

func (v *logFormatValue) String() string { return string(*v) }
func (v *logFormatValue) Set(s string) error {
	switch f := strings.ToLower(s); f {
	case "json", "text":
		*v = logFormatValue(f)
		return nil
	}
	return errors.New("want json or text")
}
