package main

import (
	"context"
	"fmt"
	"io"
	"strings"
)

// Exit codes shared by every subcommand.
const (
	exitOK    = 0
	exitError = 1 // the command ran and failed
	exitUsage = 2 // bad command line or configuration
)

// Stdio is what a subcommand may touch of the process: its output streams
// and its environment. Nothing else in Charter reads the environment.
type Stdio struct {
	Stdout, Stderr io.Writer
	Getenv         func(string) string
}

// A command is one subcommand. To add one, write a file with a
// `var fooCommand = command{…}` and list it in commands.
type command struct {
	name    string
	summary string
	// run executes the subcommand with the arguments after its name and
	// returns the process exit code. onStop, when not nil, restores default
	// signal handling once graceful shutdown has begun.
	run func(ctx context.Context, args []string, io Stdio, onStop func()) int
}

// commands lists the subcommands in the order `charter help` shows them.
var commands = []command{
	serveCommand,
	versionCommand,
}

// Run dispatches args (without the program name) to a subcommand and
// returns the exit code.
func Run(ctx context.Context, args []string, stdio Stdio, onStop func()) int {
	if len(args) == 0 {
		usage(stdio.Stderr)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		usage(stdio.Stdout)
		return exitOK
	case "-version", "--version":
		name = "version"
	}
	for _, c := range commands {
		if c.name == name {
			return c.run(ctx, args[1:], stdio, onStop)
		}
	}
	fmt.Fprintf(stdio.Stderr, "charter: unknown command %q\n\n", name)
	usage(stdio.Stderr)
	return exitUsage
}

func usage(w io.Writer) {
	var b strings.Builder
	b.WriteString("Usage: charter <command> [flags]\n\nCommands:\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-10s %s\n", c.name, c.summary)
	}
	b.WriteString("\nRun 'charter <command> -h' for a command's flags.\n")
	_, _ = io.WriteString(w, b.String())
}
