package live

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/cimd-dev/cimd/validate"
)

const testJWKS = `{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kid":"k1","use":"sig","alg":"EdDSA"}]}`

// TestDeployedKeys fetches a document and the JWK Set beside it from a real
// TLS server: a good set joins the document's result as JWKS with no
// finding; a redirect, an oversized set (read no further than the limit),
// and a stale set each give their finding, with field
// jwks_uri, in the document's result.
func TestDeployedKeys(t *testing.T) {
	jwks := testJWKS
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/oauth/jwks.json" {
			switch jwks {
			case "redirect":
				http.Redirect(w, r, "/other.json", http.StatusFound)
			case "big":
				w.Header().Set("Content-Type", "application/json")
				w.Write([]byte(`{"keys":[` + strings.Repeat(" ", 100_000) + `]}`))
			default:
				w.Header().Set("Content-Type", "application/jwk-set+json")
				w.Write([]byte(jwks))
			}
			return
		}
		serveDoc("application/json", "max-age=300")(w, r)
	})
	c := New(ts.opts())
	url := ts.docURL()
	check := func() validate.Result {
		return c.DeployedKeys(context.Background(), url, testDoc(url), ts.URL+"/oauth/jwks.json", []byte(testJWKS), nil)
	}

	r := check()
	wantValid(t, r)
	if r.JWKS == nil || r.JWKS.Status != 200 || strings.Join(r.JWKS.Kids, ",") != "k1" || r.JWKS.URL != ts.URL+"/oauth/jwks.json" {
		t.Fatalf("JWKS = %+v; want the 200 fetch with kid k1", r.JWKS)
	}
	if got := ts.last.Load().Header.Get("Accept"); !strings.Contains(got, "application/jwk-set+json") {
		t.Errorf("Accept %q; want application/jwk-set+json", got)
	}

	jwks = "redirect"
	wantFinding(t, check(), "jwks-status", validate.Error, "302", "/other.json")

	jwks = "big"
	r = check()
	wantFinding(t, r, "jwks-size", validate.Error, "12 KB")

	jwks = strings.Replace(testJWKS, `"k1"`, `"k0"`, 1)
	r = check()
	wantFinding(t, r, "jwks-drift", validate.Error, `missing (only in the local build): "k1"`, `extra (only live): "k0"`)
	if f, _ := finding(r, "jwks-drift"); f.Field != "jwks_uri" || !f.Transient {
		t.Errorf("jwks-drift %+v; want field jwks_uri, transient", f)
	}

	// Without a jwks URL nothing more is fetched.
	before := ts.requests.Load()
	if r := c.Deployed(context.Background(), url, testDoc(url), nil); r.JWKS != nil || ts.requests.Load() != before+1 {
		t.Errorf("Deployed fetched the JWK Set: %+v, %d requests", r.JWKS, ts.requests.Load()-before)
	}
}
