package config

import "time"

// The defaults of cimd.toml, in one place: Load fills them in, and the
// commands use them for their flags' defaults.
const (
	// DefaultOut is [build] out.
	DefaultOut = "public"
	// DefaultCacheControl is [publish] cache_control, the Cache-Control an
	// S3 publish sets and the netlify header file writes.
	DefaultCacheControl = "public, max-age=3600"
	// DefaultPublishTimeout is [publish] timeout: it bounds each S3 and
	// CloudFront call, retries included.
	DefaultPublishTimeout = 10 * time.Second
	// DefaultProfile is [validate] profile.
	DefaultProfile = "mcp"
	// DefaultFetchTimeout is [validate] timeout and validate's --timeout: it
	// bounds each fetch (DNS, connect, TLS, headers and body).
	DefaultFetchTimeout = 10 * time.Second
	// DefaultVerifyWait is how long publish waits for the live copy when
	// neither --wait nor [validate] wait says. validate waits only when
	// asked (--wait or [validate] wait), so its default is none.
	DefaultVerifyWait = 2 * time.Minute
)
