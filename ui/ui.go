// Package ui serves Charter's web interface: server-rendered pages
// (html/template, embedded with go:embed) for browsing subjects, versions,
// compatibility settings and, later, contracts.
//
// The handler is mounted by cmd under /ui and passed to the API handler as
// api.Config.UI, so package api never imports ui. Pages read through
// registry.Schemas only.
//
// This package is a placeholder: the pages arrive with the UI issue.
package ui
