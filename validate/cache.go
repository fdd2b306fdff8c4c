package validate

import (
	"strconv"
	"strings"
	"time"
)

// CacheBounds is how long a server keeps a document it has read (SERVERS.md
// "Cache bounds"), which bounds how long a change takes to reach it.
type CacheBounds struct {
	// Known is false when no source says (or the lifetime is a setting
	// whose default was not read).
	Known bool
	// Never: some modes never re-read the document until an admin does
	// (Auth0's manual import, ServiceNow's "Static").
	Never bool
	// UsesMaxAge: the server takes the response's max-age, kept within
	// [Min, Max]; otherwise it keeps the document for Fixed.
	UsesMaxAge bool
	// Min and Max clamp max-age; 0 means no bound on that side.
	Min, Max time.Duration
	// Default is the lifetime without a max-age (or, with OutOfBounds,
	// when max-age lies outside [Min, Max]).
	Default time.Duration
	// OutOfBounds: a max-age outside [Min, Max] is replaced by Default
	// instead of clamped (Cognito's CacheDuration).
	OutOfBounds bool
	// Fixed is the lifetime of a server that ignores max-age.
	Fixed time.Duration
	// Note says it in words, for a message.
	Note string
}

// Lifetime returns how long the server may keep a document served with
// max-age (present false: no max-age, or no-store/no-cache, which callers
// pass as max-age 0), and false when that is not known or unbounded.
func (c CacheBounds) Lifetime(maxAge time.Duration, present bool) (time.Duration, bool) {
	if !c.Known || c.Never {
		return 0, false
	}
	if !c.UsesMaxAge {
		return c.Fixed, true
	}
	if !present {
		return c.Default, true
	}
	inside := (c.Min == 0 || maxAge >= c.Min) && (c.Max == 0 || maxAge <= c.Max)
	switch {
	case inside:
		return maxAge, true
	case c.OutOfBounds:
		return c.Default, true
	case maxAge < c.Min:
		return c.Min, true
	}
	return c.Max, true
}

// WorstCasePropagation returns the longest time any server profile with a
// known cache lifetime may keep serving logins from the old copy of a
// document served with max-age (present false when the response has
// none), and the server that sets it. Servers that never re-read on their
// own (an admin refreshes them) are listed in manual, whatever max-age is.
func WorstCasePropagation(maxAge time.Duration, present bool) (worst time.Duration, server string, manual []string) {
	for i := range servers {
		sv := &servers[i]
		if sv.Cache.Never {
			manual = append(manual, sv.Name)
		}
		if d, ok := sv.Cache.Lifetime(maxAge, present); ok && d > worst {
			worst, server = d, sv.Name
		}
	}
	return worst, server, manual
}

// MaxAge reads a Cache-Control value the way most servers do: s-maxage over
// max-age; no-store and no-cache mean a lifetime of 0. present is false
// when the value sets no lifetime at all, and a bad number counts as none.
func MaxAge(cacheControl string) (d time.Duration, present bool) {
	var maxAge, sMaxAge int64 = -1, -1
	for _, dir := range strings.Split(cacheControl, ",") {
		name, arg, _ := strings.Cut(strings.TrimSpace(dir), "=")
		arg = strings.Trim(strings.TrimSpace(arg), `"`)
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "no-store", "no-cache":
			return 0, true
		case "max-age":
			if n, err := strconv.ParseInt(arg, 10, 64); err == nil && n >= 0 {
				maxAge = n
			}
		case "s-maxage":
			if n, err := strconv.ParseInt(arg, 10, 64); err == nil && n >= 0 {
				sMaxAge = n
			}
		}
	}
	const maxSeconds = int64(time.Duration(1<<63-1) / time.Second)
	for _, n := range []int64{sMaxAge, maxAge} {
		if n >= 0 {
			return time.Duration(min(n, maxSeconds)) * time.Second, true
		}
	}
	return 0, false
}
