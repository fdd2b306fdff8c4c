package publish

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
)

// s3Error is a failed S3 publish: one short line for people, the SDK's
// error underneath for programs.
type s3Error struct {
	location string // s3://bucket/key
	msg      string
	err      error
}

// Error is redacted: msg may quote what a store or proxy answered.
func (e *s3Error) Error() string { return redact("publish " + e.location + ": " + e.msg) }
func (e *s3Error) Unwrap() error { return e.err }

// describeS3Error turns an SDK error into a short sentence that says what went
// wrong and what to look at. It never quotes credentials: the SDK's errors do
// not carry them, and the sentences here are written from the error's kind.
func describeS3Error(err error) string {
	if msg, ok := localReason(err); ok {
		return msg
	}
	attempts := 0
	var mae *retry.MaxAttemptsError
	if errors.As(err, &mae) {
		attempts = mae.Attempt
	}
	if msg, ok := responseReason(err, attempts); ok {
		return msg
	}
	return transportReason(err, attempts)
}

// localReason describes a failure that never reached the store: no region,
// a timeout or cancel, no credentials.
func localReason(err error) (string, bool) {
	var te *timeoutError
	switch {
	case errors.Is(err, errNoRegion):
		return err.Error(), true
	case errors.As(err, &te):
		return te.Error(), true
	case errors.Is(err, context.DeadlineExceeded):
		return "timed out", true
	case errors.Is(err, context.Canceled):
		return "canceled", true
	case isNoCredentials(err):
		return "no AWS credentials found: set AWS_PROFILE or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run aws sso login", true
	}
	return "", false
}

// responseReason describes a failure the store answered: by its error code
// where the code says enough, else by the HTTP status.
func responseReason(err error, attempts int) (string, bool) {
	op := ""
	var oe *smithy.OperationError
	if errors.As(err, &oe) {
		op = oe.OperationName
	}
	status := httpStatus(err)
	code := apiCode(err)

	switch code {
	case "NoSuchBucket":
		return "bucket does not exist", true
	case "InvalidAccessKeyId":
		return "access key not known to the server (403 InvalidAccessKeyId)", true
	case "SignatureDoesNotMatch":
		return "request signature rejected (403 SignatureDoesNotMatch): check the secret key and the region", true
	case "ExpiredToken", "TokenRefreshRequired", "ExpiredTokenException":
		return "AWS credentials have expired: refresh them (aws sso login) and try again", true
	case "PreconditionFailed", "ConditionalRequestConflict":
		return fmt.Sprintf("the object changed while it was being published (%d %s): run publish again", status, code), true
	case "InvalidBucketName":
		return "invalid bucket name", true
	}
	switch {
	case status == http.StatusForbidden:
		// A HEAD response has no body to say whether the signature or the
		// permission failed, so the hint names both.
		hint := map[string]string{
			"HeadObject":         ": check the secret key, and that the credentials may s3:GetObject this key",
			"PutObject":          ": the credentials need s3:PutObject on this key",
			"CreateInvalidation": ": the credentials need cloudfront:CreateInvalidation on the distribution",
		}[op]
		return fmt.Sprintf("access denied (%s: 403%s)%s", op, withCode(code), hint), true
	case status == http.StatusNotImplemented:
		return fmt.Sprintf("the store does not implement part of %s (501%s): --force sends an unconditional upload", op, withCode(code)), true
	case status >= 500:
		text := http.StatusText(status)
		if code == strings.ReplaceAll(text, " ", "") {
			code = ""
		}
		return fmt.Sprintf("server error (%s: %d %s%s%s)", op, status, text, withCode(code), attemptsf(", %d attempts", attempts)), true
	case status != 0:
		var ae smithy.APIError
		if errors.As(err, &ae) && ae.ErrorMessage() != "" {
			return fmt.Sprintf("%s: %d %s: %s", op, status, code, ae.ErrorMessage()), true
		}
		return fmt.Sprintf("%s: %d %s%s", op, status, http.StatusText(status), withCode(code)), true
	}
	return "", false
}

// transportReason describes a failure on the way to the store: TLS, DNS, a
// refused or dropped connection.
func transportReason(err error, attempts int) string {
	var unknownCA x509.UnknownAuthorityError
	if errors.As(err, &unknownCA) {
		return "the server's TLS certificate is not signed by a trusted CA (AWS_CA_BUNDLE names an extra CA bundle)"
	}
	var hostErr x509.HostnameError
	if errors.As(err, &hostErr) {
		return "the server's TLS certificate is not for " + hostErr.Host
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return fmt.Sprintf("cannot resolve %s%s", dnsErr.Name, attemptsf(" (%d attempts)", attempts))
	}
	var netErr *net.OpError
	if errors.As(err, &netErr) && netErr.Op == "dial" {
		what := "cannot connect"
		if netErr.Addr != nil {
			what += " to " + netErr.Addr.String()
		}
		return fmt.Sprintf("%s: %s%s", what, rootCause(netErr.Err), attemptsf(" (%d attempts)", attempts))
	}
	return rootCause(err)
}

// attemptsf formats the attempt count n with format when there was more than one attempt.
func attemptsf(format string, n int) string {
	if n < 2 {
		return ""
	}
	return fmt.Sprintf(format, n)
}

func withCode(code string) string {
	if code == "" {
		return ""
	}
	return " " + code
}

// isNoCredentials reports whether err says the default chain found no
// credentials at all, which the SDK only says in prose.
func isNoCredentials(err error) bool {
	s := err.Error()
	return strings.Contains(s, "failed to retrieve credentials") ||
		strings.Contains(s, "no EC2 IMDS role found") ||
		strings.Contains(s, "failed to refresh cached credentials") ||
		strings.Contains(s, "static credentials are empty")
}

func httpStatus(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// rootCause is the innermost error's message: the SDK's chain repeats the
// operation, request IDs and retry counts around it.
func rootCause(err error) string {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err.Error()
		}
		err = next
	}
}
