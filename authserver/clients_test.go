package authserver

import (
	"strings"
	"testing"
)

func TestClients(t *testing.T) {
	type want struct{ outcome, says string }
	tests := []struct {
		name string
		as   map[string]any
		want map[string]want // by client name; others are not asserted
	}{
		{"ready for everyone", nil, map[string]want{
			"claude": {OutcomeCIMD, "lists none"}, "codex": {OutcomeCIMD, ""}, "opencode": {OutcomeCIMD, "redirect_uri"},
			"vscode": {OutcomeCIMD, ""}, "csharp-sdk": {OutcomeCIMD, `"none"`}, "python-sdk": {OutcomeCIMD, "is True"},
			"typescript-sdk": {OutcomeCIMD, ""}, "go-sdk": {OutcomeCIMD, ""}, "chatgpt": {OutcomeCIMD, "private_key_jwt"},
		}},
		{"no flag, registration open", map[string]any{"client_id_metadata_document_supported": nil}, map[string]want{
			"claude": {OutcomeRegistration, "does not advertise"}, "vscode": {OutcomeRegistration, ""},
			"python-sdk": {OutcomeRegistration, ""}, "chatgpt": {OutcomeRegistration, ""},
		}},
		{"no flag, no registration", map[string]any{"client_id_metadata_document_supported": nil, "registration_endpoint": nil}, map[string]want{
			"claude": {OutcomeFail, "no registration_endpoint"}, "go-sdk": {OutcomeFail, ""},
		}},
		{"flag without none", map[string]any{"token_endpoint_auth_methods_supported": []any{"private_key_jwt"}}, map[string]want{
			"claude": {OutcomeRegistration, "lists none"}, "codex": {OutcomeRegistration, ""}, "opencode": {OutcomeRegistration, ""},
			"vscode": {OutcomeCIMD, "may fail"}, "typescript-sdk": {OutcomeCIMD, ""}, "chatgpt": {OutcomeCIMD, "private_key_jwt"},
		}},
		{"flag without none or registration", map[string]any{"token_endpoint_auth_methods_supported": []any{"private_key_jwt"}, "registration_endpoint": nil}, map[string]want{
			"claude": {OutcomeFail, "no registration_endpoint"},
		}},
		{"secret method first", map[string]any{"token_endpoint_auth_methods_supported": []any{"client_secret_basic", "none"}}, map[string]want{
			"csharp-sdk": {OutcomeFail, "client_secret_basic"}, "claude": {OutcomeCIMD, ""},
		}},
		{"methods absent", map[string]any{"token_endpoint_auth_methods_supported": nil}, map[string]want{
			"csharp-sdk": {OutcomeFail, "client_secret_basic"}, "claude": {OutcomeRegistration, ""}, "chatgpt": {OutcomeFail, "neither"},
		}},
		{"none only", map[string]any{"token_endpoint_auth_methods_supported": []any{"none"}}, map[string]want{
			"chatgpt": {OutcomeCIMD, "inferred"},
		}},
		{"no device_code grant", map[string]any{"grant_types_supported": []any{"authorization_code"}}, map[string]want{
			"vscode": {OutcomeCIMD, "device_code"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines := Clients(metadataOf(t, tt.as))
			if len(lines) != len(mcpClients) {
				t.Fatalf("Clients gave %d lines; want %d", len(lines), len(mcpClients))
			}
			seen := 0
			for _, l := range lines {
				w, ok := tt.want[l.Name]
				if !ok {
					continue
				}
				seen++
				if l.Outcome != w.outcome || l.UsesCIMD != (w.outcome == OutcomeCIMD) {
					t.Errorf("%s: outcome %s (uses_cimd %v); want %s (%s)", l.Name, l.Outcome, l.UsesCIMD, w.outcome, l.Why)
				}
				if !strings.Contains(l.Why, w.says) {
					t.Errorf("%s: why %q; want it to mention %q", l.Name, l.Why, w.says)
				}
				if l.Source == "" {
					t.Errorf("%s has no source", l.Name)
				}
			}
			if seen != len(tt.want) {
				t.Errorf("only %d of the %d expected clients appeared (%s)", seen, len(tt.want), clientNames())
			}
		})
	}
}

func clientNames() string {
	names := make([]string, len(mcpClients))
	for i, c := range mcpClients {
		names[i] = c.name
	}
	return strings.Join(names, ",")
}
