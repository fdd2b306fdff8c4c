package validate

import (
	"strings"
	"testing"
)

func TestDrift(t *testing.T) {
	local := `{"client_id": "https://a.example/c.json", "client_name": "A", "redirect_uris": ["https://a.example/cb"], "scope": "read"}`
	tests := []struct {
		name string
		live string
		want []string // message parts; nil: no drift
	}{
		{"same bytes", local, nil},
		{"reformatted and reordered", "{\n  \"scope\": \"read\",\n  \"redirect_uris\": [ \"https://a.example/cb\" ],\n  \"client_name\": \"\\u0041\",\n  \"client_id\": \"https://a.example/c.json\"\n}\n", nil},
		{"nothing fetched", "", nil},
		{"changed", `{"client_id": "https://a.example/c.json", "client_name": "B", "redirect_uris": ["https://a.example/cb", "https://a.example/cb2"], "scope": "read"}`,
			[]string{"changed: client_name, redirect_uris"}},
		{"added and removed", `{"client_id": "https://a.example/c.json", "client_name": "A", "redirect_uris": ["https://a.example/cb"], "logo_uri": "https://a.example/l.png", "contacts": []}`,
			[]string{"only live: contacts, logo_uri", "only local: scope"}},
		{"not an object", `[1, 2]`, []string{"not the same JSON value"}},
		{"not JSON", `<html>`, []string{"not JSON"}},
		{"two values", local + ` {}`, []string{"not JSON"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := Drift([]byte(tt.live), []byte(local))
			if tt.want == nil {
				if f != nil {
					t.Errorf("Drift(%s) = %+v; want nil", tt.name, f)
				}
				return
			}
			if f == nil || f.Rule != "live-drift" || f.Severity != Error {
				t.Fatalf("Drift(%s) = %+v; want an error live-drift", tt.name, f)
			}
			for _, p := range tt.want {
				if !strings.Contains(f.Message, p) {
					t.Errorf("Drift(%s) message %q; want it to contain %q", tt.name, f.Message, p)
				}
			}
		})
	}
}

// TestDriftNumbers checks that numbers are compared as JSON numbers: one a
// float64 cannot hold is not "not JSON", and the same value spelled another
// way is no drift.
func TestDriftNumbers(t *testing.T) {
	local := `{"default_max_age": 3600, "x": 1e999999}`
	if f := Drift([]byte(`{"default_max_age": 3.6e3, "x": 1e999999}`), []byte(local)); f != nil {
		t.Errorf("Drift(same numbers) = %+v; want nil", f)
	}
	f := Drift([]byte(`{"default_max_age": 3600, "x": 2e999999}`), []byte(local))
	if f == nil || !strings.Contains(f.Message, "changed: x") {
		t.Errorf("Drift(x changed) = %+v; want live-drift naming x", f)
	}
}

// TestDriftImpact: the drift message says what publishing the local build
// does to users, most harmful first.
func TestDriftImpact(t *testing.T) {
	live := `{"client_name": "A", "redirect_uris": ["https://a/cb", "https://a/cb2"]}`
	local := `{"client_name": "B", "redirect_uris": ["https://a/cb2"]}`
	f := Drift([]byte(live), []byte(local))
	want := "for users: redirect URI removed https://a/cb; name or logo changed (client_name) (run cimd publish --dry-run for what each does)"
	if f == nil || !strings.Contains(f.Message, want) {
		t.Errorf("Drift = %+v; want a message containing %q", f, want)
	}
}
