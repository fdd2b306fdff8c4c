package keys_test

import (
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cimd-dev/cimd/internal/testenv"
	"github.com/cimd-dev/cimd/keys"
)

// TestOIDCProviderRotation: the real oidc-provider gives a client_credentials
// token to a CIMD client whose document names a jwks_uri serving the
// store's JWK Set, for an assertion from [keys.Assert]; refuses a tampered
// one; after a rotation both keys work; after retire only the new one.
//
// oidc-provider keeps a client's JWK Set for at least 60 s after fetching
// it (and the document for at least 30 s), which is what retire waits for.
// A test cannot wait that long, so each phase is a fresh client_id served
// by the same documents: a server whose cache has expired, which is the
// state retire's wait guarantees.
func TestOIDCProviderRotation(t *testing.T) {
	ca := testenv.NewCA(t)
	now := time.Now()
	store, err := keys.Open(filepath.Join(t.TempDir(), "keys"), func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	old, err := store.Generate(keys.ES256, "")
	if err != nil {
		t.Fatal(err)
	}

	// The published JWK Set: what 'cimd publish' would upload beside the
	// documents. Any path under /client/ is a document whose client_id is
	// its own URL.
	var mu sync.Mutex
	var published []byte
	publish := func() {
		b, err := json.Marshal(store.JWKS())
		if err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		published = b
		mu.Unlock()
		if err := store.MarkPublished(now); err != nil {
			t.Fatal(err)
		}
	}
	var docs *httptest.Server
	docs = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "public, max-age=60")
		if r.URL.Path == "/jwks.json" {
			mu.Lock()
			w.Write(published)
			mu.Unlock()
			return
		}
		if !strings.HasPrefix(r.URL.Path, "/client/") {
			http.NotFound(w, r)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{
			"client_id":                  docs.URL + r.URL.Path,
			"client_name":                "cimd keys test service",
			"grant_types":                []string{"client_credentials"},
			"response_types":             []string{},
			"token_endpoint_auth_method": "private_key_jwt",
			"jwks_uri":                   docs.URL + "/jwks.json",
		})
	}))
	docs.TLS = &tls.Config{Certificates: []tls.Certificate{ca.TLSCertificate(t, "127.0.0.1")}}
	docs.StartTLS()
	t.Cleanup(docs.Close)

	cert, key := ca.Issue(t, "127.0.0.1")
	as := testenv.StartOIDCProvider(t, testenv.AuthServerOptions{CACert: ca.CertFile, Cert: cert, Key: key})
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool()}}}
	resp, err := hc.Get(as.URL + "/.well-known/oauth-authorization-server")
	if err != nil {
		t.Fatal(err)
	}
	var md struct {
		TokenEndpoint string `json:"token_endpoint"`
	}
	json.NewDecoder(resp.Body).Decode(&md)
	resp.Body.Close()
	if md.TokenEndpoint == "" {
		t.Fatal("no token_endpoint in the server's metadata")
	}

	// token asks for a token as clientID with an assertion signed by
	// signer, changed by tamper when not nil.
	sign := func(kid string) keys.Signer {
		t.Helper()
		signer, err := store.Signer(kid)
		if err != nil {
			t.Fatal(err)
		}
		return signer
	}
	token := func(clientID string, signer keys.Signer, tamper func(string) string) (int, string) {
		t.Helper()
		jwt, err := keys.Assert(signer, keys.Claims{ClientID: clientID, Audience: md.TokenEndpoint})
		if err != nil {
			t.Fatal(err)
		}
		if tamper != nil {
			jwt = tamper(jwt)
		}
		form := url.Values{
			"grant_type":            {"client_credentials"},
			"client_id":             {clientID},
			"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
			"client_assertion":      {jwt},
		}
		resp, err := hc.Post(md.TokenEndpoint, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		var tok struct {
			AccessToken string `json:"access_token"`
			Error       string `json:"error"`
		}
		json.Unmarshal(body, &tok)
		if resp.StatusCode == http.StatusOK && tok.AccessToken == "" {
			t.Errorf("200 without an access_token: %s", body)
		}
		if tok.Error != "" {
			return resp.StatusCode, tok.Error
		}
		return resp.StatusCode, "token"
	}
	want := func(what string, gotStatus int, got string, wantStatus int, wantResult string) {
		t.Helper()
		if gotStatus != wantStatus || got != wantResult {
			t.Errorf("%s: %d %s; want %d %s", what, gotStatus, got, wantStatus, wantResult)
		}
	}

	// One key.
	publish()
	first := docs.URL + "/client/first"
	s, r := token(first, sign(""), nil)
	want("the current key", s, r, 200, "token")
	// A changed payload (another jti, which the server would accept on its
	// own) under the same signature.
	s, r = token(first, sign(""), func(jwt string) string {
		parts := strings.Split(jwt, ".")
		claims, _ := b64Decode(parts[1])
		parts[1] = b64Encode([]byte(strings.Replace(string(claims), `"jti":"`, `"jti":"X`, 1)))
		return strings.Join(parts, ".")
	})
	want("a tampered payload", s, r, 401, "invalid_client")
	// A changed signature.
	s, r = token(first, sign(""), func(jwt string) string {
		i := len(jwt) - 10
		c := byte('A')
		if jwt[i] == 'A' {
			c = 'B'
		}
		return jwt[:i] + string(c) + jwt[i+1:]
	})
	want("a tampered signature", s, r, 401, "invalid_client")

	// Rotate and republish: both keys work.
	now = now.Add(time.Hour)
	next, err := store.Rotate(keys.ES256, "")
	if err != nil {
		t.Fatal(err)
	}
	publish()
	rotated := docs.URL + "/client/rotated"
	s, r = token(rotated, sign(next.Kid), nil)
	want("the next key after rotate", s, r, 200, "token")
	s, r = token(rotated, sign(old.Kid), nil)
	want("the old key after rotate", s, r, 200, "token")

	// Retire once the caches allow it, and republish: only the new key works.
	life, _ := keys.CacheLifetime("public, max-age=60")
	if _, _, err := store.Retire(life, false); err == nil {
		t.Fatal("retire right after publishing succeeded; want a refusal")
	}
	oldSigner := sign(old.Kid) // held by a client instance not yet redeployed
	now = now.Add(life)
	if _, _, err := store.Retire(life, false); err != nil {
		t.Fatal(err)
	}
	publish()
	retired := docs.URL + "/client/retired"
	s, r = token(retired, sign(""), nil)
	want("the new current key after retire", s, r, 200, "token")
	s, r = token(retired, oldSigner, nil)
	want("the retired key", s, r, 401, "invalid_client")
	if _, err := store.Signer(old.Kid); err == nil {
		t.Error("the retired key can still sign")
	}

	// A CI job: a checkout with the committed state.json alone (a 0755
	// directory, no private key) signs with the key from CIMD_SIGNING_KEY,
	// which gets the kid the published JWK Set gives it.
	checkout := filepath.Join(t.TempDir(), "keys")
	state, err := os.ReadFile(filepath.Join(store.Dir(), "state.json"))
	if err != nil {
		t.Fatal(err)
	}
	pemData, err := os.ReadFile(filepath.Join(store.Dir(), next.Kid+".pem"))
	if err != nil {
		t.Fatal(err)
	}
	os.Mkdir(checkout, 0o755)
	os.WriteFile(filepath.Join(checkout, "state.json"), state, 0o644)
	co, err := keys.Open(checkout, nil)
	if err != nil {
		t.Fatalf("a checkout's key directory: %v", err)
	}
	envSigner, err := co.EnvSigner(pemData, "")
	if err != nil {
		t.Fatal(err)
	}
	s, r = token(docs.URL+"/client/ci", envSigner, nil)
	want("the key from the environment in a checkout", s, r, 200, "token")
}

func b64Decode(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(s) }
func b64Encode(b []byte) string          { return base64.RawURLEncoding.EncodeToString(b) }
