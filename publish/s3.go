package publish

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go/logging"

	"github.com/cimd-dev/cimd/config"
)

// sha256Key is the user metadata key that holds the hex SHA-256 of the body.
// The ETag cannot serve: it is not an MD5 for every store, encryption mode or
// upload method.
const sha256Key = "sha256"

// publishS3 makes one HeadObject (none when a Prelist listing showed the
// key absent) and, when the stored object differs, one
// PutObject. The PutObject is conditional on what the HeadObject saw
// (If-Match on its ETag, or If-None-Match: * when there was none), so two
// publishes racing on one key cannot silently overwrite each other;
// --force makes it unconditional and skips the HeadObject.
func publishS3(ctx context.Context, c *config.Config, doc []byte, opts Options) (Plan, error) {
	sc := c.Publish.S3
	plan, key := s3Plan(c, doc)
	fail := func(msg string, err error) (Plan, error) {
		return plan, &s3Error{location: plan.Location, msg: msg, err: err}
	}
	if sc.Bucket == "" {
		return fail("no bucket: set [publish.s3] bucket", nil)
	}
	cfg, client, err := opts.Clients.get(ctx, sc, opts.Timeout)
	if err != nil {
		return fail(describeS3Error(err), err)
	}
	endpoint := s3Endpoint(client, sc.Bucket)
	sum := sha256.Sum256(doc)
	hexSum := hex.EncodeToString(sum[:])
	put := putInput(sc, key, doc, hexSum, plan.CacheControl)

	switch {
	case opts.Force:
		plan.Reason = ReasonForced
	case opts.Clients.listedAbsent(sc, opts.Timeout, key):
		// Prelist saw no such key: what a HeadObject would say.
		put.IfNoneMatch = aws.String("*")
		plan.Reason = ReasonNotFound
	default:
		if plan.Reason, err = checkStored(ctx, client, endpoint, put, hexSum, opts.Timeout); err != nil {
			return fail(describeS3Error(err), err)
		}
	}
	if plan.Reason == ReasonUnchanged || opts.DryRun {
		return plan, nil
	}

	fmt.Fprintf(opts.Log, "uploading %s (%d bytes, %s)\n", plan.Location, plan.Size, plan.Reason)
	if err := bounded(ctx, opts.Timeout, "put", endpoint, func(ctx context.Context) error {
		_, err := client.PutObject(ctx, put)
		return err
	}); err != nil {
		return fail(describeS3Error(err), err)
	}
	plan.Written = true

	if id := sc.CloudFrontDistributionID; id != "" {
		inv, err := invalidate(ctx, cfg, id, c.Path, hexSum, opts)
		if err != nil {
			return fail(fmt.Sprintf("uploaded, but invalidating %s on CloudFront distribution %s failed: %s",
				c.Path, id, describeS3Error(err)), err)
		}
		plan.Invalidation = inv
	}
	return plan, nil
}

// s3Plan is what an S3 publish of doc for c will say it did, before it
// does anything, and the object key.
func s3Plan(c *config.Config, doc []byte) (Plan, string) {
	sc := c.Publish.S3
	key := sc.Prefix + strings.TrimPrefix(c.Path, "/")
	cacheControl := c.Publish.CacheControl
	if cacheControl == "" {
		cacheControl = config.DefaultCacheControl
	}
	return Plan{
		Target:       "s3",
		Location:     "s3://" + sc.Bucket + "/" + key,
		Size:         len(doc),
		ContentType:  contentType,
		CacheControl: cacheControl,
	}, key
}

// putInput is the PutObject of doc at key, unconditional until
// checkStored makes it conditional.
func putInput(sc config.S3, key string, doc []byte, hexSum, cacheControl string) *s3.PutObjectInput {
	put := &s3.PutObjectInput{
		Bucket:        aws.String(sc.Bucket),
		Key:           aws.String(key),
		Body:          bytes.NewReader(doc),
		ContentLength: aws.Int64(int64(len(doc))),
		ContentType:   aws.String(contentType),
		CacheControl:  aws.String(cacheControl),
		ContentMD5:    aws.String(contentMD5(doc)),
		Metadata:      map[string]string{sha256Key: hexSum},
	}
	if sc.ACL != "" {
		put.ACL = types.ObjectCannedACL(sc.ACL)
	}
	return put
}

// checkStored makes the HeadObject of put's key and returns why the stored
// object needs put, or ReasonUnchanged; it makes put conditional on what it
// saw.
func checkStored(ctx context.Context, client *s3.Client, endpoint string, put *s3.PutObjectInput, hexSum string, timeout time.Duration) (string, error) {
	var head *s3.HeadObjectOutput
	err := bounded(ctx, timeout, "head", endpoint, func(ctx context.Context) (err error) {
		head, err = client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: put.Bucket, Key: put.Key})
		return err
	})
	switch {
	case isNotFound(err):
		put.IfNoneMatch = aws.String("*")
		return ReasonNotFound, nil
	case err != nil:
		return "", err
	}
	put.IfMatch = head.ETag
	return compareHead(head, hexSum, aws.ToString(put.CacheControl)), nil
}

// compareHead says why the stored object, described by head, needs an
// upload, or that it does not.
func compareHead(head *s3.HeadObjectOutput, hexSum, cacheControl string) string {
	// Stores return user metadata keys in varying case.
	var stored string
	for k, v := range head.Metadata {
		if strings.EqualFold(k, sha256Key) {
			stored = v
		}
	}
	switch {
	case stored != hexSum:
		return ReasonContentDiffers
	case aws.ToString(head.ContentType) != contentType,
		aws.ToString(head.CacheControl) != cacheControl:
		return ReasonHeadersDiffer
	default:
		return ReasonUnchanged
	}
}

func contentMD5(doc []byte) string {
	sum := md5.Sum(doc)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// newS3Client loads the AWS default chain (environment, shared config and
// profile, SSO, web identity, instance roles) and builds an S3 client for sc.
func newS3Client(ctx context.Context, sc config.S3, timeout time.Duration) (aws.Config, *s3.Client, error) {
	// Loading reads files and environment only; credentials are fetched on
	// the first call, inside its bound. The bound here is for a shared
	// config that names a process or device that hangs.
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	loadOpts := []func(*awsconfig.LoadOptions) error{
		// The SDK logs to stderr by default, for example "Response has no
		// supported checksum" for every HeadObject against stores that do not
		// send checksums. Nothing it logs is for cimd's users.
		awsconfig.WithLogger(logging.Nop{}),
	}
	if sc.Profile != "" {
		loadOpts = append(loadOpts, awsconfig.WithSharedConfigProfile(sc.Profile))
	}
	if sc.Region != "" {
		loadOpts = append(loadOpts, awsconfig.WithRegion(sc.Region))
	}
	// Environments are published concurrently over one client: keep as
	// many connections to the store as are in use at once (the SDK's
	// default keeps 10).
	loadOpts = append(loadOpts, awsconfig.WithHTTPClient(awshttp.NewBuildableClient().
		WithTransportOptions(func(t *http.Transport) { t.MaxIdleConnsPerHost = 64 })))
	cfg, err := awsconfig.LoadDefaultConfig(ctx, loadOpts...)
	if err != nil {
		return cfg, nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		if sc.Endpoint != "" {
			o.BaseEndpoint = aws.String(sc.Endpoint)
		}
		// BaseEndpoint is already set here when AWS_ENDPOINT_URL_S3,
		// AWS_ENDPOINT_URL or the shared config named an endpoint: all mean
		// an S3-compatible store, which rarely serves virtual-hosted buckets
		// and rarely cares about the region.
		custom := o.BaseEndpoint != nil
		o.UsePathStyle = custom
		if sc.PathStyle != nil {
			o.UsePathStyle = *sc.PathStyle
		}
		if o.Region == "" && custom {
			o.Region = "us-east-1"
		}
		o.DisableLogOutputChecksumValidationSkipped = true
	})
	if client.Options().Region == "" {
		return cfg, nil, errNoRegion
	}
	return cfg, client, nil
}

var errNoRegion = errors.New("no AWS region: set [publish.s3] region, AWS_REGION or a profile's region")

// isNotFound reports whether err is HeadObject's answer for a missing key.
// A missing bucket looks the same to HeadObject; the PutObject that follows
// then says NoSuchBucket.
func isNotFound(err error) bool {
	if err == nil {
		return false
	}
	var nf *types.NotFound
	var nsk *types.NoSuchKey
	if errors.As(err, &nf) || errors.As(err, &nsk) {
		return true
	}
	return httpStatus(err) == 404 && apiCode(err) != "NoSuchBucket"
}

// s3Endpoint is where client's calls for bucket go, for messages: the
// configured endpoint, or AWS S3's regional one. Userinfo and query are
// removed (see redactURL).
func s3Endpoint(client *s3.Client, bucket string) string {
	o := client.Options()
	if o.BaseEndpoint != nil {
		return redactURL(*o.BaseEndpoint)
	}
	return "https://" + bucket + ".s3." + o.Region + ".amazonaws.com"
}

// timeoutError is a call that got no complete answer within the timeout.
type timeoutError struct {
	phase    string // list, head, put or invalidate
	endpoint string
	timeout  time.Duration
	err      error
}

func (e *timeoutError) Error() string {
	return fmt.Sprintf("no answer from %s within %s (%s): raise --timeout or [publish] timeout if the store is slow",
		e.endpoint, e.timeout, e.phase)
}
func (e *timeoutError) Unwrap() error { return e.err }

// bounded runs f with ctx bounded by timeout. When the bound, not ctx,
// ended it, the error says which phase timed out against which endpoint.
func bounded(ctx context.Context, timeout time.Duration, phase, endpoint string, f func(context.Context) error) error {
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	err := f(cctx)
	if err != nil && ctx.Err() == nil && errors.Is(cctx.Err(), context.DeadlineExceeded) {
		return &timeoutError{phase: phase, endpoint: endpoint, timeout: timeout, err: err}
	}
	return err
}
