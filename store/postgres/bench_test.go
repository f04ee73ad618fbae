package postgres_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/charterhq/charter/registry"
	"github.com/charterhq/charter/store/storetest"
)

// BenchmarkInsertVersion commits one schema and one version per Update,
// taking the locks and logging the change as a registration does.
func BenchmarkInsertVersion(b *testing.B) {
	s, _ := MustOpen(b)
	ctx := b.Context()
	var id registry.SchemaID
	now := time.Now()
	for b.Loop() {
		id++
		sc := storetest.NewSchema(id, fmt.Sprintf(`{"type":"record","name":"R%d","fields":[]}`, id))
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
}

// BenchmarkSchemaByID reads one schema in a View (BEGIN, SELECT,
// ROLLBACK).
func BenchmarkSchemaByID(b *testing.B) {
	s, _ := MustOpen(b)
	const n = 1000
	storetest.MustUpdate(b, s, func(tx registry.Tx) error {
		for i := range n {
			id := registry.SchemaID(i + 1)
			text := fmt.Sprintf(`{"type":"record","name":"R%d","fields":[{"name":"a","type":"string"}]}`, id)
			if err := tx.InsertSchema(registry.DefaultContext, storetest.NewSchema(id, text)); err != nil {
				return err
			}
		}
		return nil
	})
	ctx := b.Context()
	var id registry.SchemaID
	for b.Loop() {
		id = id%n + 1
		err := s.View(ctx, func(tx registry.Tx) error {
			_, err := tx.SchemaByID(registry.DefaultContext, id)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSchemaByID_Parallel is the same from GOMAXPROCS goroutines
// through the pool.
func BenchmarkSchemaByID_Parallel(b *testing.B) {
	s, _ := MustOpen(b)
	storetest.MustUpdate(b, s, func(tx registry.Tx) error {
		return tx.InsertSchema(registry.DefaultContext, storetest.NewSchema(1, `"string"`))
	})
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			err := s.View(b.Context(), func(tx registry.Tx) error {
				_, err := tx.SchemaByID(registry.DefaultContext, 1)
				return err
			})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
}
