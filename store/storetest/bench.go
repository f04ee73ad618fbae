package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/charterhq/charter/registry"
)

// Bench runs the store benchmarks every adapter shares, each on a fresh
// store from newStore:
//
//   - InsertVersion: one Update inserting a schema and a version, the
//     write of a registration;
//   - SchemaByID: one View reading one of 1,000 schemas;
//   - SchemaByID_Parallel: the same read from GOMAXPROCS goroutines.
//
// Each adapter's test file has one line:
// func BenchmarkStore(b *testing.B) { storetest.Bench(b, newStore) }.
func Bench(b *testing.B, newStore func(b *testing.B) registry.Store) {
	b.Run("InsertVersion", func(b *testing.B) {
		s := newStore(b)
		ctx := b.Context()
		var id registry.SchemaID
		now := time.Now()
		for b.Loop() {
			id++
			sc := NewSchema(id, fmt.Sprintf(`{"type":"record","name":"R%d","fields":[]}`, id))
			err := s.Update(ctx, func(tx registry.Tx) error {
				if err := tx.InsertSchema(registry.DefaultContext, sc); err != nil {
					return err
				}
				return tx.InsertVersion(registry.SubjectVersion{Subject: "bench-value", Version: registry.Version(id),
					SchemaID: id, CreatedAt: now})
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	const n = 1000
	seed := func(b *testing.B) registry.Store {
		s := newStore(b)
		MustUpdate(b, s, func(tx registry.Tx) error {
			for i := range n {
				id := registry.SchemaID(i + 1)
				text := fmt.Sprintf(`{"type":"record","name":"R%d","fields":[{"name":"a","type":"string"}]}`, id)
				if err := tx.InsertSchema(registry.DefaultContext, NewSchema(id, text)); err != nil {
					return err
				}
			}
			return nil
		})
		return s
	}
	read := func(b *testing.B, s registry.Store, id registry.SchemaID) error {
		return s.View(b.Context(), func(tx registry.Tx) error {
			_, err := tx.SchemaByID(registry.DefaultContext, id)
			return err
		})
	}
	b.Run("SchemaByID", func(b *testing.B) {
		s := seed(b)
		var id registry.SchemaID
		for b.Loop() {
			id = id%n + 1
			if err := read(b, s, id); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("SchemaByID_Parallel", func(b *testing.B) {
		s := seed(b)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := read(b, s, 1); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}
