package publish

import (
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// TestCloudFront checks that an upload invalidates exactly the document's
// path, and that an unchanged publish invalidates nothing. The handler
// speaks just enough of the CloudFront API to assert the request.
func TestCloudFront(t *testing.T) {
	e := startS3(t, s3Modes[0])
	var mu sync.Mutex
	var paths [][]string
	cf := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/2020-05-31/distribution/EWRONG/invalidation" {
			w.Header().Set("Content-Type", "text/xml")
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `<?xml version="1.0"?><ErrorResponse xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">`+
				`<Error><Type>Sender</Type><Code>NoSuchDistribution</Code><Message>The specified distribution does not exist.</Message></Error></ErrorResponse>`)
			return
		}
		if want := "/2020-05-31/distribution/E2EXAMPLE/invalidation"; r.Method != http.MethodPost || r.URL.Path != want {
			t.Errorf("CloudFront request %s %s; want POST %s", r.Method, r.URL.Path, want)
			http.Error(w, "unexpected request", http.StatusBadRequest)
			return
		}
		body, _ := io.ReadAll(r.Body)
		var batch struct {
			CallerReference string
			Paths           struct {
				Quantity int
				Items    []string `xml:"Items>Path"`
			}
		}
		if err := xml.Unmarshal(body, &batch); err != nil {
			t.Errorf("CloudFront request body %q: %v", body, err)
		}
		if batch.CallerReference == "" || batch.Paths.Quantity != len(batch.Paths.Items) {
			t.Errorf("CloudFront request body %q: no caller reference or wrong quantity", body)
		}
		mu.Lock()
		paths = append(paths, batch.Paths.Items)
		mu.Unlock()
		w.Header().Set("Content-Type", "text/xml")
		w.Header().Set("Location", "https://cloudfront.amazonaws.com/2020-05-31/distribution/E2EXAMPLE/invalidation/I2J0I21PCUYOIK")
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?>
<Invalidation xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Id>I2J0I21PCUYOIK</Id><Status>InProgress</Status><CreateTime>2026-01-01T00:00:00Z</CreateTime>`+
			`<InvalidationBatch><Paths><Quantity>1</Quantity><Items><Path>/oauth/client.json</Path></Items></Paths><CallerReference>x</CallerReference></InvalidationBatch></Invalidation>`)
	}))
	defer cf.Close()

	c := s3Config("cimd-test")
	c.Publish.S3.CloudFrontDistributionID = "E2EXAMPLE"
	opts := Options{CloudFrontEndpoint: cf.URL}

	plan, err, log := run(t, c, docA, opts)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Invalidation != "I2J0I21PCUYOIK" {
		t.Errorf("Invalidation = %q; want I2J0I21PCUYOIK", plan.Invalidation)
	}
	if len(paths) != 1 || len(paths[0]) != 1 || paths[0][0] != "/oauth/client.json" {
		t.Errorf("invalidated %q; want [[/oauth/client.json]]", paths)
	}
	if log == "" {
		t.Error("no progress line about the invalidation")
	}

	e.reset()
	plan, err, _ = run(t, c, docA, opts)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Invalidation != "" || len(paths) != 1 {
		t.Errorf("unchanged publish invalidated: plan %q, requests %q", plan.Invalidation, paths)
	}

	// The environment variable the SDK reads does as well as the option.
	t.Setenv("AWS_ENDPOINT_URL_CLOUDFRONT", cf.URL)
	plan, err, _ = run(t, c, docB, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if plan.Invalidation == "" || len(paths) != 2 {
		t.Errorf("changed publish: plan %q, requests %q", plan.Invalidation, paths)
	}

	// A failed invalidation is an error that says the upload happened.
	t.Setenv("AWS_ENDPOINT_URL_CLOUDFRONT", "")
	c.Publish.S3.CloudFrontDistributionID = "EWRONG"
	_, err, _ = run(t, c, docA, Options{CloudFrontEndpoint: cf.URL})
	wantErr(t, err, "publish s3://cimd-test/oauth/client.json: uploaded, but invalidating /oauth/client.json on CloudFront distribution EWRONG failed: CreateInvalidation: 404 NoSuchDistribution: The specified distribution does not exist.")
}
