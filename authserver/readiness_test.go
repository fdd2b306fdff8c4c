package authserver

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/cimd-dev/cimd/validate"
)

// goodAS is metadata every readiness rule is quiet on for goodDoc.
var goodAS = map[string]any{
	"issuer":                                           "https://as.example.com",
	"authorization_endpoint":                           "https://as.example.com/authorize",
	"token_endpoint":                                   "https://as.example.com/token",
	"registration_endpoint":                            "https://as.example.com/register",
	"response_types_supported":                         []any{"code"},
	"grant_types_supported":                            []any{"authorization_code", "refresh_token"},
	"code_challenge_methods_supported":                 []any{"S256"},
	"token_endpoint_auth_methods_supported":            []any{"none", "private_key_jwt"},
	"token_endpoint_auth_signing_alg_values_supported": []any{"ES256", "RS256"},
	"client_id_metadata_document_supported":            true,
	"authorization_response_iss_parameter_supported":   true,
}

var goodDoc = map[string]any{
	"client_id":                  "https://app.example.com/oauth/client.json",
	"client_name":                "Example",
	"redirect_uris":              []any{"http://127.0.0.1/callback"},
	"token_endpoint_auth_method": "none",
	"grant_types":                []any{"authorization_code"},
}

// metadataOf builds Metadata from goodAS with changes applied; a nil value
// deletes the member.
func metadataOf(t *testing.T, changes map[string]any) *Metadata {
	t.Helper()
	obj := maps.Clone(goodAS)
	for k, v := range changes {
		if v == nil {
			delete(obj, k)
		} else {
			obj[k] = v
		}
	}
	body, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	md, _, err := ParseMetadata(body, "https://as.example.com")
	if err != nil {
		t.Fatal(err)
	}
	return md
}

func docOf(changes map[string]any) map[string]any {
	doc := maps.Clone(goodDoc)
	for k, v := range changes {
		if v == nil {
			delete(doc, k)
		} else {
			doc[k] = v
		}
	}
	return doc
}

func rulesOf(fs []validate.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Rule)
	}
	return out
}

func TestReadiness(t *testing.T) {
	pkjwt := map[string]any{
		"token_endpoint_auth_method": "private_key_jwt",
		"jwks":                       map[string]any{"keys": []any{map[string]any{"kty": "EC", "crv": "P-256", "x": "x", "y": "y"}}},
	}
	tests := []struct {
		name string
		as   map[string]any
		doc  map[string]any
		want []string // the rule codes, in order
		says string   // a part of the first finding's message
		sev  validate.Severity
	}{
		{name: "ready", want: nil},
		{name: "http endpoints", as: map[string]any{"authorization_endpoint": "http://as.example.com/authorize", "token_endpoint": "HTTPS://as.example.com/token"},
			want: []string{"as-endpoint-not-https", "as-endpoint-not-https"}, says: "authorization_endpoint", sev: validate.Error},
		{name: "no CIMD flag", as: map[string]any{"client_id_metadata_document_supported": nil},
			want: []string{"as-cimd-unsupported"}, says: "register dynamically", sev: validate.Error},
		{name: "CIMD flag a string", as: map[string]any{"client_id_metadata_document_supported": "true"},
			want: []string{"as-cimd-unsupported"}, says: `the string "true"`, sev: validate.Error},
		{name: "CIMD flag false", as: map[string]any{"client_id_metadata_document_supported": false},
			want: []string{"as-cimd-unsupported"}, says: "false", sev: validate.Error},
		{name: "none not listed", as: map[string]any{"token_endpoint_auth_methods_supported": []any{"private_key_jwt"}},
			want: []string{"as-auth-method"}, says: "Claude, Codex and opencode", sev: validate.Error},
		{name: "methods absent means client_secret_basic", as: map[string]any{"token_endpoint_auth_methods_supported": nil, "registration_endpoint": nil},
			want: []string{"as-auth-method"}, says: "does not offer", sev: validate.Error},
		{name: "absent doc method reads as none", as: map[string]any{"token_endpoint_auth_methods_supported": []any{"private_key_jwt"}}, doc: map[string]any{"token_endpoint_auth_method": nil},
			want: []string{"as-auth-method"}, says: `"none"`},
		{name: "plural list offers a way out", as: map[string]any{"token_endpoint_auth_methods_supported": []any{"none"}},
			doc:  map[string]any{"token_endpoint_auth_method": "private_key_jwt", "jwks_uri": "https://app.example.com/jwks.json", "token_endpoint_auth_methods_supported": []any{"none", "private_key_jwt"}},
			want: []string{"as-auth-method"}, says: "negotiate", sev: validate.Error},
		{name: "shared secret first", as: map[string]any{"token_endpoint_auth_methods_supported": []any{"client_secret_basic", "none"}},
			want: []string{"as-auth-method-order"}, says: "C# SDK", sev: validate.Warning},
		{name: "none first is fine", as: map[string]any{"token_endpoint_auth_methods_supported": []any{"none", "client_secret_basic"}}},
		{name: "no S256", as: map[string]any{"code_challenge_methods_supported": []any{"plain"}},
			want: []string{"as-pkce"}, says: "S256", sev: validate.Error},
		{name: "PKCE absent", as: map[string]any{"code_challenge_methods_supported": nil},
			want: []string{"as-pkce"}, says: "(absent)"},
		{name: "no code response type", as: map[string]any{"response_types_supported": []any{"token", "code id_token"}},
			want: []string{"as-response-type"}, sev: validate.Error},
		{name: "code with odd spacing", as: map[string]any{"response_types_supported": []any{" code "}}},
		{name: "grant not supported", doc: map[string]any{"grant_types": []any{"authorization_code", "urn:ietf:params:oauth:grant-type:device_code"}},
			want: []string{"as-grant-type"}, says: "device_code", sev: validate.Warning},
		{name: "grant default list", as: map[string]any{"grant_types_supported": nil}, doc: map[string]any{"grant_types": []any{"authorization_code", "refresh_token"}},
			want: []string{"as-grant-type"}, says: "implicit"},
		{name: "private_key_jwt with a shared alg", doc: pkjwt},
		{name: "private_key_jwt with no shared alg", as: map[string]any{"token_endpoint_auth_signing_alg_values_supported": []any{"RS256"}}, doc: pkjwt,
			want: []string{"as-signing-alg"}, says: "ES256", sev: validate.Error},
		{name: "private_key_jwt, server lists no algs", as: map[string]any{"token_endpoint_auth_signing_alg_values_supported": nil}, doc: pkjwt,
			want: []string{"as-signing-alg"}, says: "lists no"},
		{name: "token_endpoint_auth_signing_alg decides", as: map[string]any{"token_endpoint_auth_signing_alg_values_supported": []any{"ES256"}},
			doc:  map[string]any{"token_endpoint_auth_method": "private_key_jwt", "jwks_uri": "https://app.example.com/jwks.json", "token_endpoint_auth_signing_alg": "RS256"},
			want: []string{"as-signing-alg"}, says: "RS256"},
		{name: "keys only at jwks_uri cannot be judged", as: map[string]any{"token_endpoint_auth_signing_alg_values_supported": []any{"ES256"}},
			doc: map[string]any{"token_endpoint_auth_method": "private_key_jwt", "jwks_uri": "https://app.example.com/jwks.json"}},
		{name: "no iss parameter", as: map[string]any{"authorization_response_iss_parameter_supported": nil},
			want: []string{"as-iss-parameter"}, says: "RFC 9207", sev: validate.Info},
		{name: "several at once, in table order",
			as:   map[string]any{"client_id_metadata_document_supported": nil, "code_challenge_methods_supported": nil, "token_endpoint": "http://as.example.com/token"},
			want: []string{"as-endpoint-not-https", "as-cimd-unsupported", "as-pkce"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := Readiness(metadataOf(t, tt.as), docOf(tt.doc))
			got := rulesOf(fs)
			if !slices.Equal(got, tt.want) {
				t.Fatalf("Readiness = %v; want %v\n%v", got, tt.want, fs)
			}
			if tt.says != "" && !strings.Contains(fs[0].Message, tt.says) {
				t.Errorf("message %q; want it to mention %q", fs[0].Message, tt.says)
			}
			if tt.sev != "" && fs[0].Severity != tt.sev {
				t.Errorf("severity %s; want %s", fs[0].Severity, tt.sev)
			}
		})
	}
}

func TestReadinessNilDocument(t *testing.T) {
	// cimd's defaults: none, authorization_code.
	if fs := Readiness(metadataOf(t, nil), nil); len(fs) != 0 {
		t.Errorf("Readiness(good, nil) = %v; want nothing", fs)
	}
}

func TestSortFindings(t *testing.T) {
	fs := []validate.Finding{{Rule: "as-probe-accepted"}, {Rule: "as-pkce"}, {Rule: "as-discovery"}, {Rule: "as-pkce", Message: "2"}}
	SortFindings(fs)
	if got := strings.Join(rulesOf(fs), ","); got != "as-discovery,as-pkce,as-pkce,as-probe-accepted" || fs[2].Message != "2" {
		t.Errorf("SortFindings = %s", got)
	}
}
