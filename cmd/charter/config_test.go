package main

import (
	"errors"
	"flag"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/charterhq/charter/registry"
)

func TestLoadConfig(t *testing.T) {
	t.Parallel()
	def := DefaultConfig()
	with := func(f func(c *Config)) Config {
		c := DefaultConfig()
		f(&c)
		return c
	}
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		want    Config
		wantErr string // substring; "" means success
	}{
		{name: "ok_defaults", want: def},
		{
			name: "ok_env_overrides_defaults",
			env: map[string]string{
				"CHARTER_ADDR":                    "127.0.0.1:9000",
				"CHARTER_STORE":                   "memory:",
				"CHARTER_LOG_LEVEL":               "debug",
				"CHARTER_LOG_FORMAT":              "TEXT",
				"CHARTER_MAX_BODY_BYTES":          "1024",
				"CHARTER_INCOMPATIBLE_ERROR_CODE": "40901",
				"CHARTER_DEFAULT_COMPATIBILITY":   "full_transitive",
				"CHARTER_SHUTDOWN_TIMEOUT":        "5s",
				"CHARTER_READ_HEADER_TIMEOUT":     "1s",
				"CHARTER_READ_TIMEOUT":            "2s",
				"CHARTER_WRITE_TIMEOUT":           "3s",
				"CHARTER_IDLE_TIMEOUT":            "4s",
				"CHARTER_PG_MAX_CONNS":            "3",
				"CHARTER_PG_CONNECT_TIMEOUT":      "6s",
				"CHARTER_PG_STATEMENT_TIMEOUT":    "7s",
			},
			want: Config{
				Addr:                 "127.0.0.1:9000",
				Store:                StoreSpec{Kind: StoreMemory},
				LogLevel:             slog.LevelDebug,
				LogFormat:            "text",
				MaxBodyBytes:         1024,
				IncompatibleCode:     40901,
				DefaultCompatibility: registry.CompatFullTransitive,
				ShutdownTimeout:      5 * time.Second,
				ReadHeaderTimeout:    time.Second,
				ReadTimeout:          2 * time.Second,
				WriteTimeout:         3 * time.Second,
				IdleTimeout:          4 * time.Second,
				PGMaxConns:           3,
				PGConnectTimeout:     6 * time.Second,
				PGStatementTimeout:   7 * time.Second,
			},
		},
		{
			name: "ok_flags_override_env",
			args: []string{"--addr", ":1", "-store=sqlite:///var/lib/charter/x.db", "--log-level=warn", "--incompatible-error-code", "409"},
			env: map[string]string{
				"CHARTER_ADDR":                    ":2",
				"CHARTER_STORE":                   "memory:",
				"CHARTER_LOG_LEVEL":               "debug",
				"CHARTER_INCOMPATIBLE_ERROR_CODE": "40901",
				"CHARTER_IDLE_TIMEOUT":            "7s",
			},
			want: with(func(c *Config) {
				c.Addr = ":1"
				c.Store = StoreSpec{Kind: StoreSQLite, Path: "/var/lib/charter/x.db"}
				c.LogLevel = slog.LevelWarn
				c.IdleTimeout = 7 * time.Second // from env: no flag given
			}),
		},
		{
			name: "ok_empty_env_is_unset",
			env:  map[string]string{"CHARTER_ADDR": "", "CHARTER_MAX_BODY_BYTES": "  "},
			want: def,
		},
		{
			name: "ok_relative_sqlite_path",
			args: []string{"--store", "sqlite://./data/c.db"},
			want: with(func(c *Config) { c.Store = StoreSpec{Kind: StoreSQLite, Path: "./data/c.db"} }),
		},
		{
			name: "ok_unrelated_env_ignored",
			env:  map[string]string{"ADDR": ":1", "CHARTER_UNKNOWN": "x"},
			want: def,
		},
		{
			name: "ok_postgres_url",
			args: []string{"--store", "postgres://u:secret@h:5432/db?sslmode=disable", "--pg-max-conns", "20"},
			want: with(func(c *Config) {
				c.Store = StoreSpec{Kind: StorePostgres, URL: "postgres://u:secret@h:5432/db?sslmode=disable"}
				c.PGMaxConns = 20
			}),
		},
		{name: "fail_postgres_no_host", env: map[string]string{"CHARTER_STORE": "postgresql://"}, wantErr: "CHARTER_STORE"},
		{name: "fail_pg_max_conns", args: []string{"--pg-max-conns", "0"}, wantErr: "pg-max-conns"},
		{name: "fail_unknown_scheme", args: []string{"--store", "mysql://x"}, wantErr: "unknown store scheme"},
		{name: "fail_store_no_scheme", args: []string{"--store", "charter.db"}, wantErr: "sqlite:///"},
		{name: "fail_sqlite_no_path", args: []string{"--store", "sqlite://"}, wantErr: "no file path"},
		{name: "fail_memory_with_path", args: []string{"--store", "memory://x"}, wantErr: "takes no path"},
		{name: "fail_incompatible_code", args: []string{"--incompatible-error-code", "40900"}, wantErr: "409 or 40901"},
		{name: "fail_incompatible_code_env", env: map[string]string{"CHARTER_INCOMPATIBLE_ERROR_CODE": "500"}, wantErr: "CHARTER_INCOMPATIBLE_ERROR_CODE"},
		{name: "fail_compat_level", args: []string{"--default-compatibility", "SIDEWAYS"}, wantErr: "BACKWARD"},
		{name: "fail_log_level", env: map[string]string{"CHARTER_LOG_LEVEL": "loud"}, wantErr: "CHARTER_LOG_LEVEL"},
		{name: "fail_log_format", args: []string{"--log-format", "xml"}, wantErr: "json or text"},
		{name: "fail_body_bytes_zero", args: []string{"--max-body-bytes", "0"}, wantErr: "positive"},
		{name: "fail_body_bytes_text", env: map[string]string{"CHARTER_MAX_BODY_BYTES": "16MB"}, wantErr: "positive"},
		{name: "fail_duration", args: []string{"--shutdown-timeout", "30"}, wantErr: "duration"},
		{name: "fail_duration_negative", env: map[string]string{"CHARTER_WRITE_TIMEOUT": "-1s"}, wantErr: "positive"},
		{name: "fail_unknown_flag", args: []string{"--port", "8081"}, wantErr: "not defined"},
		{name: "fail_positional", args: []string{"extra"}, wantErr: "unexpected argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := LoadConfig(tt.args, mapEnv(tt.env), io.Discard)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("config mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadConfig_Help(t *testing.T) {
	t.Parallel()
	var out strings.Builder
	_, err := LoadConfig([]string{"-h"}, mapEnv(map[string]string{"CHARTER_ADDR": ":9"}), &out)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("err = %v, want flag.ErrHelp", err)
	}
	// Every setting appears with its environment variable, and the
	// defaults shown are the built-in ones, not the environment's.
	for _, s := range settings() {
		if !strings.Contains(out.String(), "-"+s.flag) || !strings.Contains(out.String(), s.env) {
			t.Errorf("help lacks -%s / %s", s.flag, s.env)
		}
	}
	if !strings.Contains(out.String(), "(default :8081)") {
		t.Errorf("help does not show the built-in default address:\n%s", out.String())
	}
}

func TestRun_ExitCodes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want int
		out  string // substring of stdout+stderr
	}{
		{nil, exitUsage, "Usage: charter"},
		{[]string{"frobnicate"}, exitUsage, `unknown command "frobnicate"`},
		{[]string{"help"}, exitOK, "serve"},
		{[]string{"version"}, exitOK, "charter " + version},
		{[]string{"--version"}, exitOK, "commit "},
		{[]string{"version", "extra"}, exitUsage, "Usage: charter version"},
		{[]string{"serve", "--incompatible-error-code", "1"}, exitUsage, "409 or 40901"},
		{[]string{"serve", "-h"}, exitOK, "CHARTER_STORE"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, "_"), func(t *testing.T) {
			t.Parallel()
			var out strings.Builder
			got := Run(t.Context(), tt.args, Stdio{Stdout: &out, Stderr: &out, Getenv: mapEnv(nil)}, nil)
			if got != tt.want || !strings.Contains(out.String(), tt.out) {
				t.Errorf("Run(%q) = %d, output %q; want %d and output containing %q", tt.args, got, out.String(), tt.want, tt.out)
			}
		})
	}
}

func mapEnv(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestStoreSpecRedactsPassword(t *testing.T) {
	s := StoreSpec{Kind: StorePostgres, URL: "postgres://charter:hunter2@db:5432/charter"}
	if got := s.String(); strings.Contains(got, "hunter2") {
		t.Fatalf("String() = %q leaks the password", got)
	}
}
