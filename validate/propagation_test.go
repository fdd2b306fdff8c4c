package validate

import (
	"slices"
	"testing"
	"time"
)

func TestDuration(t *testing.T) {
	for _, tt := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"}, {90 * time.Second, "1m30s"}, {600 * time.Second, "10m"}, {time.Hour, "1h"},
		{86400 * time.Second, "1d"}, {259200 * time.Second, "3d"}, {93784 * time.Second, "1d2h"},
	} {
		if got := Duration(tt.d); got != tt.want {
			t.Errorf("Duration(%v) = %q; want %q", tt.d, got, tt.want)
		}
	}
}

func TestPropagationString(t *testing.T) {
	for _, tt := range []struct {
		p    Propagation
		want string
	}{
		{Propagation{CacheControl: "public, max-age=3600", MaxAge: time.Hour, HasMaxAge: true, Worst: 86400 * time.Second, Server: "cognito", Manual: []string{"auth0", "servicenow"}},
			`within 1d: cognito keeps a copy that long whatever the document says (max-age 1h from Cache-Control "public, max-age=3600"); auth0, servicenow re-read only when an admin refreshes the client`},
		{Propagation{CacheControl: "max-age=259200", MaxAge: 72 * time.Hour, HasMaxAge: true, Worst: 72 * time.Hour, Server: "keycloak"},
			`within 3d (max-age 3d from Cache-Control "max-age=259200"; keycloak keeps a copy that long)`},
		{Propagation{Worst: 3600 * time.Second, Server: "fastmcp", Manual: []string{"auth0"}},
			`within 1h: fastmcp keeps a copy that long whatever the document says (no Cache-Control); auth0 re-reads only when an admin refreshes the client`},
		{Propagation{CacheControl: "public"}, `when next read (Cache-Control "public" sets no max-age)`},
	} {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("%+v.String() =\n%s\nwant\n%s", tt.p, got, tt.want)
		}
	}
}

// TestPropagationOf takes the lifetimes from the profiles' cache bounds:
// Cognito ignores a max-age under a day, Keycloak floors it at 300 s and
// caps it at 3 days, Auth0's imported clients wait for an admin.
func TestPropagationOf(t *testing.T) {
	for _, tt := range []struct {
		cc         string
		only       []string
		worst      time.Duration
		server     string
		manualAuth bool
	}{
		{"public, max-age=3600", nil, 86400 * time.Second, "cognito", true},
		{"public, max-age=60", []string{"keycloak"}, 300 * time.Second, "keycloak", false},
		{"max-age=31536000", []string{"keycloak", "better-auth"}, 259200 * time.Second, "keycloak", false},
		{"public, s-maxage=600, max-age=60", []string{"better-auth", "auth0"}, 600 * time.Second, "better-auth", true},
		{"no-store", []string{"giantswarm"}, 0, "", false},
	} {
		p := PropagationOf(tt.cc, tt.only)
		if p.Worst != tt.worst || p.Server != tt.server || slices.Contains(p.Manual, "auth0") != tt.manualAuth {
			t.Errorf("PropagationOf(%q, %v) = %s by %q, manual %v; want %s by %q (auth0 manual: %v)",
				tt.cc, tt.only, p.Worst, p.Server, p.Manual, tt.worst, tt.server, tt.manualAuth)
		}
	}
}
