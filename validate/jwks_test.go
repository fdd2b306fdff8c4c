package validate

import (
	"fmt"
	"strings"
	"testing"
)

const (
	ecKey  = `{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","kid":"k1","use":"sig","alg":"ES256"}`
	okpKey = `{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kid":"k2","use":"sig","alg":"EdDSA"}`
)

func jwksBody(keys ...string) []byte {
	return []byte(`{"keys":[` + strings.Join(keys, ",") + `]}`)
}

func served(status int, ct string, body []byte) Served {
	h := Header{}
	if ct != "" {
		h["Content-Type"] = []string{ct}
	}
	return Served{Status: status, StatusLine: fmt.Sprintf("%d", status), Header: h, Body: body, Complete: true}
}

// TestCheckJWKS runs the rules on served JWK Sets: each case names the rule
// codes (with severity) it must produce, in order, and nothing else.
func TestCheckJWKS(t *testing.T) {
	local := jwksBody(ecKey, okpKey)
	big := jwksBody(strings.Repeat(ecKey+",", 80) + okpKey)
	cases := []struct {
		name  string
		s     Served
		local []byte
		want  []string
		in    string // a part of the first finding's message
	}{
		{"matches", served(200, "application/json", local), local, nil, ""},
		{"jwk-set type", served(200, "application/jwk-set+json; charset=utf-8", local), local, nil, ""},
		{"no drift check", served(200, "application/json", jwksBody(ecKey)), nil, nil, ""},
		{"text/plain", served(200, "text/plain", local), local, []string{"jwks-content-type/warning"}, "served as text/plain"},
		{"no type", served(200, "", local), local, []string{"jwks-content-type/warning"}, "no Content-Type"},
		{"404", served(404, "text/html", []byte("<html>")), local, []string{"jwks-status/error"}, "publish jwks.json"},
		{"redirect", Served{Status: 301, StatusLine: "301 Moved", Header: Header{"Location": {"https://x/y"}}}, local, []string{"jwks-status/error"}, "redirect"},
		{"too big", served(200, "application/json", big), nil, []string{"jwks-size/error"}, "12 KB"},
		{"not json", served(200, "application/json", []byte("nope")), local, []string{"doc-jwks-invalid/error"}, "not JSON"},
		{"an array", served(200, "application/json", []byte("[]")), local, []string{"doc-jwks-invalid/error"}, "JSON array"},
		{"empty", served(200, "application/json", jwksBody()), nil, []string{"doc-jwks-invalid/error"}, "keys is empty"},
		{"private", served(200, "application/json", jwksBody(strings.Replace(ecKey, `"kid"`, `"d":"secret","kid"`, 1))), nil, []string{"doc-private-key/error"}, "keys[0]: this key is private or symmetric (it has d)"},
		{"no y", served(200, "application/json", jwksBody(strings.Replace(ecKey, `"y":`, `"z":`, 1))), nil, []string{"doc-jwks-invalid/error"}, "without y"},
		{"missing", served(200, "application/json", jwksBody(ecKey)), local, []string{"jwks-drift/error"}, `missing (only in the local build): "k2"`},
		{"extra", served(200, "application/json", jwksBody(ecKey, okpKey, strings.Replace(okpKey, `"k2"`, `"old"`, 1))), local, []string{"jwks-drift/error"}, `extra (only live): "old"`},
		{"changed", served(200, "application/json", jwksBody(ecKey, strings.Replace(okpKey, "11qY", "22qY", 1))), local, []string{"jwks-drift/error"}, `changed: "k2"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fs := CheckJWKS(c.s, c.local)
			var got []string
			for _, f := range fs {
				got = append(got, f.Rule+"/"+string(f.Severity))
				if f.Field != JWKSField {
					t.Errorf("%s: field %q; want %q", f.Rule, f.Field, JWKSField)
				}
			}
			if strings.Join(got, " ") != strings.Join(c.want, " ") {
				t.Fatalf("findings %v; want %v (%+v)", got, c.want, fs)
			}
			if c.in != "" && !strings.Contains(fs[0].Message, c.in) {
				t.Errorf("message %q does not say %q", fs[0].Message, c.in)
			}
		})
	}
}

// TestCheckJWKSTransient: what a deploy in progress explains (a 404, a
// stale set) is retried by a verify; a redirect or a private key is not.
func TestCheckJWKSTransient(t *testing.T) {
	local := jwksBody(ecKey, okpKey)
	for _, c := range []struct {
		s    Served
		want bool
	}{
		{served(404, "", nil), true},
		{served(503, "", nil), true},
		{served(200, "application/json", jwksBody(ecKey)), true},
		{served(403, "", nil), false},
		{Served{Status: 302, StatusLine: "302 Found", Header: Header{}}, false},
		{served(200, "application/json", jwksBody(strings.Replace(ecKey, `"kid"`, `"d":"s","kid"`, 1), okpKey)), false},
	} {
		fs := CheckJWKS(c.s, local)
		if len(fs) == 0 || fs[0].Transient != c.want {
			t.Errorf("status %d: findings %+v; want the first with Transient %v", c.s.Status, fs, c.want)
		}
	}
}

func TestJWKSKids(t *testing.T) {
	if got := strings.Join(JWKSKids(jwksBody(ecKey, okpKey)), ","); got != "k1,k2" {
		t.Errorf("kids %q", got)
	}
	if JWKSKids([]byte("x")) != nil {
		t.Error("kids of a non-JSON body")
	}
}
