package authserver

import (
	"reflect"
	"testing"
)

func urls(cs []Candidate) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.URL
	}
	return out
}

func TestProtectedResourceCandidates(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"https://mcp.example.com/mcp", []string{
			"https://mcp.example.com/.well-known/oauth-protected-resource/mcp",
			"https://mcp.example.com/.well-known/oauth-protected-resource"}},
		{"https://mcp.example.com/a/b/", []string{
			"https://mcp.example.com/.well-known/oauth-protected-resource/a/b",
			"https://mcp.example.com/.well-known/oauth-protected-resource"}},
		{"https://mcp.example.com", []string{"https://mcp.example.com/.well-known/oauth-protected-resource"}},
		{"https://mcp.example.com/", []string{"https://mcp.example.com/.well-known/oauth-protected-resource"}},
		{"https://mcp.example.com:8443/mcp?tenant=1", []string{
			"https://mcp.example.com:8443/.well-known/oauth-protected-resource/mcp?tenant=1",
			"https://mcp.example.com:8443/.well-known/oauth-protected-resource"}},
		{"https://mcp.example.com/a%2Fb", []string{
			"https://mcp.example.com/.well-known/oauth-protected-resource/a%2Fb",
			"https://mcp.example.com/.well-known/oauth-protected-resource"}},
	}
	for _, tt := range tests {
		got, err := ProtectedResourceCandidates(tt.in)
		if err != nil {
			t.Errorf("ProtectedResourceCandidates(%q) error %v", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(urls(got), tt.want) {
			t.Errorf("ProtectedResourceCandidates(%q) = %q; want %q", tt.in, urls(got), tt.want)
		}
	}
}

func TestAuthServerCandidates(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"https://as.example.com", []string{
			"https://as.example.com/.well-known/oauth-authorization-server",
			"https://as.example.com/.well-known/openid-configuration"}},
		{"https://as.example.com/", []string{
			"https://as.example.com/.well-known/oauth-authorization-server",
			"https://as.example.com/.well-known/openid-configuration"}},
		{"https://auth.example.com/realms/mcp", []string{
			"https://auth.example.com/.well-known/oauth-authorization-server/realms/mcp",
			"https://auth.example.com/.well-known/openid-configuration/realms/mcp",
			"https://auth.example.com/realms/mcp/.well-known/openid-configuration"}},
		{"https://auth.example.com/api/auth/", []string{
			"https://auth.example.com/.well-known/oauth-authorization-server/api/auth",
			"https://auth.example.com/.well-known/openid-configuration/api/auth",
			"https://auth.example.com/api/auth/.well-known/openid-configuration"}},
	}
	for _, tt := range tests {
		got, err := AuthServerCandidates(tt.in)
		if err != nil {
			t.Errorf("AuthServerCandidates(%q) error %v", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(urls(got), tt.want) {
			t.Errorf("AuthServerCandidates(%q) = %q; want %q", tt.in, urls(got), tt.want)
		}
		if got[0].Kind != KindAuthServer || got[1].Kind != KindOpenID {
			t.Errorf("AuthServerCandidates(%q) kinds = %s, %s", tt.in, got[0].Kind, got[1].Kind)
		}
	}
}

func TestCandidatesRefuse(t *testing.T) {
	for _, in := range []string{"", "mcp.example.com/mcp", "ftp://x/y", "https://user@x/y", "https://x/y#", "https:///y", "https://x/%zz"} {
		if _, err := ProtectedResourceCandidates(in); err == nil {
			t.Errorf("ProtectedResourceCandidates(%q): no error", in)
		}
	}
	if _, err := AuthServerCandidates("https://as.example.com/?x=1"); err == nil {
		t.Errorf("AuthServerCandidates with a query: no error")
	}
}
