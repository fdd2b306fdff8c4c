package validate

import (
	"fmt"
	"strings"
	"time"
)

// Propagation is the worst case until authorization servers see a change
// of a document whose old copy was served with CacheControl: each server
// profile keeps what it read for the max-age it was given, capped and
// floored by its own cache bounds (SERVERS.md "Cache bounds").
type Propagation struct {
	CacheControl string        // as the old copy was served
	MaxAge       time.Duration // read from CacheControl
	HasMaxAge    bool          // false: CacheControl sets no lifetime
	Worst        time.Duration // the longest any profile with known bounds keeps the old copy
	Server       string        // the profile that keeps it that long
	Manual       []string      // profiles that re-read only when an admin refreshes
}

// String says p in words, for a message: "within 1d: cognito keeps a copy
// that long (max-age 1h from Cache-Control "public, max-age=3600"); auth0
// re-reads only when an admin refreshes it".
func (p Propagation) String() string {
	var b strings.Builder
	given := fmt.Sprintf("Cache-Control %q sets no max-age", p.CacheControl)
	switch {
	case p.CacheControl == "":
		given = "no Cache-Control"
	case p.HasMaxAge:
		given = fmt.Sprintf("max-age %s from Cache-Control %q", Duration(p.MaxAge), p.CacheControl)
	}
	switch {
	case p.Server == "":
		fmt.Fprintf(&b, "when next read (%s)", given)
	case p.HasMaxAge && p.Worst == p.MaxAge:
		fmt.Fprintf(&b, "within %s (%s; %s keeps a copy that long)", Duration(p.Worst), given, p.Server)
	default:
		fmt.Fprintf(&b, "within %s: %s keeps a copy that long whatever the document says (%s)", Duration(p.Worst), p.Server, given)
	}
	if len(p.Manual) > 0 {
		verb := "re-reads"
		if len(p.Manual) > 1 {
			verb = "re-read"
		}
		fmt.Fprintf(&b, "; %s %s only when an admin refreshes the client", strings.Join(p.Manual, ", "), verb)
	}
	return b.String()
}

// Duration writes d the short way a person reads a cache lifetime: "90s",
// "10m", "1h30m", "3d".
func Duration(d time.Duration) string {
	if d <= 0 {
		return "0s"
	}
	d = d.Round(time.Second)
	var parts []string
	for _, u := range []struct {
		unit time.Duration
		name string
	}{{24 * time.Hour, "d"}, {time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}} {
		if n := d / u.unit; n > 0 {
			parts = append(parts, fmt.Sprintf("%d%s", n, u.name))
			d -= n * u.unit
		}
		if len(parts) == 2 {
			break // 1d3h is precise enough for a cache
		}
	}
	return strings.Join(parts, "")
}

// PropagationOf works out the [Propagation] for a document whose old copy
// was served with cacheControl, over every server profile, or only over
// the profiles named in only ([validate] servers: the ones the client must
// work with) when it is not empty; unknown names are skipped.
func PropagationOf(cacheControl string, only []string) Propagation {
	p := Propagation{CacheControl: cacheControl}
	p.MaxAge, p.HasMaxAge = MaxAge(cacheControl)
	if len(only) == 0 {
		p.Worst, p.Server, p.Manual = WorstCasePropagation(p.MaxAge, p.HasMaxAge)
		return p
	}
	for _, name := range only {
		sv, ok := ServerProfile(name)
		if !ok {
			continue
		}
		if sv.Cache.Never {
			p.Manual = append(p.Manual, sv.Name)
		}
		if d, ok := sv.Cache.Lifetime(p.MaxAge, p.HasMaxAge); ok && d > p.Worst {
			p.Worst, p.Server = d, sv.Name
		}
	}
	return p
}
