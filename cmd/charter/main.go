// Command charter is the Charter schema registry: `charter serve` runs the
// server, and the other subcommands are small clients and utilities.
//
// Each subcommand lives in its own file and is listed once in [commands].
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	// SIGINT and SIGTERM cancel ctx; `charter serve` then shuts down
	// gracefully. A second signal kills the process the usual way, because
	// stop restores the default handlers.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Run(ctx, os.Args[1:], Stdio{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}, stop)
	stop()
	os.Exit(code)
}
