package validate_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/cimd-dev/cimd/validate"
)

// BenchmarkCheckProfiles measures validate.Check alone and followed by
// validate.Compatibility over every server profile, on the typical and the
// 5 KB document: the profiles may cost at most 20% more per document.
func BenchmarkCheckProfiles(b *testing.B) {
	opts := validate.Options{Profile: validate.ProfileMCP}
	compat := validate.CompatOptions{Servers: validate.ServerNames()}
	for _, d := range []struct {
		name string
		doc  []byte
	}{{"typical", []byte(benchDoc)}, {"large", largeDoc(b)}} {
		b.Run(d.name+"/without", func(b *testing.B) {
			b.SetBytes(int64(len(d.doc)))
			b.ReportAllocs()
			for b.Loop() {
				validate.Check(benchURL, d.doc, opts)
			}
		})
		b.Run(d.name+"/with", func(b *testing.B) {
			_, doc := validate.Check(benchURL, d.doc, opts)
			// Loopback redirects: pingfederate refuses them, and its
			// findings are part of the cost.
			if rs := validate.Compatibility(benchURL, doc, compat); rs.Len() != len(compat.Servers) {
				b.Fatalf("Compatibility gave %d results; want %d", rs.Len(), len(compat.Servers))
			}
			b.SetBytes(int64(len(d.doc)))
			b.ReportAllocs()
			for b.Loop() {
				_, doc := validate.Check(benchURL, d.doc, opts)
				validate.Compatibility(benchURL, doc, compat)
			}
		})
	}
}

// BenchmarkCompatibility measures the profiles alone on the 5 KB document.
func BenchmarkCompatibility(b *testing.B) {
	_, doc := validate.Check(benchURL, largeDoc(b), validate.Options{})
	compat := validate.CompatOptions{Servers: validate.ServerNames()}
	b.ReportAllocs()
	for b.Loop() {
		validate.Compatibility(benchURL, doc, compat)
	}
}

// BenchmarkCompatibilityTypical measures the profiles alone on the typical
// document.
func BenchmarkCompatibilityTypical(b *testing.B) {
	_, doc := validate.Check(benchURL, []byte(benchDoc), validate.Options{})
	compat := validate.CompatOptions{Servers: validate.ServerNames()}
	b.ReportAllocs()
	for b.Loop() {
		validate.Compatibility(benchURL, doc, compat)
	}
}

// BenchmarkCheckAllProfilesVsUnmarshal measures the target as it
// states it: validate.Check with validate.Compatibility over every server
// profile (validate.CheckCompat, as the CLI runs them), on the 5 KB document, against json.Unmarshal of the same
// bytes. The two alternate in one loop, as in
// BenchmarkCheckLargeVsUnmarshal, so a load that comes and goes on a
// shared machine slows both alike; "x-unmarshal" is the ratio of their
// times (the target is at most 2).
func BenchmarkCheckAllProfilesVsUnmarshal(b *testing.B) {
	doc := largeDoc(b)
	opts := validate.Options{Profile: validate.ProfileMCP}
	compat := validate.CompatOptions{Servers: validate.ServerNames()}
	var check, unmarshal time.Duration
	for b.Loop() {
		t0 := time.Now()
		validate.CheckCompat(benchURL, doc, opts, compat)
		t1 := time.Now()
		var v any
		if err := json.Unmarshal(doc, &v); err != nil {
			b.Fatal(err)
		}
		check += t1.Sub(t0)
		unmarshal += time.Since(t1)
	}
	b.ReportMetric(float64(check)/float64(unmarshal), "x-unmarshal")
}

// BenchmarkProfilesOverhead measures the 20% target: validate.Check
// alone and validate.CheckCompat over every profile (Check with the
// profiles, as the CLI runs them) alternate in one loop, on the typical and
// the 5 KB document, and "x-without" is the ratio of their times (the
// target is at most 1.2). The "-separate" cases run validate.Check and then
// validate.Compatibility on the decoded map instead, as a caller without
// the body does.
func BenchmarkProfilesOverhead(b *testing.B) {
	opts := validate.Options{Profile: validate.ProfileMCP}
	compat := validate.CompatOptions{Servers: validate.ServerNames()}
	for _, d := range []struct {
		name string
		doc  []byte
	}{{"typical", []byte(benchDoc)}, {"large", largeDoc(b)}} {
		b.Run(d.name, func(b *testing.B) {
			var without, with time.Duration
			for b.Loop() {
				t0 := time.Now()
				validate.Check(benchURL, d.doc, opts)
				t1 := time.Now()
				validate.CheckCompat(benchURL, d.doc, opts, compat)
				without += t1.Sub(t0)
				with += time.Since(t1)
			}
			b.ReportMetric(float64(with)/float64(without), "x-without")
		})
		b.Run(d.name+"-separate", func(b *testing.B) {
			var without, with time.Duration
			for b.Loop() {
				t0 := time.Now()
				validate.Check(benchURL, d.doc, opts)
				t1 := time.Now()
				_, doc := validate.Check(benchURL, d.doc, opts)
				validate.Compatibility(benchURL, doc, compat)
				without += t1.Sub(t0)
				with += time.Since(t1)
			}
			b.ReportMetric(float64(with)/float64(without), "x-without")
		})
	}
}
