// Package publish puts a built document where an environment's [publish]
// table says: an S3-compatible bucket, or a local directory, atomically and
// only when something changed.
package publish

import (
	"context"
	"io"

	"github.com/cimd-dev/cimd/config"
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
	Reason   string `json:"reason"`
	Uploaded bool   `json:"uploaded"` // false for unchanged and dry runs
	// Invalidation is the CloudFront invalidation ID, if one was created.
	Invalidation string `json:"invalidation,omitempty"`
}

// Options tunes a publish.
type Options struct {
	DryRun bool
	Force  bool
	// Log receives progress lines; nil discards them. No secret is ever written.
	Log io.Writer
}

// Publish puts doc where c.Publish says.
func Publish(ctx context.Context, c *config.Config, doc []byte, opts Options) (Plan, error) {
	return Plan{}, nil // TODO(publish)
}
