package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/cimd-dev/cimd/internal/testenv"
)

// cmdVersitygw starts versitygw, a real S3-compatible server, for a script:
//
//	versitygw [-tls] [-public] [-website] BUCKET...
//
// It creates the buckets and points the AWS default chain at the server:
// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION (us-east-1),
// AWS_ENDPOINT_URL_S3, and with -tls AWS_CA_BUNDLE; it also sets S3_URL and
// S3_HOST (127.0.0.1:PORT). -tls serves HTTPS with a certificate for
// 127.0.0.1 and localhost from a throwaway CA, written to
// $WORK/versitygw-ca.pem (for [validate] cacert). -public lets anyone GET
// the buckets' objects. -website also serves the buckets on the static
// website endpoint, where the host name is the bucket, so bucket "localhost"
// is served at WEBSITE_URL (http(s)://localhost:PORT, host WEBSITE_HOST);
// it implies -public. The server stops when the script ends.
func cmdVersitygw(ts *testscript.TestScript, neg bool, args []string) {
	const usage = "usage: versitygw [-tls] [-public] [-website] BUCKET..."
	if neg {
		ts.Fatalf(usage)
	}
	var opts testenv.VersityGWOptions
	public := false
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		switch args[0] {
		case "-tls":
			opts.TLS = true
		case "-public":
			public = true
		case "-website":
			opts.Website, public = true, true
		default:
			ts.Fatalf(usage)
		}
		args = args[1:]
	}
	if len(args) == 0 {
		ts.Fatalf(usage)
	}

	work := ts.Getenv("WORK")
	dir, err := os.MkdirTemp(work, ".versitygw-")
	ts.Check(err)
	srv, err := testenv.StartVersityGW(dir, opts)
	if err != nil {
		ts.Fatalf("%v", err)
	}
	ts.Defer(func() { srv.Close() })
	for _, bucket := range args {
		ts.Check(srv.CreateBucket(context.Background(), bucket, public))
	}

	ts.Setenv("AWS_ACCESS_KEY_ID", srv.AccessKey)
	ts.Setenv("AWS_SECRET_ACCESS_KEY", srv.SecretKey)
	ts.Setenv("AWS_REGION", "us-east-1")
	ts.Setenv("AWS_ENDPOINT_URL_S3", srv.URL)
	ts.Setenv("S3_URL", srv.URL)
	ts.Setenv("S3_HOST", hostOf(srv.URL))
	if opts.TLS {
		ca, err := os.ReadFile(srv.CAFile)
		ts.Check(err)
		caFile := filepath.Join(work, "versitygw-ca.pem")
		ts.Check(os.WriteFile(caFile, ca, 0o644))
		ts.Setenv("AWS_CA_BUNDLE", caFile)
	}
	if opts.Website {
		ts.Setenv("WEBSITE_URL", srv.WebsiteURL)
		ts.Setenv("WEBSITE_HOST", hostOf(srv.WebsiteURL))
	}
}

func hostOf(url string) string {
	_, host, _ := strings.Cut(url, "://")
	return host
}
