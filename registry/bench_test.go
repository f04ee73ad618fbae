package registry_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/charterhq/charter/registry"
)

// BenchmarkRegister measures registering a new compatible version with a
// BACKWARD_TRANSITIVE check against n earlier versions.
func BenchmarkRegister(b *testing.B) {
	for _, n := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("versions=%d", n), func(b *testing.B) {
			ctx := context.Background()
			s, _ := newSchemas(b)
			s.SetConfig(ctx, "s", registry.ConfigUpdate{Compatibility: registry.Val("BACKWARD_TRANSITIVE")})
			fields := []string{}
			for i := range n {
				fields = append(fields, fmt.Sprintf(`{"name":"f%d","type":"int","default":0}`, i))
				mustRegister(b, s, "s", record("A", fields...))
			}
			// Each iteration swaps the newest optional field for another one,
			// so the schema stays the same size and stays compatible with
			// every live version (removed and added fields have defaults).
			i := n
			for b.Loop() {
				b.StopTimer()
				fields[n-1] = fmt.Sprintf(`{"name":"g%d","type":"int","default":0}`, i)
				i++
				next := record("A", fields...)
				b.StartTimer()
				if _, err := s.Register(ctx, "s", req(next)); err != nil {
					b.Fatal(err)
				}
				// Keep the history at n live versions so every iteration checks n.
				b.StopTimer()
				vs, _ := s.Versions(ctx, "s", registry.VersionsOptions{})
				if _, err := s.DeleteVersion(ctx, "s", vs[0].Version, false); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
		})
	}
}

func BenchmarkSchemaByID(b *testing.B) {
	ctx := context.Background()
	s, _ := newSchemas(b)
	ss := mustRegister(b, s, "s", record("A"))
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.SchemaByID(ctx, ss.Schema.ID, registry.IDOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
