package publish

import (
	"context"
	"iter"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/cimd-dev/cimd/build"
	"github.com/cimd-dev/cimd/config"
)

// listMinEnvs is how many environments must publish into one bucket (at
// one endpoint, with one client configuration) before a run lists the
// bucket instead of asking about each missing object with a HeadObject:
// below it the LIST saves too little to be worth a round trip.
const listMinEnvs = 8

// listMaxPages bounds a listing (1000 keys a page): a prefix holding more
// than that is not listed, and its environments make their HeadObjects.
const listMaxPages = 10

// listPageSize is the keys asked for in one page; S3's most. Tests lower it.
var listPageSize int32 = 1000

// listKey is one bucket as one S3 client reaches it.
type listKey struct {
	client clientKey
	bucket string
}

// listing is what one ListObjectsV2 of a prefix showed: every key under
// prefix that exists.
type listing struct {
	prefix  string
	present map[string]bool
}

// Prelist lists, once for each bucket that at least listMinEnvs of cfgs
// publish into with S3, the longest common prefix of their keys (the
// documents and the JWK Sets beside them), so that their publishes skip
// the HeadObject of every key the listing shows absent: those are
// uploaded with If-None-Match: *, as after a HeadObject that found
// nothing, and a writer that creates one in between is still refused. A
// key the listing shows present still gets its HeadObject: a listing
// has no Content-Type, Cache-Control or SHA-256 to compare.
//
// A listing that is refused (s3:ListBucket is often not granted), fails,
// or runs past listMaxPages is dropped silently: those publishes make
// their HeadObjects as without it, and report any error they meet. With
// opts.Force nothing is listed, as no HeadObject is made. Prelist must
// be called before the publishes it serves.
func (cs *Clients) Prelist(ctx context.Context, cfgs iter.Seq[*config.Config], opts Options) {
	if cs == nil || opts.Force {
		return
	}
	type group struct {
		sc      config.S3
		timeout time.Duration
		envs    int
		keys    []string
	}
	groups := map[listKey]*group{}
	var order []listKey
	for c := range cfgs {
		if c.Publish.Target != "s3" || c.Publish.S3.Bucket == "" || config.CheckPath(c.Path) != nil {
			continue
		}
		sc := c.Publish.S3
		timeout := publishTimeout(c, opts)
		k := listKey{client: clientKeyOf(sc, timeout), bucket: sc.Bucket}
		g := groups[k]
		if g == nil {
			g = &group{sc: sc, timeout: timeout}
			groups[k] = g
			order = append(order, k)
		}
		g.envs++
		_, key := s3Plan(c, nil)
		g.keys = append(g.keys, key)
		if j := build.JWKSPath(c); j != "" {
			jc := *c
			jc.Path = j
			_, jkey := s3Plan(&jc, nil)
			g.keys = append(g.keys, jkey)
		}
	}
	for _, k := range order {
		g := groups[k]
		if g.envs < listMinEnvs || ctx.Err() != nil {
			continue
		}
		prefix := commonPrefix(g.keys)
		present, ok := cs.list(ctx, g.sc, g.timeout, prefix)
		if !ok {
			continue
		}
		cs.mu.Lock()
		if cs.lists == nil {
			cs.lists = map[listKey]*listing{}
		}
		cs.lists[k] = &listing{prefix: prefix, present: present}
		cs.mu.Unlock()
	}
}

// list returns the keys under prefix in sc's bucket, or false when the
// listing was refused, failed or was longer than listMaxPages.
func (cs *Clients) list(ctx context.Context, sc config.S3, timeout time.Duration, prefix string) (map[string]bool, bool) {
	_, client, err := cs.get(ctx, sc, timeout)
	if err != nil {
		return nil, false
	}
	endpoint := s3Endpoint(client, sc.Bucket)
	present := map[string]bool{}
	p := s3.NewListObjectsV2Paginator(client, &s3.ListObjectsV2Input{
		Bucket:  aws.String(sc.Bucket),
		Prefix:  aws.String(prefix),
		MaxKeys: aws.Int32(listPageSize),
	})
	for pages := 0; p.HasMorePages(); pages++ {
		if pages == listMaxPages {
			return nil, false
		}
		var out *s3.ListObjectsV2Output
		err := bounded(ctx, timeout, "list", endpoint, func(ctx context.Context) (err error) {
			out, err = p.NextPage(ctx)
			return err
		})
		if err != nil {
			return nil, false
		}
		for _, o := range out.Contents {
			present[aws.ToString(o.Key)] = true
		}
	}
	return present, true
}

// listedAbsent reports whether a Prelist listing of sc's bucket covers key
// and showed it absent.
func (cs *Clients) listedAbsent(sc config.S3, timeout time.Duration, key string) bool {
	if cs == nil {
		return false
	}
	cs.mu.Lock()
	defer cs.mu.Unlock()
	l := cs.lists[listKey{client: clientKeyOf(sc, timeout), bucket: sc.Bucket}]
	return l != nil && strings.HasPrefix(key, l.prefix) && !l.present[key]
}

// commonPrefix is the longest prefix all of keys share.
func commonPrefix(keys []string) string {
	if len(keys) == 0 {
		return ""
	}
	p := keys[0]
	for _, k := range keys[1:] {
		n := 0
		for n < len(p) && n < len(k) && p[n] == k[n] {
			n++
		}
		p = p[:n]
	}
	return p
}
