package keys

import "testing"

// The start-up cost of 'cimd keys generate' and 'cimd assert' is mostly
// these: run with go test ./keys/ -bench . -run '^$'.

func BenchmarkGenerate(b *testing.B) {
	for _, alg := range Algs {
		b.Run(string(alg), func(b *testing.B) {
			for b.Loop() {
				if _, err := Generate(alg, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkAssert(b *testing.B) {
	for _, alg := range Algs {
		b.Run(string(alg), func(b *testing.B) {
			k, err := Generate(alg, nil)
			if err != nil {
				b.Fatal(err)
			}
			s, err := newKeySigner(k, "")
			if err != nil {
				b.Fatal(err)
			}
			c := Claims{ClientID: "https://app.example.com/oauth/client.json", Audience: "https://as.example.com/token"}
			for b.Loop() {
				if _, err := Assert(s, c); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
