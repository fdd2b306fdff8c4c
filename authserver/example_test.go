package authserver_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/cimd-dev/cimd/authserver"
)

func ExampleAuthServerCandidates() {
	cs, _ := authserver.AuthServerCandidates("https://auth.example.com/realms/mcp")
	for _, c := range cs {
		fmt.Println(c.URL)
	}
	// Output:
	// https://auth.example.com/.well-known/oauth-authorization-server/realms/mcp
	// https://auth.example.com/.well-known/openid-configuration/realms/mcp
	// https://auth.example.com/realms/mcp/.well-known/openid-configuration
}

// ExampleCheck checks a client against an authorization server that supports
// CIMD but does not list "none": the readiness rules say so, some MCP clients
// fall back to registration, and the probe still reaches the login step.
func ExampleCheck() {
	var srv *httptest.Server
	srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/.well-known/oauth-authorization-server":
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(map[string]any{
				"issuer":                                           srv.URL,
				"authorization_endpoint":                           srv.URL + "/authorize",
				"token_endpoint":                                   srv.URL + "/token",
				"registration_endpoint":                            srv.URL + "/register",
				"response_types_supported":                         []string{"code"},
				"code_challenge_methods_supported":                 []string{"S256"},
				"token_endpoint_auth_methods_supported":            []string{"private_key_jwt"},
				"token_endpoint_auth_signing_alg_values_supported": []string{"ES256"},
				"client_id_metadata_document_supported":            true,
				"authorization_response_iss_parameter_supported":   true,
			})
		case "/authorize":
			http.Redirect(w, r, "/interaction/Gt1rYf2k", http.StatusSeeOther)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()

	client := srv.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	get := func(ctx context.Context, url string) (*authserver.Response, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return nil, err
		}
		resp, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(io.LimitReader(resp.Body, authserver.MaxMetadataBytes+1))
		return &authserver.Response{Status: resp.StatusCode, Header: resp.Header, Body: body,
			Complete: err == nil && len(body) <= authserver.MaxMetadataBytes, Err: err}, nil
	}

	doc := map[string]any{
		"client_id":                  "https://app.example.com/oauth/client.json",
		"redirect_uris":              []any{"http://127.0.0.1/callback"},
		"token_endpoint_auth_method": "none",
	}
	res, err := authserver.Check(context.Background(), srv.URL, authserver.Client{ClientID: doc["client_id"].(string), Document: doc},
		authserver.CheckOptions{Options: authserver.Options{Get: get}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("ready:", res.Ready, "probe:", res.Probe.Outcome, res.Probe.Status, res.Probe.Location)
	for _, f := range res.Findings {
		fmt.Println(f.Severity, f.Rule)
	}
	for _, c := range res.Clients[:3] {
		fmt.Println(c.Name, c.Outcome)
	}
	// Output:
	// ready: false probe: accepted 303 /interaction/Gt1rYf2k
	// error as-auth-method
	// info as-probe-accepted
	// claude registration
	// codex registration
	// opencode registration
}
