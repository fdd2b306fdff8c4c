package testenv

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestOIDCProviderClientCredentials shows that the oidc-provider the tests
// start issues client_credentials tokens to a CIMD client that
// authenticates with private_key_jwt (an ES256 key in the document's jwks),
// and refuses an assertion signed by another key: the set-up that tests of
// client assertions build on.
func TestOIDCProviderClientCredentials(t *testing.T) {
	ca := NewCA(t)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	var clientID string
	docs := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		doc, _ := json.Marshal(map[string]any{
			"client_id":                       clientID,
			"client_name":                     "cimd test service",
			"grant_types":                     []string{"client_credentials"},
			"response_types":                  []string{},
			"token_endpoint_auth_method":      "private_key_jwt",
			"token_endpoint_auth_signing_alg": "ES256",
			"jwks": map[string]any{"keys": []any{map[string]any{
				"kty": "EC", "crv": "P-256", "kid": "k1", "alg": "ES256", "use": "sig",
				"x": b64(fixed32(key.X)), "y": b64(fixed32(key.Y)),
			}}},
		})
		w.Header().Set("Content-Type", "application/json")
		w.Write(doc)
	}))
	docs.TLS = &tls.Config{Certificates: []tls.Certificate{ca.TLSCertificate(t, "127.0.0.1")}}
	docs.StartTLS()
	t.Cleanup(docs.Close)
	clientID = docs.URL + "/service"

	as := StartOIDCProvider(t, serverFiles(t, ca))
	c := client(ca)
	tokenURL, _ := metadata(t, c, as)["token_endpoint"].(string)

	other, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		signer *ecdsa.PrivateKey
		status int
	}{
		{"document key", key, http.StatusOK},
		{"other key", other, http.StatusUnauthorized},
	} {
		now := time.Now().Unix()
		assertion := es256JWT(t, tc.signer, map[string]any{
			"iss": clientID, "sub": clientID, "aud": as.URL,
			"jti": rand.Text(), "iat": now, "exp": now + 60,
		})
		form := url.Values{
			"grant_type":            {"client_credentials"},
			"client_id":             {clientID},
			"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
			"client_assertion":      {assertion},
		}
		resp, err := c.Post(tokenURL, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var tok struct {
			AccessToken string `json:"access_token"`
			Error       string `json:"error"`
		}
		json.Unmarshal(body, &tok)
		if resp.StatusCode != tc.status {
			t.Errorf("%s: token endpoint answered %d %s; want %d", tc.name, resp.StatusCode, body, tc.status)
		}
		if tc.status == http.StatusOK && tok.AccessToken == "" {
			t.Errorf("%s: no access_token in %s", tc.name, body)
		}
		if tc.status != http.StatusOK && tok.Error != "invalid_client" {
			t.Errorf("%s: error %q in %s; want invalid_client", tc.name, tok.Error, body)
		}
	}
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func fixed32(n *big.Int) []byte { return n.FillBytes(make([]byte, 32)) }

// es256JWT signs claims as a compact JWS with ES256 (RFC 7518 §3.4: r and s
// as fixed-size big-endian integers).
func es256JWT(t *testing.T, key *ecdsa.PrivateKey, claims map[string]any) string {
	t.Helper()
	hdr, _ := json.Marshal(map[string]string{"alg": "ES256", "kid": "k1", "typ": "JWT"})
	payload, _ := json.Marshal(claims)
	input := b64(hdr) + "." + b64(payload)
	sum := sha256.Sum256([]byte(input))
	r, s, err := ecdsa.Sign(rand.Reader, key, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return input + "." + b64(append(fixed32(r), fixed32(s)...))
}
