package authserver

import (
	"errors"
	"strings"
	"testing"
)

func TestParseMetadata(t *testing.T) {
	const issuer = "https://as.example.com"
	tests := []struct {
		name    string
		body    string
		rules   []string // the findings' rule codes, in order
		wantErr error
	}{
		{"good", `{"issuer":"https://as.example.com","authorization_endpoint":"https://as.example.com/a","token_endpoint":"https://as.example.com/t"}`, nil, nil},
		{"wrong issuer", `{"issuer":"https://as.example.com/","authorization_endpoint":"https://as.example.com/a","token_endpoint":"https://as.example.com/t"}`, []string{"as-issuer-mismatch"}, nil},
		{"missing members", `{"issuer":"https://as.example.com"}`, []string{"as-metadata-invalid", "as-metadata-invalid"}, nil},
		{"mistyped", `{"issuer":"https://as.example.com","authorization_endpoint":1,"token_endpoint":"x","response_types_supported":"code","grant_types_supported":["a",2]}`,
			[]string{"as-metadata-invalid", "as-metadata-invalid", "as-metadata-invalid"}, nil},
		{"issuer not a string", `{"issuer":true,"authorization_endpoint":"a","token_endpoint":"t"}`, []string{"as-metadata-invalid"}, nil},
		{"html", "<!DOCTYPE html><html><body>Sign in</body></html>", nil, ErrNotJSON},
		{"broken json", `{"issuer": `, nil, ErrNotJSON},
		{"trailing data", `{"issuer":"x"} {}`, nil, ErrNotJSON},
		{"array", `["issuer"]`, nil, ErrNotObject},
		{"empty", ``, nil, ErrNotJSON},
		{"not utf-8", "{\"issuer\":\"\xff\"}", nil, ErrNotJSON},
		{"huge", `{"x":"` + strings.Repeat("a", MaxMetadataBytes) + `"}`, nil, ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			md, fs, err := ParseMetadata([]byte(tt.body), issuer)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("ParseMetadata error = %v; want %v", err, tt.wantErr)
			}
			if err != nil {
				if md != nil {
					t.Errorf("ParseMetadata returned metadata with error %v", err)
				}
				if len(err.Error()) > 200 {
					t.Errorf("error is %d bytes long; want a bounded message", len(err.Error()))
				}
				return
			}
			var got []string
			for _, f := range fs {
				got = append(got, f.Rule)
			}
			if strings.Join(got, ",") != strings.Join(tt.rules, ",") {
				t.Errorf("ParseMetadata findings = %v; want %v (%v)", got, tt.rules, fs)
			}
		})
	}
}

func TestParseMetadataFields(t *testing.T) {
	md, _, err := ParseMetadata([]byte(`{"issuer":"https://a","authorization_endpoint":"https://a/auth","token_endpoint":"https://a/token",
		"registration_endpoint":"https://a/reg","client_id_metadata_document_supported":"true",
		"token_endpoint_auth_methods_supported":[],"code_challenge_methods_supported":["S256"],
		"authorization_response_iss_parameter_supported":true}`), "https://a")
	if err != nil {
		t.Fatal(err)
	}
	if md.CIMD() {
		t.Errorf("CIMD() = true for the string \"true\"; want false")
	}
	if !md.Present["token_endpoint_auth_methods_supported"] || md.TokenEndpointAuthMethodsSupported == nil || len(md.TokenEndpointAuthMethodsSupported) != 0 {
		t.Errorf("an empty methods list: present %v, value %#v", md.Present["token_endpoint_auth_methods_supported"], md.TokenEndpointAuthMethodsSupported)
	}
	if md.Present["grant_types_supported"] || md.GrantTypesSupported != nil {
		t.Errorf("an absent grant list reads as present")
	}
	if md.RegistrationEndpoint != "https://a/reg" || !md.IssParameterSupported || md.CodeChallengeMethodsSupported[0] != "S256" {
		t.Errorf("fields not read: %+v", md)
	}
}

func TestParseProtectedResource(t *testing.T) {
	pr, err := ParseProtectedResource([]byte(`{"resource":"https://mcp.example.com/mcp","authorization_servers":["https://as.example.com"],"scopes_supported":["mcp:read","mcp:write"]}`))
	if err != nil || pr.Resource != "https://mcp.example.com/mcp" || pr.AuthorizationServers[0] != "https://as.example.com" || len(pr.ScopesSupported) != 2 {
		t.Fatalf("ParseProtectedResource = %+v, %v", pr, err)
	}
	if err := CheckResource(pr, "https://mcp.example.com/mcp"); err != nil {
		t.Errorf("CheckResource on the same URL: %v", err)
	}
	for _, tc := range []struct{ requested, hint string }{
		{"https://mcp.example.com/mcp/", "trailing slash"},
		{"https://MCP.example.com/mcp", "letter case"},
		{"https://other.example.com/mcp", "not"},
	} {
		err := CheckResource(pr, tc.requested)
		if !errors.Is(err, ErrResourceMismatch) || !strings.Contains(err.Error(), tc.hint) {
			t.Errorf("CheckResource(%q) = %v; want a mismatch mentioning %q", tc.requested, err, tc.hint)
		}
	}
	if _, err := ParseProtectedResource([]byte(`{"resource":"x"}`)); !errors.Is(err, ErrNoServers) {
		t.Errorf("no authorization_servers: error %v; want ErrNoServers", err)
	}
	if _, err := ParseProtectedResource([]byte(`{"resource":"x","authorization_servers":"https://as"}`)); !errors.Is(err, ErrBadMetadata) {
		t.Errorf("authorization_servers a string: error %v; want ErrBadMetadata", err)
	}
	if _, err := ParseProtectedResource([]byte(`<html>`)); !errors.Is(err, ErrNotJSON) {
		t.Errorf("HTML: error %v; want ErrNotJSON", err)
	}
}
