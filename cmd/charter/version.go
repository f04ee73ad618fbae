package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

// version is set at release build time:
//
//	go build -ldflags "-X main.version=v1.2.3" ./cmd/charter
var version = "dev"

// commit may be set the same way (-X main.commit=…) where the build has
// no VCS information, as in the Docker build; otherwise it comes from the
// revision the Go toolchain stamps into the binary.
var commit = ""

var versionCommand = command{
	name:    "version",
	summary: "print the version and VCS revision",
	run: func(_ context.Context, args []string, stdio Stdio, _ func()) int {
		if len(args) > 0 {
			fmt.Fprintln(stdio.Stderr, "Usage: charter version")
			return exitUsage
		}
		fmt.Fprintf(stdio.Stdout, "charter %s\ncommit %s\n%s %s/%s\n",
			version, buildCommit(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
		return exitOK
	},
}

// buildCommit returns the VCS revision of this build: -X main.commit if
// set, else the toolchain's vcs.revision (with "-dirty" for a modified work
// tree), else "unknown" (e.g. built with -buildvcs=false).
func buildCommit() string {
	if commit != "" {
		return commit
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	var rev string
	var dirty bool
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return "unknown"
	}
	if dirty {
		rev += "-dirty"
	}
	return rev
}
