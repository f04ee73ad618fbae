package postgres_test

import (
	"testing"

	"github.com/charterhq/charter/registry"
	"github.com/charterhq/charter/store/storetest"
)

// BenchmarkStore runs the shared store benchmarks on a fresh database
// (registrations take the locks and log the change as in production).
func BenchmarkStore(b *testing.B) {
	storetest.Bench(b, func(b *testing.B) registry.Store { s, _ := MustOpen(b); return s })
}
