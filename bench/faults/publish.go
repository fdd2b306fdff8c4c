package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/cimd-dev/cimd/internal/testenv"
)

const (
	bucket       = "cimd-faults"
	objectKey    = "oauth/client.json"
	cacheControl = "public, max-age=3600"
)

// publishResult counts the publish loop's outcomes.
type publishResult struct {
	attempts, kills, killsDuring, published int
	clean, unclean                          int
	corrupted                               int // stored object is neither document, or has other headers
	lost                                    int // a publish said yes but the object is not its document
	examples                                []string
}

func (r *publishResult) print(w io.Writer) {
	printTable(w, "Publish while versitygw is killed (SIGKILL) and restarted at random moments:",
		[]string{"attempts", "kills (during a publish)", "published (exit 0)", "clean failures (exit 1, one line)", "unclean failures", "corrupted objects", "lost updates"},
		r.attempts, fmt.Sprintf("%d (%d)", r.kills, r.killsDuring), r.published, r.clean, r.unclean, r.corrupted, r.lost)
}

func publishFaults(ctx context.Context, o options, dir string) (*publishResult, error) {
	g, err := testenv.StartVersityGW(dir, testenv.VersityGWOptions{Binary: o.versitygw})
	if err != nil {
		return nil, err
	}
	defer g.Kill()
	endpoint := g.URL
	client := g.Client()
	if err := g.CreateBucket(ctx, bucket, false); err != nil {
		return nil, err
	}

	env := cleanEnv(
		"AWS_ACCESS_KEY_ID="+g.AccessKey, "AWS_SECRET_ACCESS_KEY="+g.SecretKey, "AWS_REGION=us-east-1",
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE="+filepath.Join(dir, "aws-config"),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "aws-credentials"),
		"NO_COLOR=1",
	)
	docs, err := buildFaultDocs(ctx, o, dir, env, endpoint)
	if err != nil {
		return nil, err
	}
	typical, err := typicalPublish(ctx, o, dir, env)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(o.log, "faults: an undisturbed publish takes %s; publishing up to %d times with kills\n",
		typical.Round(time.Millisecond), o.publishes)

	r := &publishResult{}
	deadline := time.Now().Add(o.publishTime)
	for i := 0; i < o.publishes && time.Now().Before(deadline) && ctx.Err() == nil; i++ {
		want := i % 2
		file := filepath.Join(dir, []string{"a", "b"}[want]+".toml")

		res, err := publishWithKill(ctx, o, dir, env, file, g, typical, r)
		if err != nil {
			return nil, err
		}
		r.attempts++
		switch {
		case res.code == 0 && !res.crashed():
			r.published++
		case res.code == 1 && cleanPublishFailure(res.stderr):
			r.clean++
		default:
			r.unclean++
			r.examples = append(r.examples, "unclean publish: "+res.describe())
		}

		if err := r.checkObject(ctx, client, i, res, docs, want); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// buildFaultDocs writes a.toml and b.toml, which differ in client_name,
// and returns the two documents they build: the only bodies the object may
// ever hold.
func buildFaultDocs(ctx context.Context, o options, dir string, env []string, endpoint string) ([][]byte, error) {
	docs := make([][]byte, 2)
	for i, name := range []string{"A", "B"} {
		file := filepath.Join(dir, strings.ToLower(name)+".toml")
		if err := os.WriteFile(file, []byte(publishConfig(name, endpoint)), 0o644); err != nil {
			return nil, err
		}
		out := filepath.Join(dir, "out"+name)
		if res := runCimd(ctx, o, dir, env, "build", "-c", file, "--out", out); res.code != 0 {
			return nil, fmt.Errorf("cimd build -c %s: %s", file, res.describe())
		}
		var err error
		if docs[i], err = os.ReadFile(filepath.Join(out, objectKey)); err != nil {
			return nil, err
		}
	}
	return docs, nil
}

// typicalPublish times a few undisturbed publishes and returns the median,
// so the kills can land anywhere in one: before the first request, between
// HEAD and PUT, during the PUT.
func typicalPublish(ctx context.Context, o options, dir string, env []string) (time.Duration, error) {
	var times []time.Duration
	for i := range 4 {
		res := runCimd(ctx, o, dir, env, "publish", "--no-verify", "-c", filepath.Join(dir, []string{"a", "b"}[i%2]+".toml"))
		if res.code != 0 {
			return 0, fmt.Errorf("undisturbed publish: %s", res.describe())
		}
		times = append(times, res.elapsed)
	}
	slices.Sort(times)
	return times[len(times)/2], nil
}

// publishWithKill publishes file once and restarts the gateway after. One
// attempt in six runs undisturbed; the others see a kill at a random
// moment during a typical publish, and a restart after a random pause of
// up to 300 ms (which the SDK's retries may or may not outlast).
func publishWithKill(ctx context.Context, o options, dir string, env []string, file string, g *testenv.VersityGW, typical time.Duration, r *publishResult) (outcome, error) {
	var chaos sync.WaitGroup
	var killedAt time.Time
	if o.rng.IntN(6) != 0 {
		delay := time.Duration(o.rng.Int64N(int64(typical)))
		down := time.Duration(o.rng.Int64N(int64(300 * time.Millisecond)))
		r.kills++
		chaos.Go(func() {
			time.Sleep(delay)
			g.Kill()
			killedAt = time.Now()
			time.Sleep(down)
		})
	}
	start := time.Now()
	res := runCimd(ctx, o, dir, env, "publish", "--no-verify", "-c", file)
	end := time.Now()
	chaos.Wait()
	if !killedAt.IsZero() && killedAt.After(start) && killedAt.Before(end) {
		r.killsDuring++
	}
	return res, g.Restart()
}

// checkObject reads the object back after attempt i and counts it: gone
// or corrupted (neither document, or other headers), or lost (the publish
// said yes but the object is the other document).
func (r *publishResult) checkObject(ctx context.Context, client *s3.Client, i int, res outcome, docs [][]byte, want int) error {
	body, ct, cc, found, err := getObject(ctx, client)
	if err != nil {
		return fmt.Errorf("read back the object: %w", err)
	}
	switch {
	case !found:
		// Only before anything was ever stored; the warm-up stored one.
		r.corrupted++
		r.examples = append(r.examples, fmt.Sprintf("attempt %d: the object is gone", i+1))
	case !bytes.Equal(body, docs[0]) && !bytes.Equal(body, docs[1]),
		ct != "application/json", cc != cacheControl:
		r.corrupted++
		r.examples = append(r.examples, fmt.Sprintf("attempt %d: corrupted object: %d bytes, Content-Type %q, Cache-Control %q",
			i+1, len(body), ct, cc))
	case res.code == 0 && !bytes.Equal(body, docs[want]):
		r.lost++
		r.examples = append(r.examples, fmt.Sprintf("attempt %d: publish succeeded but the object is the other document", i+1))
	}
	return nil
}

// cleanPublishFailure reports whether stderr is the one-line message of a
// failed S3 publish, after at most the progress line publish prints before
// it uploads.
func cleanPublishFailure(stderr string) bool {
	lines := strings.Split(strings.TrimRight(stderr, "\n"), "\n")
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, "cimd: publish s3://") || len(lines) > 2 {
		return false
	}
	return len(lines) == 1 || strings.HasPrefix(lines[0], "uploading s3://")
}

// getObject reads the object back, retrying briefly: the gateway has just
// been restarted.
func getObject(ctx context.Context, client *s3.Client) (body []byte, contentType, cacheCtl string, found bool, err error) {
	for try := 0; ; try++ {
		var out *s3.GetObjectOutput
		out, err = client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(objectKey)})
		if err == nil {
			defer out.Body.Close()
			body, err = io.ReadAll(out.Body)
			if err == nil {
				return body, aws.ToString(out.ContentType), aws.ToString(out.CacheControl), true, nil
			}
		}
		var nsk *types.NoSuchKey
		if errors.As(err, &nsk) {
			return nil, "", "", false, nil
		}
		if try == 20 || ctx.Err() != nil {
			return nil, "", "", false, err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func publishConfig(name, endpoint string) string {
	return fmt.Sprintf(`host = "app.example.com"
path = "/%s"

[client]
client_name = "Faults %s"
redirect_uris = ["http://127.0.0.1:8765/callback", "https://app.example.com/oauth/callback"]
application_type = "native"

[publish]
target = "s3"
cache_control = %q

[publish.s3]
bucket = %q
endpoint = %q
`, objectKey, name, cacheControl, bucket, endpoint)
}
