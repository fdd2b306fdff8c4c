package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/cimd-dev/cimd/internal/testenv"
)

// cmdTLSServer starts an HTTPS test server for a script:
//
//	tlsserver DIR [CONTENT_TYPE]
//
// It serves the files under DIR (read on every request, so a script can
// rebuild them) with CONTENT_TYPE (default application/json) and
// Cache-Control "public, max-age=300", and sets TLS_URL (https://127.0.0.1:PORT),
// TLS_HOST (127.0.0.1:PORT) and TLS_CA (the PEM of its throwaway CA, for
// --cacert). The server stops when the script ends.
func cmdTLSServer(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: tlsserver DIR [CONTENT_TYPE]")
	}
	root := ts.MkAbs(args[0])
	ctype := "application/json"
	if len(args) == 2 {
		ctype = args[1]
	}
	dir, err := os.MkdirTemp(ts.Getenv("WORK"), ".tlsserver-")
	ts.Check(err)
	srv, caFile, err := testenv.StartTLS(dir, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(strings.TrimPrefix(r.URL.Path, "/"))))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Cache-Control", "public, max-age=300")
		w.Write(b)
	}))
	ts.Check(err)
	ts.Defer(srv.Close)
	ts.Setenv("TLS_URL", srv.URL)
	ts.Setenv("TLS_HOST", strings.TrimPrefix(srv.URL, "https://"))
	ts.Setenv("TLS_CA", caFile)
}
