package validate

import (
	"strings"
	"testing"
)

func TestImpact(t *testing.T) {
	const base = `{"client_id": "https://app.example.com/c.json", "client_name": "App",
		"redirect_uris": ["http://127.0.0.1/cb", "https://app.example.com/cb"],
		"token_endpoint_auth_method": "none", "grant_types": ["authorization_code", "refresh_token"],
		"logo_uri": "https://app.example.com/logo.png", "scope": "read"}`
	edit := func(replace ...string) string { return strings.NewReplacer(replace...).Replace(base) }
	tests := []struct {
		name, next string
		want       []string // kind field value, one per change, in order
		breaking   bool
	}{
		{"same value, other spelling", strings.ReplaceAll(base, "\n\t\t", " "), nil, false},
		{"redirect removed", edit(`, "https://app.example.com/cb"]`, `]`),
			[]string{"redirect-removed redirect_uris https://app.example.com/cb"}, true},
		{"redirect added", edit(`"http://127.0.0.1/cb",`, `"http://127.0.0.1/cb", "http://[::1]/cb",`),
			[]string{"redirect-added redirect_uris http://[::1]/cb"}, false},
		{"redirect replaced, order kept: removed first", edit(`"https://app.example.com/cb"`, `"https://app.example.com/callback"`),
			[]string{"redirect-removed redirect_uris https://app.example.com/cb", "redirect-added redirect_uris https://app.example.com/callback"}, true},
		{"reordered redirects are no change", edit(`"http://127.0.0.1/cb", "https://app.example.com/cb"`, `"https://app.example.com/cb", "http://127.0.0.1/cb"`),
			[]string{}, false},
		{"auth method", edit(`"none"`, `"private_key_jwt", "jwks_uri": "https://app.example.com/jwks.json"`),
			[]string{"auth-method token_endpoint_auth_method none -> private_key_jwt", "keys jwks_uri (none) -> https://app.example.com/jwks.json"}, true},
		{"name and logo", edit(`"App"`, `"App 2"`, `logo.png`, `logo2.png`),
			[]string{"identity client_name App -> App 2", "identity logo_uri https://app.example.com/logo.png -> https://app.example.com/logo2.png"}, false},
		{"localized name", edit(`"scope": "read"`, `"scope": "read", "client_name#fr": "Appli"`),
			[]string{"identity client_name#fr (none) -> Appli"}, false},
		{"client_id first", edit(`c.json`, `d.json`, `"App"`, `"App 2"`),
			[]string{"client-id client_id https://app.example.com/c.json -> https://app.example.com/d.json", "identity client_name App -> App 2"}, true},
		{"grant removed", edit(`, "refresh_token"`, ``),
			[]string{`grants grant_types ["authorization_code","refresh_token"] -> ["authorization_code"]`}, true},
		{"grant added is no breakage", edit(`"refresh_token"]`, `"refresh_token", "urn:x"]`),
			[]string{`other grant_types ["authorization_code","refresh_token"] -> ["authorization_code","refresh_token","urn:x"]`}, false},
		{"other field", edit(`"read"`, `"read write"`), []string{"other scope read -> read write"}, false},
	}
	for _, tt := range tests {
		changes, ok := ImpactBytes([]byte(base), []byte(tt.next))
		if !ok {
			t.Fatalf("%s: ImpactBytes: not objects", tt.name)
		}
		var got []string
		for _, c := range changes {
			got = append(got, c.Kind+" "+c.Field+" "+c.Value)
			if c.Effect == "" {
				t.Errorf("%s: %s has no effect text", tt.name, c.Kind)
			}
		}
		if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
			t.Errorf("%s: Impact =\n%s\nwant\n%s", tt.name, strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
		}
		if Breaking(changes) != tt.breaking {
			t.Errorf("%s: Breaking = %v; want %v", tt.name, !tt.breaking, tt.breaking)
		}
	}
}

func TestImpactKeys(t *testing.T) {
	live := `{"jwks": {"keys": [{"kid": "a", "kty": "OKP"}, {"kid": "b", "kty": "OKP"}]}}`
	next := `{"jwks": {"keys": [{"kid": "b", "kty": "OKP"}, {"kid": "c", "kty": "OKP"}]}}`
	changes, _ := ImpactBytes([]byte(live), []byte(next))
	if len(changes) != 1 || changes[0].Kind != ChangeKeys || changes[0].Value != "kid -a +c" || !changes[0].Breaking {
		t.Errorf("Impact(keys rotated) = %+v; want one breaking keys change \"kid -a +c\"", changes)
	}
	if _, ok := ImpactBytes([]byte(`<html>`), []byte(next)); ok {
		t.Error("ImpactBytes(HTML, doc) ok; want not ok")
	}
}

func TestImpactSummary(t *testing.T) {
	changes, _ := ImpactBytes([]byte(`{"client_name": "A", "redirect_uris": ["https://a/cb"]}`), []byte(`{"client_name": "B", "redirect_uris": []}`))
	if got, want := Summary(changes), "redirect URI removed https://a/cb; name or logo changed (client_name)"; got != want {
		t.Errorf("Summary = %q; want %q", got, want)
	}
}
