package main

import (
	"os"
	"path/filepath"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/cimd-dev/cimd/internal/testenv"
)

// cmdNginx serves a directory with a real nginx over HTTPS for a script:
//
//	nginx ROOTDIR [CONTENT_TYPE]
//
// The first call makes a throwaway CA and a certificate for 127.0.0.1
// (testenv's CA), starts nginx on a free port of 127.0.0.1 (HTTP/1.1 and HTTP/2),
// and sets NGINX_URL (https://127.0.0.1:PORT), NGINX_HOST (127.0.0.1:PORT)
// and NGINX_CA (the CA as PEM, for --cacert). Files ending in .json are
// served as application/json with Cache-Control "public, max-age=300"; with
// CONTENT_TYPE every file is served as that type instead. A later call in
// the same script reloads the same nginx with the new root and type, so the
// URL, and the client_id a document built for it holds, stay the same.
// nginx stops when the script ends. It fails, never skips, when nginx is not
// installed: the story is there to run against a real server.
func cmdNginx(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: nginx ROOTDIR [CONTENT_TYPE]")
	}
	root, contentType := ts.MkAbs(args[0]), ""
	if len(args) == 2 {
		contentType = args[1]
	}
	if dir := ts.Getenv("NGINX_DIR"); dir != "" {
		if err := testenv.ReloadNginx(dir, root, contentType); err != nil {
			ts.Fatalf("%v", err)
		}
		return
	}
	dir := filepath.Join(ts.Getenv("WORK"), ".nginx")
	ts.Check(os.MkdirAll(dir, 0o755))
	n, err := testenv.StartNginx(dir, root, contentType)
	if err != nil {
		ts.Fatalf("%v", err)
	}
	ts.Defer(n.Close)
	ts.Setenv("NGINX_DIR", dir)
	ts.Setenv("NGINX_CA", n.CAFile)
	ts.Setenv("NGINX_HOST", n.Host)
	ts.Setenv("NGINX_URL", n.URL)
}
