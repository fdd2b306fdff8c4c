package authserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/cimd-dev/cimd/validate"
)

// MaxMetadataBytes bounds a metadata body. Real ones are a few kilobytes;
// a body over this is refused rather than parsed, so a hostile server cannot
// make discovery hold or decode megabytes.
const MaxMetadataBytes = 256 << 10

// The named reasons a metadata response is not usable. They are wrapped with
// the details, so callers can branch with errors.Is.
var (
	ErrNotJSON          = errors.New("not JSON")
	ErrNotObject        = errors.New("not a JSON object")
	ErrTooLarge         = errors.New("body too large")
	ErrRedirect         = errors.New("redirect not followed")
	ErrStatus           = errors.New("unexpected status")
	ErrIncomplete       = errors.New("body incomplete")
	ErrWrongIssuer      = errors.New("issuer mismatch")
	ErrNoServers        = errors.New("no authorization_servers")
	ErrBadMetadata      = errors.New("invalid metadata")
	ErrResourceMismatch = errors.New("resource mismatch")
)

// ProtectedResource is RFC 9728 protected resource metadata, the members
// check-server reads.
type ProtectedResource struct {
	Resource             string
	AuthorizationServers []string
	ScopesSupported      []string
}

// Metadata is RFC 8414 authorization server metadata, the members the
// readiness rules read. A list member that is absent is nil; Present says
// which members the document had at all, so that an absent list and an
// empty one can be told apart where RFC 8414 gives a default.
type Metadata struct {
	Issuer                string
	AuthorizationEndpoint string
	TokenEndpoint         string
	RegistrationEndpoint  string

	ResponseTypesSupported            []string
	GrantTypesSupported               []string
	CodeChallengeMethodsSupported     []string
	TokenEndpointAuthMethodsSupported []string
	TokenEndpointAuthSigningAlgs      []string
	ScopesSupported                   []string

	// CIMDSupported is client_id_metadata_document_supported as sent:
	// nil when absent, else the raw JSON value (true, "true", 1, ...).
	CIMDSupported any
	// IssParameterSupported is authorization_response_iss_parameter_supported.
	IssParameterSupported bool

	Present map[string]bool
}

// CIMD reports whether the server advertises Client ID Metadata Documents:
// the member must be the JSON boolean true (the MCP Python SDK tests "is
// True", so a string "true" does not count).
func (m *Metadata) CIMD() bool {
	b, ok := m.CIMDSupported.(bool)
	return ok && b
}

// decodeObject parses body as one JSON object, naming what it is otherwise.
func decodeObject(body []byte) (map[string]any, error) {
	if len(body) > MaxMetadataBytes {
		return nil, fmt.Errorf("%w: over %d bytes", ErrTooLarge, MaxMetadataBytes)
	}
	trimmed := bytes.TrimSpace(body)
	if !utf8.Valid(trimmed) {
		return nil, fmt.Errorf("%w: the body is not UTF-8", ErrNotJSON)
	}
	if looksLikeHTML(trimmed) {
		return nil, fmt.Errorf("%w: an HTML page (an SPA fallback or a login page?)", ErrNotJSON)
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("%w: %s", ErrNotJSON, jsonErrorText(trimmed, err))
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: data after the JSON value at byte %d", ErrNotJSON, dec.InputOffset())
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: a JSON %s", ErrNotObject, jsonKind(v))
	}
	return obj, nil
}

func jsonErrorText(body []byte, err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%s at byte %d", se.Error(), se.Offset)
	}
	if len(body) == 0 {
		return "the body is empty"
	}
	return err.Error()
}

func looksLikeHTML(b []byte) bool {
	if len(b) == 0 || b[0] != '<' {
		return false
	}
	head := strings.ToLower(string(b[:min(len(b), 64)]))
	return strings.HasPrefix(head, "<!doctype html") || strings.HasPrefix(head, "<html") ||
		strings.HasPrefix(head, "<head") || strings.HasPrefix(head, "<body") ||
		strings.HasPrefix(head, "<!--")
}

// jsonKind is [validate.JSONKind] for this package's messages, where an
// object is "a value" (not "a object").
func jsonKind(v any) string {
	if _, ok := v.(map[string]any); ok {
		return "value"
	}
	return validate.JSONKind(v)
}

// fields reads typed members of a decoded object and remembers which were
// present with the wrong type.
type fields struct {
	obj      map[string]any
	mistyped []string
}

func (f *fields) str(name string) string {
	v, ok := f.obj[name]
	if !ok {
		return ""
	}
	s, ok := v.(string)
	if !ok {
		f.mistyped = append(f.mistyped, fmt.Sprintf("%s is a %s, not a string", name, jsonKind(v)))
	}
	return s
}

func (f *fields) strs(name string) []string {
	v, ok := f.obj[name]
	if !ok {
		return nil
	}
	arr, ok := v.([]any)
	if !ok {
		f.mistyped = append(f.mistyped, fmt.Sprintf("%s is a %s, not an array of strings", name, jsonKind(v)))
		return nil
	}
	out := make([]string, 0, len(arr))
	for _, e := range arr {
		s, ok := e.(string)
		if !ok {
			f.mistyped = append(f.mistyped, fmt.Sprintf("%s has a %s entry, not only strings", name, jsonKind(e)))
			continue
		}
		out = append(out, s)
	}
	return out
}

// ParseProtectedResource parses RFC 9728 metadata. The error names why the
// body cannot be used at all (not JSON, no authorization_servers);
// resource is not compared here (see [CheckResource]).
func ParseProtectedResource(body []byte) (*ProtectedResource, error) {
	obj, err := decodeObject(body)
	if err != nil {
		return nil, err
	}
	f := fields{obj: obj}
	pr := &ProtectedResource{
		Resource:             f.str("resource"),
		AuthorizationServers: f.strs("authorization_servers"),
		ScopesSupported:      f.strs("scopes_supported"),
	}
	if len(f.mistyped) > 0 {
		return pr, fmt.Errorf("%w: %s", ErrBadMetadata, strings.Join(f.mistyped, "; "))
	}
	if len(pr.AuthorizationServers) == 0 {
		return pr, fmt.Errorf("%w: the metadata lists no authorization server", ErrNoServers)
	}
	return pr, nil
}

// CheckResource compares the metadata's resource with the MCP server URL it
// was fetched for, byte for byte (RFC 9728 §3.3: a client must not use
// metadata whose resource differs). It returns nil when they match.
func CheckResource(pr *ProtectedResource, requested string) error {
	if pr.Resource == requested {
		return nil
	}
	if pr.Resource == "" {
		return fmt.Errorf("%w: the metadata has no resource member; want %q", ErrResourceMismatch, requested)
	}
	hint := ""
	if strings.TrimSuffix(pr.Resource, "/") == strings.TrimSuffix(requested, "/") {
		hint = " (only a trailing slash differs, but clients compare strings)"
	} else if strings.EqualFold(pr.Resource, requested) {
		hint = " (only letter case differs, but clients compare strings)"
	}
	return fmt.Errorf("%w: resource is %q, not %q, the URL it was fetched for%s", ErrResourceMismatch, pr.Resource, requested, hint)
}

// ParseMetadata parses RFC 8414 authorization server metadata found for
// issuer. It returns the metadata whenever the body is a JSON object, with
// a finding for each broken requirement of its shape (as-metadata-invalid)
// and for an issuer that is not byte for byte the one it was derived from
// (as-issuer-mismatch). The error is set only when the body is not a usable
// JSON object at all.
func ParseMetadata(body []byte, issuer string) (*Metadata, []validate.Finding, error) {
	obj, err := decodeObject(body)
	if err != nil {
		return nil, nil, err
	}
	f := fields{obj: obj}
	m := &Metadata{
		Issuer:                            f.str("issuer"),
		AuthorizationEndpoint:             f.str("authorization_endpoint"),
		TokenEndpoint:                     f.str("token_endpoint"),
		RegistrationEndpoint:              f.str("registration_endpoint"),
		ResponseTypesSupported:            f.strs("response_types_supported"),
		GrantTypesSupported:               f.strs("grant_types_supported"),
		CodeChallengeMethodsSupported:     f.strs("code_challenge_methods_supported"),
		TokenEndpointAuthMethodsSupported: f.strs("token_endpoint_auth_methods_supported"),
		TokenEndpointAuthSigningAlgs:      f.strs("token_endpoint_auth_signing_alg_values_supported"),
		ScopesSupported:                   f.strs("scopes_supported"),
		CIMDSupported:                     obj["client_id_metadata_document_supported"],
		Present:                           map[string]bool{},
	}
	if b, ok := obj["authorization_response_iss_parameter_supported"].(bool); ok {
		m.IssParameterSupported = b
	}
	for k := range obj {
		m.Present[k] = true
	}

	var fs []validate.Finding
	for _, name := range []string{"issuer", "authorization_endpoint", "token_endpoint"} {
		if _, ok := obj[name]; !ok {
			fs = append(fs, finding("as-metadata-invalid", validate.Error, fmt.Sprintf("the metadata has no %s, which RFC 8414 requires for the authorization code grant", name)))
		}
	}
	for _, msg := range f.mistyped {
		fs = append(fs, finding("as-metadata-invalid", validate.Error, "the metadata's "+msg))
	}
	if _, ok := obj["issuer"].(string); ok && m.Issuer != issuer {
		fs = append(fs, finding("as-issuer-mismatch", validate.Error, issuerMismatch(m.Issuer, issuer)))
	}
	return m, fs, nil
}

func issuerMismatch(got, want string) string {
	hint := ""
	switch {
	case strings.TrimSuffix(got, "/") == strings.TrimSuffix(want, "/"):
		hint = " (only a trailing slash differs)"
	case strings.EqualFold(got, want):
		hint = " (only letter case differs)"
	}
	return fmt.Sprintf("the metadata's issuer is %q, not %q, the issuer it was found for%s: clients must refuse it (RFC 8414 §3.3)", got, want, hint)
}
