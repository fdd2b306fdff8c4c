package authserver

import "slices"

// The outcomes of a client line.
const (
	OutcomeCIMD         = "cimd"         // the client will use its CIMD with this server
	OutcomeRegistration = "registration" // it falls back to dynamic client registration
	OutcomeFail         = "fail"         // its login will not work
)

// ClientLine says what one MCP client will do with this server.
type ClientLine struct {
	Name     string `json:"name"`
	UsesCIMD bool   `json:"uses_cimd"`
	Outcome  string `json:"outcome"` // OutcomeCIMD, OutcomeRegistration or OutcomeFail
	Why      string `json:"why"`
	Source   string `json:"-"` // where the behaviour is documented (SERVERS.md "What clients do")
}

// mcpClient is one row of SERVERS.md "What clients do", as a decision.
type mcpClient struct {
	name   string
	source string
	decide func(md *Metadata) (outcome, why string)
}

// mcpClients are the clients of SERVERS.md "What clients do", in its order.
// GitHub Copilot CLI is left out: when it uses CIMD is not known.
var mcpClients = []mcpClient{
	{"claude", "claude.com/docs/connectors/building/authentication; PrefectHQ/fastmcp#4205; keycloak#49730", needsNone()},
	{"codex", "anomalyco/opencode PR #47743 (Codex follows Claude's rules)", needsNone()},
	{"opencode", "anomalyco/opencode PR #47743", func(md *Metadata) (string, string) {
		o, why := needsNone()(md)
		if o == OutcomeCIMD {
			why += ", unless its config sets a custom oauth.redirect_uri (then it registers)"
		}
		return o, why
	}},
	{"vscode", "punkpeye/fastmcp PR #347; microsoft/vscode#282472", func(md *Metadata) (string, string) {
		if !md.CIMD() {
			return noFlag(md)
		}
		why := "the server advertises CIMD; VS Code is reported not to fall back to registration if it is then refused"
		if !supportsMethod(md, "none") {
			why += "; it authenticates with none, which the server does not list (inferred: the token request may fail)"
		}
		if md.Present["grant_types_supported"] && !slices.Contains(md.GrantTypesSupported, "urn:ietf:params:oauth:grant-type:device_code") {
			why += "; its document also declares device_code, which servers that refuse unknown grants reject"
		}
		return OutcomeCIMD, why
	}},
	{"csharp-sdk", "modelcontextprotocol/csharp-sdk#1612", func(md *Metadata) (string, string) {
		if !md.CIMD() {
			return noFlag(md)
		}
		first := "client_secret_basic"
		if md.Present["token_endpoint_auth_methods_supported"] {
			first = ""
			if len(md.TokenEndpointAuthMethodsSupported) > 0 {
				first = md.TokenEndpointAuthMethodsSupported[0]
			}
		}
		if slices.Contains(sharedSecretMethods, first) {
			return OutcomeFail, "it uses CIMD but authenticates with the first method the server lists, " + quoteAll([]string{first}) + ", a secret it does not have: the token request fails (csharp-sdk#1612)"
		}
		return OutcomeCIMD, "the server advertises CIMD and lists " + quoteAll([]string{first}) + " first, the method the SDK takes"
	}},
	{"python-sdk", "peers.md §2 (MCP Python SDK)", flagOnly(" (it tests the flag with \"is True\")")},
	{"typescript-sdk", "peers.md §2 (MCP TypeScript SDK)", flagOnly("")},
	{"go-sdk", "peers.md §2 (MCP Go SDK)", flagOnly("")},
	{"chatgpt", "developers.openai.com/plugins/build/auth; cloudflare#293; toolhive#6278", func(md *Metadata) (string, string) {
		if !md.CIMD() {
			return noFlag(md)
		}
		switch {
		case supportsMethod(md, "private_key_jwt"):
			return OutcomeCIMD, "the server advertises CIMD and private_key_jwt, the method ChatGPT's document declares"
		case supportsMethod(md, "none"):
			return OutcomeCIMD, "the server advertises CIMD and none; ChatGPT's document declares private_key_jwt but lists none in token_endpoint_auth_methods_supported, which the server must read (inferred from the fixes in cloudflare#293, toolhive#6278)"
		}
		return OutcomeFail, "the server advertises CIMD but neither private_key_jwt nor none, the methods ChatGPT's document offers"
	}},
}

// Clients returns one line per MCP client of SERVERS.md "What clients do":
// whether it will use CIMD with the server described by md, fall back to
// dynamic registration (when the server has a registration_endpoint), or
// fail, and why.
func Clients(md *Metadata) []ClientLine {
	out := make([]ClientLine, 0, len(mcpClients))
	for _, c := range mcpClients {
		o, why := c.decide(md)
		out = append(out, ClientLine{Name: c.name, UsesCIMD: o == OutcomeCIMD, Outcome: o, Why: why, Source: c.source})
	}
	return out
}

// needsNone is the rule of Claude, Codex and opencode: CIMD only when the
// flag is true and none is listed, else registration.
func needsNone() func(*Metadata) (string, string) {
	return func(md *Metadata) (string, string) {
		switch {
		case !md.CIMD():
			return noFlag(md)
		case !supportsMethod(md, "none"):
			return fallback(md, "it uses CIMD only where token_endpoint_auth_methods_supported lists none, and this server does not")
		}
		return OutcomeCIMD, "the server advertises CIMD and lists none"
	}
}

func flagOnly(note string) func(*Metadata) (string, string) {
	return func(md *Metadata) (string, string) {
		if !md.CIMD() {
			return noFlag(md)
		}
		return OutcomeCIMD, "the server advertises CIMD" + note
	}
}

func noFlag(md *Metadata) (string, string) {
	return fallback(md, "the server does not advertise CIMD (client_id_metadata_document_supported is not true)")
}

// fallback is dynamic registration where the server offers it.
func fallback(md *Metadata, why string) (string, string) {
	if md.RegistrationEndpoint != "" {
		return OutcomeRegistration, why + "; it registers dynamically instead"
	}
	return OutcomeFail, why + "; it would register dynamically, but the server has no registration_endpoint"
}

// supportsMethod reads token_endpoint_auth_methods_supported with RFC 8414's
// default (client_secret_basic) when it is absent.
func supportsMethod(md *Metadata, m string) bool {
	if !md.Present["token_endpoint_auth_methods_supported"] {
		return m == "client_secret_basic"
	}
	return slices.Contains(md.TokenEndpointAuthMethodsSupported, m)
}
