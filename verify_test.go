package main

import (
	"testing"
	"time"

	"github.com/cimd-dev/cimd/config"
)

// TestDeployedOptions checks the order the verify's settings are taken in:
// a flag given, then the config's [validate] table, then the defaults.
// validate always gives --wait; publish gives it only when set, and then
// an explicit 0 means one attempt, not the 2m default.
func TestDeployedOptions(t *testing.T) {
	dur := func(d time.Duration) *time.Duration { return &d }
	profile, private := "cimd", true
	set := config.Validate{Profile: "mcp", Timeout: config.Duration{Duration: 3 * time.Second}, Wait: config.Duration{Duration: 5 * time.Second}}
	for _, tt := range []struct {
		name          string
		v             config.Validate
		df            deployFlags
		timeout, wait time.Duration
		profile       string
		private       bool
	}{
		{"config", set, deployFlags{}, 3 * time.Second, 5 * time.Second, "mcp", false},
		{"flags", set, deployFlags{timeout: dur(time.Second), wait: dur(0), profile: &profile, allowPrivate: &private}, time.Second, 0, "cimd", true},
		{"defaults", config.Validate{}, deployFlags{}, 0, defaultVerifyWait, "", false},
	} {
		c := &config.Config{Validate: tt.v}
		o, err := deployedOptions(c, tt.df)
		if err != nil {
			t.Fatalf("deployedOptions(%s): %v", tt.name, err)
		}
		if o.Timeout != tt.timeout || o.Wait != tt.wait || string(o.Profile) != tt.profile || o.AllowPrivate != tt.private {
			t.Errorf("deployedOptions(%s) = timeout %s, wait %s, profile %q, allow-private %v; want %s, %s, %q, %v",
				tt.name, o.Timeout, o.Wait, o.Profile, o.AllowPrivate, tt.timeout, tt.wait, tt.profile, tt.private)
		}
	}
}
