package live

import (
	"context"
	"net/http"
	"reflect"
	"testing"

	"github.com/cimd-dev/cimd/validate"
)

// TestCheckLiveCompatibility: with Options.Compat, a check evaluates the
// server profiles on what it fetched, as validate.Compatibility does on the
// result's URL, document and response: on a document served well, on one
// served as text/plain with a loopback redirect (so rows that read the
// response and the document fire), and on a 404 whose body is no document.
// Without Compat there is no Compatibility.
func TestCheckLiveCompatibility(t *testing.T) {
	compat := validate.CompatOptions{Servers: []string{"auth0", "giantswarm", "pingfederate"}, RedirectURIs: []string{"http://127.0.0.1:5000/cb"}}
	for _, h := range []http.HandlerFunc{
		serveDoc("application/json", "public, max-age=3600"),
		serveDoc("text/plain", "-"),
		func(w http.ResponseWriter, r *http.Request) { http.Error(w, "gone", http.StatusNotFound) },
	} {
		srv := newTestServer(t, h)
		opts := srv.opts()
		if r := Check(context.Background(), srv.docURL(), opts); !r.Compatibility.IsZero() {
			t.Errorf("Check without Compat: Compatibility = %+v; want none", r.Compatibility.Results())
		}
		opts.Compat = &compat
		r := Check(context.Background(), srv.docURL(), opts)
		if r.Body == nil || r.HTTP == nil {
			t.Fatalf("Check(%s) = %+v; want a response", srv.docURL(), r)
		}
		want := compat
		want.HTTP = r.HTTP
		if got, wantRS := r.Compatibility, validate.Compatibility(r.URL, r.Document, want); got.Len() == 0 || !reflect.DeepEqual(got, wantRS) {
			t.Errorf("Check(%s) with Compat: Compatibility = %+v;\nwant %+v", srv.docURL(), got.Results(), wantRS.Results())
		}
	}
}
