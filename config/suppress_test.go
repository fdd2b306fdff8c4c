package config

import (
	"strings"
	"testing"
	"time"
)

func TestSuppressions(t *testing.T) {
	f, err := load(t, base+`
[[suppress]]
rule = "redirect-loopback-portless"
field = "redirect_uris"
reason = "the CLI binds a random port; every server we use follows RFC 8252"
expires = 2099-12-31

[[suppress]]
rule = "url-length"
reason = "the path is fixed by the platform"
expires = 2020-01-01
`)
	if err != nil {
		t.Fatal(err)
	}
	got := f.Suppressions()
	if len(got) != 2 {
		t.Fatalf("Suppressions() = %d entries; want 2", len(got))
	}
	s := got[0]
	if s.Rule != "redirect-loopback-portless" || s.Field != "redirect_uris" || s.Line != 7 || s.RuleLine != 8 || s.Key != "suppress[0]" {
		t.Errorf("first entry = %+v; want rule redirect-loopback-portless, field redirect_uris, lines 7 and 8, key suppress[0]", s)
	}
	if got[1].Line != 13 || got[1].RuleLine != 14 || got[1].Key != "suppress[1]" {
		t.Errorf("second entry at %d (rule %d, key %s); want 13, 14, suppress[1]", got[1].Line, got[1].RuleLine, got[1].Key)
	}
	now := time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC)
	if s.Expired(now) || !got[1].Expired(now) {
		t.Errorf("Expired(%s) = %v, %v; want false, true", now, s.Expired(now), got[1].Expired(now))
	}
	// The day of expires is the first day it no longer applies.
	day := Suppression{Expires: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	if !day.Expired(now) || day.Expired(now.AddDate(0, 0, -1)) {
		t.Errorf("an entry expiring 2026-12-01: Expired on that day = %v, the day before = %v; want true, false", day.Expired(now), day.Expired(now.AddDate(0, 0, -1)))
	}
}

func TestSuppressErrors(t *testing.T) {
	tests := []struct {
		name, toml, want string
	}{
		{"no rule", "[[suppress]]\nreason = \"r\"\nexpires = 2099-01-01\n", `:7:1: suppress[0]: needs rule = "CODE"`},
		{"no reason", "[[suppress]]\nrule = \"url-length\"\nexpires = 2099-01-01\n", `:7:1: suppress[0]: needs reason`},
		{"no expires", "[[suppress]]\nrule = \"url-length\"\nreason = \"r\"\n", `:7:1: suppress[0]: needs expires = YYYY-MM-DD`},
		{"quoted date", "[[suppress]]\nrule = \"url-length\"\nreason = \"r\"\nexpires = \"2099-01-01\"\n", `:10:1: suppress[0].expires: must be a TOML date without quotes`},
		{"datetime", "[[suppress]]\nrule = \"url-length\"\nreason = \"r\"\nexpires = 2099-01-01T00:00:00Z\n", `:10:1: suppress[0].expires: must be a date such as 2027-06-30, not a date and time`},
		{"unknown key, second entry", "[[suppress]]\nrule = \"url-length\"\nreason = \"r\"\nexpires = 2099-01-01\n[[suppress]]\nrule = \"url-port\"\nreason = \"r\"\nexpires = 2099-01-01\nfeild = \"x\"\n", `:15:1: suppress[1].feild: unknown key`},

		{"in an environment", "[[env.staging.suppress]]\nrule = \"url-length\"\nreason = \"r\"\nexpires = 2099-01-01\n", `:7:1: env.staging.suppress: [[suppress]] goes at the top level`},
	}
	tests = append(tests, struct{ name, toml, want string }{"not tables", "", `:1:1: suppress: must be [[suppress]] tables, not an integer`})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := base + "\n" + tt.toml
			if tt.name == "not tables" {
				src = "suppress = 1\n" + base
			}
			_, err := load(t, src)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Load = %v; want an error containing %q", err, tt.want)
			}
		})
	}
}
