// Package publish puts a built document where an environment's [publish]
// table says: an S3-compatible bucket, or a local directory, atomically and
// only when something changed.
package publish

import (
	"context"
	"fmt"
	"io"
	"iter"
	"path/filepath"
	"strings"
	"time"

	"github.com/cimd-dev/cimd/build"
	"github.com/cimd-dev/cimd/config"
)

// contentType is what every published document is served as.
const contentType = "application/json"

// Reasons a publish gives for what it did.
const (
	ReasonNotFound       = "not found"
	ReasonContentDiffers = "content differs"
	ReasonHeadersDiffer  = "headers differ"
	ReasonUnchanged      = "unchanged"
	ReasonForced         = "forced"
)

// Plan is what a publish did, or with DryRun would do, and why.
type Plan struct {
	Target       string `json:"target"`   // "s3" or "dir"
	Location     string `json:"location"` // "s3://bucket/key" or the file path
	Size         int    `json:"size"`
	ContentType  string `json:"content_type"`
	CacheControl string `json:"cache_control"`
	// Reason is "not found", "content differs", "headers differ", "unchanged"
	// or "forced".
	Reason string `json:"reason"`
	// Written is true when the target's copy was replaced: an upload to S3,
	// a file write for dir. It is false for unchanged and dry runs; JSON
	// keeps the name "uploaded".
	Written bool `json:"uploaded"`
	// Invalidation is the CloudFront invalidation ID, if one was created.
	Invalidation string `json:"invalidation,omitempty"`
	// NoJekyll is the .nojekyll file a GitHub Pages dir target wrote (or
	// would write) at its root, so that Pages serves a path under a
	// dot-directory.
	NoJekyll string `json:"nojekyll,omitempty"`
}

// Options tunes a publish.
type Options struct {
	DryRun bool
	Force  bool
	// Timeout bounds each S3 and CloudFront call (retries included); 0 means
	// the config's [publish] timeout, else [config.DefaultPublishTimeout].
	Timeout time.Duration
	// Log receives progress lines; nil discards them. No secret is ever written.
	Log io.Writer
	// CloudFrontEndpoint, when set, replaces the CloudFront API endpoint. It
	// is for tests and CloudFront-compatible CDNs; AWS_ENDPOINT_URL_CLOUDFRONT
	// does the same from the environment.
	CloudFrontEndpoint string
	// Clients, when set, shares S3 clients across the publishes of a run;
	// nil makes one per publish.
	Clients *Clients
}

// Publish puts doc where c.Publish says. With opts.DryRun it only works out
// what it would do: an S3 publish may still read the object's headers.
func Publish(ctx context.Context, c *config.Config, doc []byte, opts Options) (Plan, error) {
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	opts.Log = redactWriter{opts.Log}
	opts.Timeout = publishTimeout(c, opts)
	switch c.Publish.Target {
	case "s3":
		// Load has checked the path already; a Config made in code has not.
		if err := config.CheckPath(c.Path); err != nil {
			return Plan{}, fmt.Errorf("publish: path %w", err)
		}
		return publishS3(ctx, c, doc, opts)
	case "dir":
		return publishDir(c, doc, opts)
	case "":
		return Plan{}, fmt.Errorf("publish: no target: set [publish] target to \"s3\" or \"dir\"")
	default:
		return Plan{}, fmt.Errorf("publish: unknown target %q: want \"s3\" or \"dir\"", c.Publish.Target)
	}
}

// publishTimeout is the bound of each call of a publish of c.
func publishTimeout(c *config.Config, opts Options) time.Duration {
	if opts.Timeout > 0 {
		return opts.Timeout
	}
	if c.Publish.Timeout.Duration > 0 {
		return c.Publish.Timeout.Duration
	}
	return config.DefaultPublishTimeout
}

// Collisions refuses, before anything is published, two environments
// that would publish to the same place: one file of a dir target (after
// cleaning), or one key of one bucket at one endpoint.
func Collisions(cfgs iter.Seq[*config.Config]) error {
	seen := map[string]string{}
	for c := range cfgs {
		// The document, and the JWK Set of [client.keys] beside it.
		paths := []string{c.Path}
		if j := build.JWKSPath(c); j != "" {
			paths = append(paths, j)
		}
		for _, p := range paths {
			dest, fix := destination(c, p)
			if dest == "" {
				continue
			}
			if other, dup := seen[dest]; dup {
				return fmt.Errorf("%s and %s would both publish to %s: %s; nothing published", other, c.Name(), dest, fix)
			}
			seen[dest] = c.Name()
		}
	}
	return nil
}

// destination names where c publishes the file at URL path p, cleaned so
// that two spellings of one place compare equal, and how to separate two
// environments that meet there; "" when c's target has no fixed place.
func destination(c *config.Config, p string) (dest, fix string) {
	switch c.Publish.Target {
	case "dir":
		if c.DirRoot() == "" {
			return "", ""
		}
		dest = filepath.Clean(filepath.Join(c.DirRoot(), filepath.FromSlash(strings.TrimPrefix(p, "/"))))
		if abs, err := filepath.Abs(dest); err == nil {
			dest = abs
		}
		return dest, "give one its own [publish.dir] root, or let it inherit the top level's (then it writes under <root>/<env>/)"
	case "s3":
		sc := c.Publish.S3
		dest = "s3://" + sc.Bucket + "/" + sc.Prefix + strings.TrimPrefix(p, "/")
		if ep := strings.TrimRight(sc.Endpoint, "/"); ep != "" {
			dest += " at " + ep
		}
		return dest, "give one its own [publish.s3] bucket or prefix"
	}
	return "", ""
}
