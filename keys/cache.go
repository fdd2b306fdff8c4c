package keys

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// cacheRule is how one authorization server turns a Cache-Control header
// into the time it keeps what it fetched (SERVERS.md, "Cache bounds").
type cacheRule struct {
	profile string
	keep    func(cc cacheControl) int64 // seconds
}

// cacheControl is the part of a Cache-Control header the servers read.
type cacheControl struct {
	maxAge, sMaxAge        int64 // -1 when absent
	noCache, noStore, priv bool
}

func parseCacheControl(h string) cacheControl {
	cc := cacheControl{maxAge: -1, sMaxAge: -1}
	for _, d := range strings.Split(h, ",") {
		name, val, _ := strings.Cut(strings.TrimSpace(d), "=")
		n, err := strconv.ParseInt(strings.Trim(strings.TrimSpace(val), `"`), 10, 64)
		if err != nil || n < 0 {
			n = -1
		}
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "max-age":
			cc.maxAge = n
		case "s-maxage":
			cc.sMaxAge = n
		case "no-cache":
			cc.noCache = true
		case "no-store":
			cc.noStore = true
		case "private":
			cc.priv = true
		}
	}
	return cc
}

// shared is s-maxage, else max-age, else def.
func (cc cacheControl) shared(def int64) int64 {
	if cc.sMaxAge >= 0 {
		return cc.sMaxAge
	}
	return cc.own(def)
}

// own is max-age, else def.
func (cc cacheControl) own(def int64) int64 {
	if cc.maxAge >= 0 {
		return cc.maxAge
	}
	return def
}

// cacheRules are the profiles of SERVERS.md whose cache lifetime is known.
// auth0 is not among them: a manually imported client is re-read only when
// an admin refreshes it, which no wait can cover.
var cacheRules = []cacheRule{
	{"cognito", func(cc cacheControl) int64 {
		if cc.maxAge >= 86400 && cc.maxAge <= 31556952 {
			return cc.maxAge
		}
		return 86400 // the policy's CacheDuration default
	}},
	{"keycloak", func(cc cacheControl) int64 {
		if cc.noCache || cc.noStore {
			return 0
		}
		return min(max(cc.shared(300), 300), 259200)
	}},
	{"cloudflare", func(cc cacheControl) int64 {
		if cc.noCache || cc.noStore || cc.priv {
			return 0
		}
		return min(cc.shared(0), 604800)
	}},
	{"better-auth", func(cc cacheControl) int64 {
		if cc.noStore {
			return 0
		}
		return min(cc.own(0), 3600)
	}},
	// The document's {min, max} is the deployer's; a jwks_uri is kept for
	// max-age, or Expires, and never less than 60 s (lib/models/client.js).
	{"oidc-provider", func(cc cacheControl) int64 { return max(cc.own(0), 60) }},
	{"fastmcp", func(cc cacheControl) int64 {
		if cc.noStore {
			return 0
		}
		return cc.own(3600)
	}},
	{"giantswarm", func(cc cacheControl) int64 { return min(cc.own(300), 3600) }},
	{"servicenow", func(cacheControl) int64 { return 3600 }}, // per-client lifespan, default
	{"logto", func(cacheControl) int64 { return 86400 }},
	{"tolgee", func(cacheControl) int64 { return 900 }},
	{"gravitee", func(cacheControl) int64 { return 86400 }}, // the reviewer's figure, the longer one
	{"janssen", func(cc cacheControl) int64 { return cc.own(0) }},
}

// CacheLifetime returns the longest time an authorization server in
// SERVERS.md may keep a JWKS served with the Cache-Control header h, and
// the profiles that keep it that long. It is how long a new key must have
// been published before assertions may depend on it.
//
// SERVERS.md states these bounds for the client's document; a server that
// caches the jwks_uri by other rules is not known to keep it longer.
func CacheLifetime(h string) (time.Duration, []string) {
	cc := parseCacheControl(h)
	var longest int64
	var who []string
	for _, r := range cacheRules {
		switch s := r.keep(cc); {
		case s > longest:
			longest, who = s, []string{r.profile}
		case s == longest && s > 0:
			who = append(who, r.profile)
		}
	}
	slices.Sort(who)
	return time.Duration(longest) * time.Second, who
}
