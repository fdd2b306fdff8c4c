package publish

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/cimd-dev/cimd/config"
)

// isList reports whether r is a ListObjectsV2.
func isList(r *http.Request) bool {
	return r.Method == http.MethodGet && r.URL.Query().Has("list-type")
}

// envConfigs is n environments publishing into cimd-test, each under its
// own prefix below top/.
func envConfigs(top string, n int) []*config.Config {
	cfgs := make([]*config.Config, n)
	for i := range cfgs {
		c := s3Config("cimd-test")
		c.Env = fmt.Sprintf("e%02d", i)
		c.Publish.S3.Prefix = fmt.Sprintf("%s/e%02d/", top, i)
		cfgs[i] = c
	}
	return cfgs
}

// publishAll lists as cmd_publish does, then publishes every environment,
// and returns the plans; it counts the LISTs the proxy saw.
func publishAll(t *testing.T, e *s3Env, cfgs []*config.Config, opts Options) ([]Plan, []error, *int) {
	t.Helper()
	lists := new(int)
	prev := e.before
	e.setBefore(func(r *http.Request) int {
		if isList(r) {
			e.mu.Lock()
			*lists++
			e.mu.Unlock()
		}
		if prev != nil {
			return prev(r)
		}
		return 0
	})
	defer e.setBefore(prev)
	e.reset()
	opts.Clients = &Clients{}
	var log bytes.Buffer
	opts.Log = &log
	opts.Clients.Prelist(t.Context(), slices.Values(cfgs), opts)
	plans := make([]Plan, len(cfgs))
	errs := make([]error, len(cfgs))
	for i, c := range cfgs {
		plans[i], errs[i] = Publish(t.Context(), c, []byte(docA), opts)
	}
	checkNoSecret(t, "publish log", log.String())
	return plans, errs, lists
}

func wantCounts(t *testing.T, e *s3Env, lists *int, wantList, wantHead, wantPut int) {
	t.Helper()
	e.mu.Lock()
	gotList := *lists
	e.mu.Unlock()
	if gotList != wantList || e.count("HEAD") != wantHead || e.count("PUT") != wantPut {
		t.Errorf("requests: %d LIST, %d HEAD, %d PUT; want %d, %d, %d",
			gotList, e.count("HEAD"), e.count("PUT"), wantList, wantHead, wantPut)
	}
}

func wantReasons(t *testing.T, plans []Plan, errs []error, reason string, written bool) {
	t.Helper()
	for i, p := range plans {
		if errs[i] != nil {
			t.Errorf("environment %d: %v", i, errs[i])
			continue
		}
		if p.Reason != reason || p.Written != written {
			t.Errorf("environment %d: reason %q, written %v; want %q, %v", i, p.Reason, p.Written, reason, written)
		}
	}
}

// TestPrelist checks that many environments in one bucket list it once
// and skip the HeadObject of every object the listing shows absent, that
// a present object still gets its HeadObject, and that a refused listing
// changes nothing but the request count.
func TestPrelist(t *testing.T) {
	e := startS3(t, s3Modes[0])

	t.Run("first", func(t *testing.T) {
		cfgs := envConfigs("first", 20)
		plans, errs, lists := publishAll(t, e, cfgs, Options{DryRun: true})
		wantCounts(t, e, lists, 1, 0, 0)
		wantReasons(t, plans, errs, ReasonNotFound, false)

		plans, errs, lists = publishAll(t, e, cfgs, Options{})
		wantCounts(t, e, lists, 1, 0, 20)
		wantReasons(t, plans, errs, ReasonNotFound, true)
		// Unconditional would be wrong: a racing writer must be refused.
		if got := e.lastPut.Get("If-None-Match"); got != "*" {
			t.Errorf("PUT If-None-Match = %q; want *", got)
		}

		plans, errs, lists = publishAll(t, e, cfgs, Options{})
		wantCounts(t, e, lists, 1, 20, 0)
		wantReasons(t, plans, errs, ReasonUnchanged, false)
	})

	t.Run("few", func(t *testing.T) {
		plans, errs, lists := publishAll(t, e, envConfigs("few", listMinEnvs-1), Options{})
		wantCounts(t, e, lists, 0, listMinEnvs-1, listMinEnvs-1)
		wantReasons(t, plans, errs, ReasonNotFound, true)
	})

	t.Run("force", func(t *testing.T) {
		plans, errs, lists := publishAll(t, e, envConfigs("force", 10), Options{Force: true})
		wantCounts(t, e, lists, 0, 0, 10)
		wantReasons(t, plans, errs, ReasonForced, true)
	})

	t.Run("refused", func(t *testing.T) {
		e.setBefore(func(r *http.Request) int {
			if isList(r) {
				return http.StatusForbidden
			}
			return 0
		})
		defer e.setBefore(nil)
		cfgs := envConfigs("refused", 20)
		plans, errs, lists := publishAll(t, e, cfgs, Options{})
		wantCounts(t, e, lists, 1, 20, 20)
		wantReasons(t, plans, errs, ReasonNotFound, true)
		plans, errs, lists = publishAll(t, e, cfgs, Options{})
		wantCounts(t, e, lists, 1, 20, 0)
		wantReasons(t, plans, errs, ReasonUnchanged, false)
	})

	t.Run("racing writer", func(t *testing.T) {
		cfgs := envConfigs("race", 10)
		opts := Options{Clients: &Clients{}}
		opts.Clients.Prelist(t.Context(), slices.Values(cfgs), opts)
		key := "race/e03/oauth/client.json"
		if !opts.Clients.listedAbsent(cfgs[3].Publish.S3, publishTimeout(cfgs[3], opts), key) {
			t.Fatalf("the listing does not show %s absent", key)
		}
		// Another writer creates the object after the listing.
		if _, err := e.srv.Client().PutObject(t.Context(), &s3.PutObjectInput{
			Bucket: aws.String("cimd-test"), Key: aws.String(key), Body: strings.NewReader(docB),
		}); err != nil {
			t.Fatal(err)
		}
		_, err, _ := run(t, cfgs[3], docA, opts)
		wantErr(t, err, "publish s3://cimd-test/"+key+": the object changed while it was being published (412 PreconditionFailed)")
	})

	t.Run("too long", func(t *testing.T) {
		// More than listMaxPages pages under the common prefix: the
		// listing is dropped, and every object gets its HeadObject.
		cfgs := envConfigs("long", 20)
		if _, errs, _ := publishAll(t, e, cfgs, Options{}); errs[0] != nil {
			t.Fatal(errs[0])
		}
		defer func(n int32) { listPageSize = n }(listPageSize)
		listPageSize = 1
		plans, errs, lists := publishAll(t, e, cfgs, Options{})
		wantCounts(t, e, lists, listMaxPages, 20, 0)
		wantReasons(t, plans, errs, ReasonUnchanged, false)
	})
}

func TestCommonPrefix(t *testing.T) {
	for _, tc := range []struct {
		keys []string
		want string
	}{
		{nil, ""},
		{[]string{"a/b.json"}, "a/b.json"},
		{[]string{"e01/oauth/client.json", "e02/oauth/client.json"}, "e0"},
		{[]string{"p/a", "q/a"}, ""},
	} {
		if got := commonPrefix(tc.keys); got != tc.want {
			t.Errorf("commonPrefix(%q) = %q; want %q", tc.keys, got, tc.want)
		}
	}
}
