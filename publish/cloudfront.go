package publish

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
)

// invalidate asks CloudFront to drop its cached copies of path on
// distribution id and returns the invalidation's ID without waiting for it
// to complete. path is the document's path as viewers request it, which is
// the path of its client_id: exactly one path, never "/*", so the
// invalidation stays within the free tier and other files stay cached.
func invalidate(ctx context.Context, cfg aws.Config, id, path, hexSum string, opts Options) (string, error) {
	client := cloudfront.NewFromConfig(cfg, func(o *cloudfront.Options) {
		if opts.CloudFrontEndpoint != "" {
			o.BaseEndpoint = aws.String(opts.CloudFrontEndpoint)
		}
	})
	// CloudFront rejects a second batch with the same caller reference but
	// different paths, and answers an identical one with the first
	// invalidation: content hash and time make retries of this call, and
	// only those, idempotent.
	ref := fmt.Sprintf("cimd-%s-%d", hexSum[:16], time.Now().UnixNano())
	fmt.Fprintf(opts.Log, "invalidating %s on CloudFront distribution %s\n", path, id)
	endpoint := "https://cloudfront.amazonaws.com"
	if e := client.Options().BaseEndpoint; e != nil {
		endpoint = redactURL(*e)
	}
	var out *cloudfront.CreateInvalidationOutput
	err := bounded(ctx, opts.Timeout, "invalidate", endpoint, func(ctx context.Context) (err error) {
		out, err = client.CreateInvalidation(ctx, &cloudfront.CreateInvalidationInput{
			DistributionId: aws.String(id),
			InvalidationBatch: &types.InvalidationBatch{
				CallerReference: aws.String(ref),
				Paths: &types.Paths{
					Quantity: aws.Int32(1),
					Items:    []string{path},
				},
			},
		})
		return err
	})
	if err != nil {
		return "", err
	}
	if out.Invalidation == nil {
		return "", nil
	}
	return aws.ToString(out.Invalidation.Id), nil
}
