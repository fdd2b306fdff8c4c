package publish

import (
	"context"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/cimd-dev/cimd/config"
)

// Clients keeps one S3 client per distinct S3 configuration (endpoint,
// region, profile, path style, timeout) for a run, so that a thousand
// environments in one bucket load the AWS configuration once and share
// connections, instead of each reading the shared config files and
// dialling afresh. It is safe for concurrent use; the zero value is ready.
// A nil *Clients makes a new client for every publish.
type Clients struct {
	mu    sync.Mutex
	m     map[clientKey]*clientEntry
	lists map[listKey]*listing // see Prelist
}

// clientKey is everything of an environment's settings that newS3Client
// reads.
type clientKey struct {
	endpoint, region, profile string
	pathStyle                 int8 // 0 unset, 1 true, 2 false
	timeout                   time.Duration
}

type clientEntry struct {
	once   sync.Once
	cfg    aws.Config
	client *s3.Client
	err    error
}

// get returns the client for sc, making it at the first use. A failure to
// make one is kept too: every environment with that configuration fails
// alike, without asking again.
func (cs *Clients) get(ctx context.Context, sc config.S3, timeout time.Duration) (aws.Config, *s3.Client, error) {
	if cs == nil {
		return newS3Client(ctx, sc, timeout)
	}
	k := clientKeyOf(sc, timeout)
	cs.mu.Lock()
	if cs.m == nil {
		cs.m = map[clientKey]*clientEntry{}
	}
	e := cs.m[k]
	if e == nil {
		e = &clientEntry{}
		cs.m[k] = e
	}
	cs.mu.Unlock()
	e.once.Do(func() { e.cfg, e.client, e.err = newS3Client(ctx, sc, timeout) })
	return e.cfg, e.client, e.err
}

func clientKeyOf(sc config.S3, timeout time.Duration) clientKey {
	k := clientKey{endpoint: sc.Endpoint, region: sc.Region, profile: sc.Profile, timeout: timeout}
	if sc.PathStyle != nil {
		k.pathStyle = 2
		if *sc.PathStyle {
			k.pathStyle = 1
		}
	}
	return k
}
